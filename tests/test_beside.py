"""pubpipe.runtime.beside: the quick editions' thread starts only once WeasyPrint's child is forked, so
the child cannot inherit a lock (a half-done import) that the thread held. Real forks, no mocks."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from pubpipe.runtime.beside import Beside


def fork_and_wait() -> None:
    child = multiprocessing.get_context("fork").Process(target=lambda: None)
    child.start()
    child.join()
    assert child.exitcode == 0


def test_the_work_waits_for_the_fork_then_runs_beside_the_caller():
    started = threading.Event()
    with Beside(started.set, name="test") as side:
        assert not started.wait(0.3), "the thread worked before any fork"
        fork_and_wait()
        assert started.wait(30), "the thread did not start after the fork"
    side.raise_failure()


def test_without_a_fork_the_work_runs_at_the_end_and_its_failure_is_raised_in_the_caller():
    def work() -> None:
        raise ValueError("from the thread")

    with Beside(work, name="test") as side:
        pass
    with pytest.raises(ValueError, match="from the thread"):
        side.raise_failure()


def test_when_the_caller_fails_the_work_is_skipped():
    ran = threading.Event()
    with pytest.raises(RuntimeError):
        with Beside(ran.set, name="test"):
            raise RuntimeError("the printed edition failed")
    assert not ran.is_set()
