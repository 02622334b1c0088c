"""Writing editions safely and reproducibly.

A failed or interrupted build must never leave a half-written edition where a good one stood, so
every output goes to a temporary file in the same folder and is renamed into place only once it is
complete. `os.replace` is atomic on one file system, which is why the temporary file lives next to
the target rather than in /tmp.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Iterator

from pubpipe.errors import OutputError, UsageError


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


# Editions rendered inside `edition_set` wait here (temporary file, target) until every edition
# of the set is complete; outside a set each file is renamed into place as soon as it is done.
_staged: contextvars.ContextVar[list[tuple[Path, Path]] | None] = contextvars.ContextVar("staged", default=None)
LOCK_NAME = ".pubpipe.lock"
PART_GLOBS = (".*.part", ".*.part.*")


# The disk is full, a quota is reached, or the file is over `ulimit -f`: the output folder's fault.
FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise _cannot(f"put {target.name} in place", exc, target.parent) from None


def _cannot(what: str, exc: OSError, folder: Path) -> OutputError:
    return OutputError(
        f"cannot {what}: {exc.strerror}",
        path=folder,
        hint="check the folder's permissions and free space, or build elsewhere with --build",
    )


@contextlib.contextmanager
def atomic_path(target: Path, join_set: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds.

    The temporary name starts with a dot and ends in `.part`, so that nothing (make, a web
    server, a reader) mistakes it for an edition, and `edition_set` can remove it after a crash.
    `join_set=False` puts the file in place at once even inside an `edition_set`: for what is
    not an edition (runtime/cache.py), which a later step of the same build reads back.
    """
    ensure_folder(target.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _cannot("write in the output folder", exc, target.parent) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:
            if exc.errno in FULL:
                raise _cannot(f"write {target.name}", exc, target.parent) from None
            raise
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OutputError("the builder produced an empty file", path=target)
        os.chmod(tmp, 0o644)
        staged = _staged.get() if join_set else None
        if staged is not None:
            staged.append((tmp, target))
        else:
            _replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


@contextlib.contextmanager
def edition_set(folder: Path) -> Iterator[None]:
    """Build one article's editions as a unit: all of them are put in place, or none is.

    A build that fails half-way (the PDF over its memory limit, a refused resource, Ctrl-C) leaves
    every earlier edition byte-identical; this is why the Makefile has no .DELETE_ON_ERROR, which
    would delete them after a failed recipe. A lock file in the article's output folder makes a second build of the same article
    wait, so two builds at once cannot interleave their files; the lock is released by the kernel
    when a process dies, even by kill -9. Holding it, we also remove the `.part` files that such a
    killed build left behind.
    """
    ensure_folder(folder)
    with _locked(folder / LOCK_NAME):
        remove_stale_parts(folder)
        staged: list[tuple[Path, Path]] = []
        token = _staged.set(staged)
        try:
            yield
        except BaseException:
            for tmp, _target in staged:
                tmp.unlink(missing_ok=True)
            raise
        finally:
            _staged.reset(token)
        for index, (tmp, target) in enumerate(staged):
            try:
                _replace(tmp, target)
            except BaseException:
                for rest, _target in staged[index:]:
                    rest.unlink(missing_ok=True)
                raise


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    import fcntl

    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise _cannot("create the lock file", exc, lock_path.parent) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            from pubpipe import console

            console.info(f"waiting for another build of {lock_path.parent.name} to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_stale_parts(folder: Path) -> list[Path]:
    """Delete temporary files of builds that were killed; call only while holding the lock."""
    removed = []
    for pattern in PART_GLOBS:
        for path in folder.glob(pattern):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def write_bytes_atomic(target: Path, data: bytes, join_set: bool = True) -> Path:
    with atomic_path(target, join_set) as tmp:
        tmp.write_bytes(data)
    return target


def source_date_epoch(fallback: int) -> int:
    """The build's timestamp: SOURCE_DATE_EPOCH when the caller set it, else the article's own date.

    Never the clock, so that two builds of the same sources give the same bytes.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return fallback
    try:
        epoch = int(value)
    except ValueError:
        epoch = -1
    if not 0 <= epoch <= LAST_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to {LAST_EPOCH} (the year 9999), not {value[:40]!r}",
            hint="leave it unset to use the article's date, or set it to `date +%s` of the day you mean",
        )
    return epoch


# The last second of the year 9999: the latest date a PDF, an OPF or Python's datetime records.
LAST_EPOCH = 253402300799


def epoch_to_datetime(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
