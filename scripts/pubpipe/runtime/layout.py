"""The one process boundary: the PDF layout runs in a worker process, one job at a time.

WeasyPrint runs in our own Python, where a huge table can take gigabytes and a pathological layout
minutes, and neither can be stopped from inside. So the build sends each layout as a picklable
`Job` (a module-level function and its arguments) to a worker process, and waits for the answer
under a time limit; the worker sets a memory limit (RLIMIT_AS) on itself for each job. The worker
runs in the OS sandbox (runtime/sandbox.py), sees no article folder and no network, and is started
at the beginning of a build, so that it imports WeasyPrint while pandoc runs; the build renders
the HTML and EPUB while it lays out the PDF. A process keeps its worker for later builds
(`pubpipe watch`, the tests, the articles of a course pack), and kills it when it exits, when a job
runs out of time or memory, and on Ctrl-C. The worker renews itself every JOBS_PER_WORKER jobs.

How jobs travel: each job is pickled into an anonymous temporary file, and the worker writes its
answer into another; only their file descriptors and a few words go through a Unix socket
(`socket.send_fds`). Large jobs therefore never block the build while the worker is still busy, and
nothing is left behind on disk, whatever kills which process. The build itself stays
single-threaded: nothing here depends on threads, fork() or the interpreter's import state.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import pickle
import resource
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pubpipe.errors import LimitError, OutputError, PubpipeError, ToolError
from pubpipe.runtime import sandbox
from pubpipe.runtime.limits import PDF_MEMORY_LIMIT_VAR, PDF_TIME_LIMIT_VAR, pdf_limits

MESSAGE_SIZE = 4096
# After this many jobs the worker replaces itself with a fresh interpreter (exec: the same process,
# sandbox and socket, so the jobs waiting in the socket are not lost and the build notices nothing).
# WeasyPrint's process keeps about 1 MiB of every layout (measured: 105 MiB growing to 189 MiB over
# 100 articles), so a course pack of 100 articles on four papers would otherwise peak hundreds of
# MiB above a pack of 25. A fresh interpreter costs about half a second of CPU.
JOBS_PER_WORKER = 40


@dataclass(frozen=True)
class Job:
    """`function(*args)` in the worker. The function is pickled by name, so it must be defined at
    the top level of a module the worker can import; the arguments and the result must pickle.
    `environment` is set for the job only (SOURCE_DATE_EPOCH, say); `memory` is the address space
    the job may add to what the worker has mapped when it starts, or None for no limit."""

    function: Callable[..., Any]
    args: tuple = ()
    environment: dict[str, str] = field(default_factory=dict)
    memory: int | None = None


# --- the build's side ---------------------------------------------------------------------------

class LayoutWorker:
    """A worker process and the jobs sent to it, answered in the order they were sent."""

    def __init__(self, read_only: tuple[Path, ...], warm_up: Job | None = None) -> None:
        self.read_only = read_only
        self.sandboxed = sandbox.available()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile(prefix="pubpipe-layout-")
        command = [sys.executable, "-m", "pubpipe.runtime.layout", str(theirs.fileno())]
        try:
            self.process = subprocess.Popen(
                sandbox.wrap(command, read_only=read_only) if self.sandboxed else command,
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                start_new_session=True,  # the terminal's Ctrl-C is the build's to handle; it stops us
            )
        except OSError as exc:
            ours.close()
            raise ToolError(f"cannot start the layout worker: {exc.strerror}") from None
        finally:
            theirs.close()
        self.channel = ours
        self.sent = 0
        self.answers: dict[int, tuple[str, Any, float]] = {}  # job number -> (status, value, seconds it ran)
        self.started: dict[int, float] = {}
        self.pending: dict[int, tuple[Any, str]] = {}  # job number -> (answer file, what)
        self.unwanted: set[int] = set()  # jobs whose answers nobody collects (the warm-up)
        self.progress = time.monotonic()  # the last sign of life: a job sent, started or done
        if warm_up is not None:
            self.unwanted.add(self.submit(warm_up, what="the layout worker's warm-up"))

    def alive(self) -> bool:
        return self.process.poll() is None

    def submit(self, job: Job, what: str) -> int:
        """Send a job; returns its number for `result`. Does not wait for the worker."""
        try:
            payload = tempfile.TemporaryFile(prefix="pubpipe-job-")
            answer = tempfile.TemporaryFile(prefix="pubpipe-answer-")
            pickle.dump(job, payload, protocol=pickle.HIGHEST_PROTOCOL)
            payload.flush()
            payload.seek(0)  # the worker's descriptor shares this file offset
        except OSError as exc:
            raise OutputError(f"cannot write {what}'s job to a temporary file: {exc.strerror}",
                              hint=f"make room in {tempfile.gettempdir()}, or point TMPDIR elsewhere") from None
        try:
            self.sent += 1
            socket.send_fds(self.channel, [pickle.dumps(("job", self.sent))], [payload.fileno(), answer.fileno()])
        except OSError as exc:
            answer.close()
            self.stop()
            raise ToolError(f"cannot send {what} to the layout worker: {exc.strerror}") from None
        finally:
            payload.close()
        self.pending[self.sent] = (answer, what)
        self.progress = time.monotonic()
        return self.sent

    def result(self, number: int, time_limit: float) -> Any:
        """The job's return value, or what it raised. LimitError when it runs longer than
        `time_limit` seconds (then the worker is stopped), whether or not the build was waiting
        for it at the time, or when the worker dies. Anything else that stops the wait (Ctrl-C)
        stops the worker too."""
        what = self.pending[number][1] if number in self.pending else "a layout"  # else answered already
        try:
            while number not in self.answers:
                self._receive(number, time_limit, what)
        except BaseException:
            self.stop()
            raise
        status, value, seconds = self.answers.pop(number)
        if seconds > time_limit:
            raise _time_error(what, time_limit)
        if status == "memory":
            self.stop()  # a MemoryError can leave a library's state half-made
            raise _memory_error(what, value)
        if status == "error":
            raise value
        return value

    def _receive(self, awaited: int, time_limit: float, what: str) -> None:
        """Read one message from the worker. The awaited job's clock runs from its start, or,
        while it waits its turn, from the worker's last sign of life."""
        remaining = self.started.get(awaited, self.progress) + time_limit - time.monotonic()
        if not select.select([self.channel], [], [], max(remaining, 0))[0]:
            self.stop()
            raise _time_error(what, time_limit)
        message = self.channel.recv(MESSAGE_SIZE)
        if not message:
            self._died(what)
        kind, number, moment = pickle.loads(message)  # `moment`: the worker's time.monotonic(), the same clock
        self.progress = max(self.progress, moment)
        if kind == "started":
            self.started[number] = moment
        elif kind == "done":
            answer, _ = self.pending.pop(number)
            with answer:
                answer.seek(0)
                if number not in self.unwanted:
                    status, value = pickle.load(answer)
                    self.answers[number] = (status, value, moment - self.started[number])
            self.unwanted.discard(number)
            self.started.pop(number, None)

    def _died(self, what: str) -> None:
        self.log.seek(0)
        said = self.log.read().decode("utf-8", "replace").strip().splitlines()
        self.stop()
        if said and said[-1].startswith("bwrap:"):
            raise ToolError(f"the sandbox could not start the layout worker: {said[-1]}",
                            hint=f"set {sandbox.MODE_VAR}=off to rely on the policy checks alone")
        raise _memory_error(what, f"stopped abruptly ({_describe(self.process.returncode)})"
                            + (f": {said[-1][:200]}" if said else "") + ", most likely at its memory limit")

    def forget_pending(self) -> None:
        """A build that failed before collecting its jobs: the worker's work is unwanted, stop it."""
        if self.answers or set(self.pending) - self.unwanted:
            self.stop()

    def close(self) -> None:
        """Let an idle worker end by itself (it exits when the socket closes), so that its CPU time
        is counted as the build's, through bwrap; a busy or slow one is stopped."""
        if self.pending or self.answers:
            self.stop()
            return
        self.channel.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.stop()

    def stop(self) -> None:
        # The worker's whole process group: bwrap, and the first process of its namespace, which
        # bwrap's --die-with-parent does not yet cover while bwrap is still setting up (killed
        # then, bwrap alone would leave it waiting for ever). The worker itself goes with them.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.process.wait()
        self.channel.close()
        self.log.close()
        for answer, _ in self.pending.values():
            answer.close()
        self.pending.clear()
        self.answers.clear()
        self.started.clear()


