"""Running WeasyPrint under a time limit and a memory limit.

pandoc gets its limits from its own runtime (`+RTS -M`) and a subprocess timeout (resolve.py).
WeasyPrint runs in our own Python, where a huge table can take gigabytes and a pathological layout
can take minutes, and neither can be stopped from a thread. So the rendering runs in a child made
with fork(): the child inherits the already imported WeasyPrint (build.py imports it while pandoc
runs, and that overlap is kept), sets RLIMIT_AS on itself and writes the PDF to the temporary file;
the parent waits with a timeout and kills it when the time is up. fork() costs a few milliseconds,
not the 0.7 s of a fresh interpreter importing WeasyPrint.

The child also gets SOURCE_DATE_EPOCH in its environment: fontTools stamps the subset fonts'
`head.modified` with the clock unless that variable is set, which made PDFs differ between runs.
Setting it in the child only leaves the parent's environment alone, so one process can build
several articles, each with its own date.
"""

from __future__ import annotations

import _imp
import contextlib
import ctypes
import importlib._bootstrap
import os
import pickle
import resource
import select
import signal
import sys
import threading
import time
from typing import Any, Callable

from pubpipe.errors import LimitError, ToolError

PDF_TIME_LIMIT_VAR = "PUBPIPE_PDF_TIMEOUT"
PDF_MEMORY_LIMIT_VAR = "PUBPIPE_PDF_MEMORY"
DEFAULT_PDF_TIME_LIMIT = "120"
DEFAULT_PDF_MEMORY_LIMIT = "2G"
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str, variable: str) -> int:
    """'1G', '512M', '300000K' or a plain number of bytes."""
    value = text.strip().upper().removesuffix("B")
    factor = _UNITS.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        size = int(float(number) * factor)
    except ValueError:
        size = 0
    if size <= 0:
        raise LimitError(f"{variable} must be a size such as 2G or 512M, not {text!r}")
    return size


def parse_seconds(text: str, variable: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise LimitError(f"{variable} must be a number of seconds such as 120, not {text!r}")
    return seconds


def pdf_limits() -> tuple[float, int]:
    """(seconds, bytes) for WeasyPrint, read when a build runs so that tests and callers can set them."""
    return (
        parse_seconds(os.environ.get(PDF_TIME_LIMIT_VAR, DEFAULT_PDF_TIME_LIMIT), PDF_TIME_LIMIT_VAR),
        parse_size(os.environ.get(PDF_MEMORY_LIMIT_VAR, DEFAULT_PDF_MEMORY_LIMIT), PDF_MEMORY_LIMIT_VAR),
    )


def _address_space_in_use() -> int:
    """The process's current virtual size: the limit is a budget on top of what is mapped already."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    return 0


def _describe(wait_status: int) -> str:
    if os.WIFSIGNALED(wait_status):
        return f"killed by signal {os.WTERMSIG(wait_status)}"
    return f"exit status {os.WEXITSTATUS(wait_status)}"


def _die_with_parent() -> None:
    """Ask Linux to kill the child if the build is killed (kill -9 leaves no orphan writing a .part)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _imports_in_progress() -> bool:
    """Whether another thread is in the middle of importing a module right now."""
    me = threading.get_ident()
    for reference in list(importlib._bootstrap._module_locks.values()):
        lock = reference()
        if lock is not None and getattr(lock, "owner", 0) not in (0, None, me):
            return True
    return False


def _fork_when_no_import_runs() -> int:
    """os.fork() at a moment when no other thread holds a module's import lock.

    build.py renders the HTML and EPUB in a thread beside the PDF. A thread that is importing a
    module (Pillow's image plugins, say, for the EPUB cover) at the moment of fork() leaves that
    module's lock held for ever in the child, and the child hangs as soon as it imports the same
    module: about one build in 25 did. Holding the global import lock stops new imports from
    starting; we wait for the running ones to end, then check and fork under a long switch
    interval, so that no other thread runs in between.
    """
    interval = sys.getswitchinterval()
    while True:
        _imp.acquire_lock()
        # Whatever happens while the lock is held, Ctrl-C included, it is released: a
        # KeyboardInterrupt that left it held made the interrupted build wait for ever on the
        # quick editions' thread, itself waiting on the lock (about once in five full test runs).
        try:
            sys.setswitchinterval(30)
            if not _imports_in_progress():
                # fork() passes the import lock on to the child (CPython re-acquires it there), so
                # both processes release it, in this `finally`.
                return os.fork()
        finally:
            sys.setswitchinterval(interval)
            _imp.release_lock()
        time.sleep(0.001)  # let the importing thread run on, normally


def _child(work: Callable[[], Any], channel: int, memory_budget: int, environment: dict[str, str]) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills us
    os.environ.update(environment)
    limit = _address_space_in_use() + memory_budget
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        outcome = ("ok", work())
    except MemoryError:
        outcome = ("memory", None)
    except BaseException as exc:  # sent to the parent, which raises it there
        outcome = ("error", exc)
    try:
        data = pickle.dumps(outcome)
    except Exception:  # the result does not pickle: send the words of what happened
        data = pickle.dumps(("error", ToolError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    with os.fdopen(channel, "wb") as pipe:
        pipe.write(data)


def _read_until(channel: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None if the deadline passes first."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([channel], [], [], remaining)
        if ready:
            chunk = os.read(channel, 1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def run_limited(work: Callable[[], Any], *, what: str, source_date_epoch: int | None = None) -> Any:
    """Run `work` in a forked child under the PDF limits and return what it returned (it must pickle).

    Raise what it raised, or LimitError. Whatever `work` changes in memory (a logging handler's
    findings, say) stays in the child: return it instead.
    """
    time_limit, memory_budget = pdf_limits()
    environment = {} if source_date_epoch is None else {"SOURCE_DATE_EPOCH": str(source_date_epoch)}
    receiver, sender = os.pipe()
    pid = _fork_when_no_import_runs()
    if pid == 0:  # the child: never returns, never runs the parent's clean-up or atexit handlers
        status = 1
        try:
            os.close(receiver)
            _child(work, sender, memory_budget, environment)
            status = 0
        finally:
            os._exit(status)
    os.close(sender)
    memory_text = f"{memory_budget / (1 << 20):.0f} MiB"
    exit_status = None
    try:
        data = _read_until(receiver, time.monotonic() + time_limit)
        if data is None:
            raise LimitError(
                f"{what} took longer than the time limit of {time_limit:g} s",
                hint=f"the article may be pathological (a huge table, for instance); raise the limit "
                f"with {PDF_TIME_LIMIT_VAR} if it is simply very long",
            )
        _, exit_status = os.waitpid(pid, 0)
        if not data:
            raise LimitError(
                f"{what} stopped abruptly ({_describe(exit_status)}), most likely at its memory "
                f"limit of {memory_text}",
                hint=f"raise the limit with {PDF_MEMORY_LIMIT_VAR} (for example 4G) if the article is very large",
            )
        status, payload = pickle.loads(data)
    finally:
        os.close(receiver)
        if exit_status is None:  # timed out or interrupted: the child goes too
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    if status == "memory":
        raise LimitError(
            f"{what} ran out of its memory limit of {memory_text}",
            hint=f"raise the limit with {PDF_MEMORY_LIMIT_VAR} (for example 4G) if the article is very large",
        )
    if status == "error":
        raise payload
    return payload
