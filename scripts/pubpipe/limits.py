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

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
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


def _die_with_parent() -> None:
    """Ask Linux to kill the child if the build is killed (kill -9 leaves no orphan writing a .part)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(work: Callable[[], Any], channel, memory_budget: int, environment: dict[str, str]) -> None:
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
        channel.send(outcome)
    except Exception:  # the exception does not pickle: send its words
        channel.send(("error", ToolError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
    channel.close()


def run_limited(work: Callable[[], Any], *, what: str, source_date_epoch: int | None = None) -> Any:
    """Run `work` in a forked child under the PDF limits and return what it returned (it must pickle).

    Raise what it raised, or LimitError. Whatever `work` changes in memory (a logging handler's
    findings, say) stays in the child: return it instead.
    """
    time_limit, memory_budget = pdf_limits()
    environment = {} if source_date_epoch is None else {"SOURCE_DATE_EPOCH": str(source_date_epoch)}
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(work, sender, memory_budget, environment), daemon=True)
    child.start()
    sender.close()
    memory_text = f"{memory_budget / (1 << 20):.0f} MiB"
    try:
        if not receiver.poll(time_limit):
            raise LimitError(
                f"{what} took longer than the time limit of {time_limit:g} s",
                hint=f"the article may be pathological (a huge table, for instance); raise the limit "
                f"with {PDF_TIME_LIMIT_VAR} if it is simply very long",
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            child.join()
            raise LimitError(
                f"{what} stopped abruptly (exit status {child.exitcode}), most likely at its memory "
                f"limit of {memory_text}",
                hint=f"raise the limit with {PDF_MEMORY_LIMIT_VAR} (for example 4G) if the article is very large",
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if status == "memory":
        raise LimitError(
            f"{what} ran out of its memory limit of {memory_text}",
            hint=f"raise the limit with {PDF_MEMORY_LIMIT_VAR} (for example 4G) if the article is very large",
        )
    if status == "error":
        raise payload
    return payload
