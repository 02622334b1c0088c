"""A build takes a second core only as make's job slots allow (pubpipe.runtime.job_slots), tried under a
real GNU make: -j1 gives one core, a free jobserver token gives two and is handed back, and jobs
that fill every slot get one core each."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Each job writes its answer to a file of its own: jobs running at once would mix their output.
PROBE = """
import sys
from pathlib import Path
from pubpipe.runtime.job_slots import second_core
with second_core() as two:
    Path(sys.argv[1] + ".answer").write_text(str(two))
"""


def _make(tmp_path, makefile: str, *arguments: str) -> tuple[dict[str, bool], str]:
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    probe = f"{sys.executable} probe.py $@"
    (tmp_path / "Makefile").write_text(textwrap.dedent(makefile).replace("PROBE", probe), encoding="utf-8")
    result = subprocess.run(["make", "-s", "-C", str(tmp_path), *arguments], capture_output=True, text=True, timeout=60, check=True)
    answers = {path.name.removesuffix(".answer"): path.read_text() for path in tmp_path.glob("*.answer")}
    return {target: value == "True" for target, value in answers.items()}, result.stderr


ONE_JOB = """
one:
\t+@PROBE
"""

# Each job probes only once both have started (make has handed out every slot), and ends only
# once both have probed (no slot has come back yet).
WAIT_FOR_BOTH = "for i in $$(seq 200); do [ -e a.{0} ] && [ -e b.{0} ] && break; sleep 0.05; done"
TWO_AT_ONCE = f"""
all: a b
a b:
\t+@touch $@.started; {WAIT_FOR_BOTH.format("started")}; PROBE; touch $@.probed; {WAIT_FOR_BOTH.format("probed")}
"""

ONE_AFTER_ANOTHER = """
all: second
first:
\t+@PROBE
second: first
\t+@PROBE
"""


def test_make_j1_means_one_core(tmp_path):
    assert _make(tmp_path, ONE_JOB, "-j1")[0] == {"one": False}


def test_plain_make_and_unlimited_jobs_leave_the_second_core(tmp_path):
    assert _make(tmp_path, ONE_JOB)[0] == {"one": True}
    assert _make(tmp_path, ONE_JOB, "-j")[0] == {"one": True}


def test_a_free_token_is_taken_and_given_back(tmp_path):
    answers, stderr = _make(tmp_path, ONE_AFTER_ANOTHER, "-j2")
    assert answers == {"first": True, "second": True}
    assert "jobserver" not in stderr


def test_jobs_that_fill_every_slot_get_one_core_each(tmp_path):
    answers, stderr = _make(tmp_path, TWO_AT_ONCE, "-j2")
    assert answers == {"a": False, "b": False}
    assert "jobserver" not in stderr


def test_without_the_plus_make_keeps_its_jobserver_and_the_build_keeps_to_one_core(tmp_path):
    assert _make(tmp_path, ONE_JOB.replace("+@", "@"), "-j2")[0] == {"one": False}
