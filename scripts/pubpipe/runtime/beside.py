"""Rendering the quick editions in a thread while WeasyPrint lays out the PDF in a forked child.

The child (pubpipe.runtime.limits) has a core of its own, and the parent only waits for it, so the HTML
and the EPUB can be rendered meanwhile at no cost in time. But fork() copies a process while its
other threads are stopped wherever they are: if this thread is half-way through importing a module
(Pillow loads its image plugins lazily, for one), the child inherits that module's import lock as
held and waits on it forever the moment it imports the same module; any other lock the thread
holds is inherited the same way. So the thread starts its work only once the printed edition's
child exists (`os.register_at_fork` tells us when a fork happens; subprocess's fork-and-exec runs
no Python in the child and is not concerned). A later fork, for a second printed edition, may find
the thread working: pubpipe.runtime.limits forks only while no other thread is importing a module, and
waiting here for the thread instead could deadlock against that very import lock.
"""

from __future__ import annotations

import contextvars
import os
import threading
from typing import Callable

_current: Beside | None = None
_registry_lock = threading.Lock()


class Beside(threading.Thread):
    """Run `work()` in a thread after the next fork (or when the block ends), in the caller's context.

    The context copy makes the thread's editions join the caller's output.edition_set.
    """

    def __init__(self, work: Callable[[], None], name: str) -> None:
        super().__init__(name=name, daemon=True)
        self._context = contextvars.copy_context()
        self._work = work
        self._gate = threading.Event()
        self._cancelled = False
        self.failure: BaseException | None = None

    def __enter__(self) -> Beside:
        global _current
        with _registry_lock:
            _current = self
        self.start()
        return self

    def __exit__(self, kind, value, traceback) -> None:
        """Let the work run if no fork came (or skip it if the caller failed), and wait for it."""
        global _current
        self._cancelled = kind is not None
        self._gate.set()
        self.join()
        with _registry_lock:
            if _current is self:
                _current = None

    def run(self) -> None:
        self._gate.wait()
        if self._cancelled:
            return
        try:
            self._context.run(self._work)
        except BaseException as exc:  # raised again by the caller after the join
            self.failure = exc

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure


def _after_fork_in_parent() -> None:
    current = _current
    if current is not None:
        current._gate.set()


os.register_at_fork(after_in_parent=_after_fork_in_parent)
