"""What `pubpipe check` found before, kept under <build>/.check-cache/ so that a second check of
unchanged editions costs no validator start and no comparison.

A verdict is filed under a key made of everything it depends on, so a stale one is never found:
- a validator's verdict on one edition: the edition's bytes (SHA-256) and the validator's
  fingerprint (its version, the Java, Node or browser it runs in, its flags, and our code that
  reads its report);
- an article's comparison: the bytes of every edition and of every file in the article's folder,
  the check's options, and our own code and pinned dependencies.
A changed edition, a tool upgrade or a code change gives a new key; old entries are simply never
read again (`make clean` removes them with build/).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from pubpipe.runtime.output import write_bytes_atomic

FOLDER = ".check-cache"


def file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def folder_digest(folder: Path) -> str:
    """Every regular file under `folder`, by relative name and content. Anything else (a FIFO, a
    device) is named but not read: reading it could block, and the build refuses it anyway."""
    hashed = hashlib.sha256()
    for parent, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files):
            path = Path(parent) / name
            hashed.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
            except OSError:
                regular = False
            hashed.update(file_digest(path).encode() if regular else b"not a regular file")
    return hashed.hexdigest()


def key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


class Cache:
    def __init__(self, build_root: Path) -> None:
        self.folder = build_root / FOLDER

    def _path(self, kind: str, entry: str) -> Path:
        return self.folder / kind / f"{entry}.json"

    def get(self, kind: str, entry: str) -> Any | None:
        try:
            return json.loads(self._path(kind, entry).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, kind: str, entry: str, value: Any) -> None:
        """Written atomically: a check interrupted half-way leaves no half entry to be read."""
        write_bytes_atomic(self._path(kind, entry), json.dumps(value, ensure_ascii=False).encode("utf-8"))
