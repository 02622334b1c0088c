"""Progress by test file when the tests run in several worker processes (pytest-xdist, `make test`).

pytest prints a test file's name before its results only when one process runs the tests in
order. Spread over workers, the files interleave and pytest prints one anonymous dot per test, so
a reader cannot tell where the run is. This plugin, in the process that gathers the workers'
reports, prints one line for each test file when its last test ends: its counts and how long it
ran. No test prints a letter: the file's line counts them, and the failures are told at the end as always.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import pytest


def file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


class FileProgress:
    def __init__(self, config) -> None:
        self.config = config
        self.left: Counter | None = None  # tests not yet finished, per file
        self.outcomes: dict[str, Counter] = defaultdict(Counter)
        self.began: dict[str, float] = {}
        self.outcome_of: dict[str, str] = {}  # the test's worst outcome so far

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids) -> None:
        if self.left is None:  # every worker collects the same tests
            self.left = Counter(file_of(nodeid) for nodeid in ids)

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report, config):
        """No letter per test: the file's line counts them (a failure's details come at the end)."""
        status = yield
        return status and (status[0], "", status[2])

    def pytest_runtest_logreport(self, report) -> None:
        name = file_of(report.nodeid)
        self.began.setdefault(name, time.monotonic())
        if report.failed:
            self.outcome_of[report.nodeid] = "failed" if report.when == "call" else "error"
        elif report.nodeid not in self.outcome_of or report.when == "call":
            xfail = hasattr(report, "wasxfail")
            self.outcome_of[report.nodeid] = (("xfailed" if xfail else "skipped") if report.skipped
                                              else "xpassed" if xfail else "passed")
        if report.when != "teardown" or self.left is None:
            return
        self.outcomes[name][self.outcome_of.pop(report.nodeid)] += 1
        self.left[name] -= 1
        if self.left[name] == 0:
            counts = ", ".join(f"{number} {word}" for word, number in sorted(self.outcomes[name].items()))
            took = time.monotonic() - self.began[name]
            self.config.pluginmanager.get_plugin("terminalreporter").write_line(f"{name}: {counts} in {took:.0f} s")


def register(config) -> None:
    """Only in the process that gathers the workers' reports, at pytest's default verbosity
    (V=1 already names every test; V=0 asks for errors alone)."""
    spread = getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput")
    if spread and config.option.verbose == 0:
        config.pluginmanager.register(FileProgress(config), "file-progress")