def _time_error(what: str, time_limit: float) -> LimitError:
    return LimitError(
        f"{what} took longer than the time limit of {time_limit:g} s",
        hint=f"the article may be pathological (a huge table, for instance); raise the limit "
        f"with {PDF_TIME_LIMIT_VAR} if it is simply very long",
    )


def _memory_error(what: str, detail: str | None) -> LimitError:
    budget = pdf_limits()[1]
    return LimitError(
        f"{what} {detail or 'ran out of its memory limit'} (limit {budget / (1 << 20):.0f} MiB)",
        hint=f"raise the limit with {PDF_MEMORY_LIMIT_VAR} (for example 4G) if the article is very large",
    )


def _describe(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


_worker: LayoutWorker | None = None


def worker(read_only: tuple[Path, ...], warm_up: Job | None = None) -> LayoutWorker:
    """This process's worker, started now if it has none (or one with another view or sandbox mode)."""
    global _worker
    if _worker is not None and (not _worker.alive() or _worker.read_only != read_only or _worker.sandboxed != sandbox.available()):
        _worker.stop()
        _worker = None
    if _worker is None:
        _worker = LayoutWorker(read_only, warm_up)
    return _worker


def forget_pending() -> None:
    if _worker is not None and _worker.alive():
        _worker.forget_pending()


@atexit.register
def _stop_at_exit() -> None:
    if _worker is not None and _worker.alive():
        _worker.close()


# --- the worker's side --------------------------------------------------------------------------

def _die_with_parent() -> None:
    """Ask Linux to kill us if the build dies (bwrap does the same for a sandboxed worker)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _address_space_in_use() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def _limited(job: Job):
    """The job's memory limit and environment, for the job's duration only."""
    saved_limit = resource.getrlimit(resource.RLIMIT_AS)
    saved_env = {name: os.environ.get(name) for name in job.environment}
    os.environ.update(job.environment)
    if job.memory is not None:
        resource.setrlimit(resource.RLIMIT_AS, (_address_space_in_use() + job.memory, saved_limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, saved_limit)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _run(payload) -> tuple[str, Any]:
    try:
        job = pickle.load(payload)
        with _limited(job):
            return "ok", job.function(*job.args)
    except MemoryError:
        return "memory", None
    except PubpipeError as exc:
        return "error", exc
    except BaseException as exc:  # sent as words: the build need not import what raised it
        return "error", ToolError(f"{type(exc).__name__}: {exc}")


_served = 0  # jobs this interpreter has run


def jobs_served() -> int:
    """How many jobs this worker's interpreter has run, this one included (a job, for the tests)."""
    return _served


def serve(channel: socket.socket) -> bool:
    """Run jobs until the build closes the socket (False), or until this interpreter has run
    JOBS_PER_WORKER of them (True: it is to be renewed)."""
    global _served
    while True:
        message, fds, _flags, _address = socket.recv_fds(channel, MESSAGE_SIZE, 2)
        if not message:
            return False
        _kind, number = pickle.loads(message)
        _served += 1
        with os.fdopen(fds[0], "rb") as payload, os.fdopen(fds[1], "wb") as answer:
            channel.send(pickle.dumps(("started", number, time.monotonic())))
            outcome = _run(payload)
            try:
                data = pickle.dumps(outcome)
            except Exception:  # the value does not pickle: send the words of what happened
                data = pickle.dumps(("error", ToolError(f"{type(outcome[1]).__name__}: {outcome[1]}")))
            answer.write(data)
        channel.send(pickle.dumps(("done", number, time.monotonic())))
        if _served >= JOBS_PER_WORKER:
            return True


def main(argv: list[str]) -> None:
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's; it stops us
    channel = socket.socket(fileno=int(argv[0]))
    try:
        renew = serve(channel)
    except (BrokenPipeError, ConnectionResetError):
        renew = False
    if renew:
        os.set_inheritable(channel.fileno(), True)
        os.execv(sys.executable, [sys.executable, "-m", "pubpipe.runtime.layout", argv[0]])
    os._exit(0)  # nothing to flush or tidy: the build is gone or done; skip tearing WeasyPrint down


if __name__ == "__main__":
    # Serve from the module as jobs import it (pubpipe.runtime.layout, not __main__), so that a
    # job such as jobs_served sees the worker's own state.
    from pubpipe.runtime import layout

    layout.main(sys.argv[1:])
