"""Writing editions safely and reproducibly.

A failed or interrupted build must never leave a half-written edition where a good one stood, so
every output goes to a temporary file in the same folder and is renamed into place only once it is
complete. `os.replace` is atomic on one file system, which is why the temporary file lives next to
the target rather than in /tmp.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Iterator

from pubpipe.errors import OutputError


def ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create the output folder: {exc.strerror}",
            path=folder,
            hint="check the folder's permissions, or remove the file that stands in its way",
        ) from None
    if not os.access(folder, os.W_OK):
        raise OutputError(
            "the output folder is not writable",
            path=folder,
            hint="change its permissions or build elsewhere",
        )


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    ensure_folder(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputError("the builder produced an empty file", path=target)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target


def source_date_epoch(fallback: int) -> int:
    """The build's timestamp: SOURCE_DATE_EPOCH when the caller set it, else the article's own date.

    Never the clock, so that two builds of the same sources give the same bytes.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        try:
            return int(value)
        except ValueError:
            raise OutputError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {value!r}"
            ) from None
    return fallback


def epoch_to_datetime(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
