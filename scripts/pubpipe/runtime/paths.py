"""Where things live, and whether a path stays inside the folder it is allowed to use."""

from __future__ import annotations

import os
import stat
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


def hard_linked(path: Path) -> bool:
    """True when a regular file has other names (hard links). One of them may lie outside the
    article folder, and nothing tells which is the original, so such a file is not embedded."""
    try:
        status = path.stat()
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and status.st_nlink > 1


HARD_LINK_HINT = "replace the hard link with a copy of its own (cp FILE FILE.tmp && mv FILE.tmp FILE)"
