"""Where things live, and whether a path stays inside the folder it is allowed to use."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("PUBPIPE_ROOT", Path.cwd())).resolve()


def styles_dir() -> Path:
    return PROJECT_ROOT / "styles"


def build_dir() -> Path:
    return PROJECT_ROOT / "build"


def inside_folder(path: Path, folder: Path) -> bool:
    """True when `path`, with every symlink resolved, lies inside `folder`.

    Resolving first is what stops `../`, absolute paths and symlinks that point out of the folder.
    """
    try:
        resolved = path.resolve(strict=False)
        return resolved.is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return False
