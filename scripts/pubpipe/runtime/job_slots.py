"""Whether a build may keep a second core busy, as GNU make's job slots allow.

Alone, a build uses two cores: WeasyPrint is imported while pandoc runs, and the HTML and EPUB
render while WeasyPrint lays out the PDF. Under `make -jN` over a folder of articles, make is
already filling the cores, one job per slot, and builds that each took a second core anyway would
run more work at once than the user asked for. Make's rule is that a job has one slot, and takes
more only as tokens from make's jobserver, giving them back when done (cargo and ninja do the same).
So a build takes the second core:
- when it does not run under make, or under `make` or `make -j` with no number (no limit asked);
- under `make -jN` with N > 1, only if the jobserver has a token free when the build starts;
- never under `make -j1`.
The Makefile marks the build's recipe with `+`, which is what lets make hand it the jobserver.
"""

from __future__ import annotations

import contextlib
import os
import re
from typing import Iterator

_JOBS = re.compile(r"-j(\d*)$")
_AUTH = re.compile(r"--jobserver-(?:auth|fds)=(?:fifo:(.+)|(\d+),(\d+))$")


def _make_flags() -> tuple[int | None, str | tuple[int, int] | None]:
    """(jobs asked for, or None for no number; the jobserver's fifo or its two fds, if any)."""
    jobs, auth = None, None
    for word in os.environ.get("MAKEFLAGS", "").split():
        if match := _JOBS.match(word):
            jobs = int(match.group(1)) if match.group(1) else None
        elif match := _AUTH.match(word):
            auth = match.group(1) or (int(match.group(2)), int(match.group(3)))
    return jobs, auth


def _open_jobserver(auth: str | tuple[int, int]) -> tuple[int, int] | None:
    """Our own non-blocking reader of the jobserver, and a writer to give the token back.

    Reopening the pipe through /proc gives this process its own open file, so the non-blocking
    flag does not change how make itself reads the pipe.
    """
    try:
        if isinstance(auth, str):
            return os.open(auth, os.O_RDONLY | os.O_NONBLOCK), os.open(auth, os.O_WRONLY)
        reader, writer = auth
        os.fstat(writer)
        return os.open(f"/proc/self/fd/{reader}", os.O_RDONLY | os.O_NONBLOCK), os.dup(writer)
    except OSError:  # make did not hand the jobserver over (a recipe without `+`)
        return None


@contextlib.contextmanager
def second_core() -> Iterator[bool]:
    """Yields whether this build may use a second core; a token taken is given back at the end."""
    if "MAKEFLAGS" not in os.environ:
        yield True
        return
    jobs, auth = _make_flags()
    if jobs is None and auth is None:
        yield True
        return
    if jobs == 1 or auth is None:
        yield False
        return
    pipe = _open_jobserver(auth)
    if pipe is None:
        yield False
        return
    reader, writer = pipe
    try:
        try:
            token = os.read(reader, 1)
        except BlockingIOError:
            token = b""
        try:
            yield bool(token)
        finally:
            if token:
                os.write(writer, token)
    finally:
        os.close(reader)
        os.close(writer)
