"""The OS sandbox holds where the policy checks have a hole (pubpipe.runtime.sandbox).

Each test bypasses the policy on purpose: it hands the sandboxed pandoc a `--bibliography` outside
the article folder or on the loopback listener, or sends the layout worker a job that reads a file
or a URL that the checks would have refused. Inside the sandbox the planted secret stays unread and
the listener counts no request. Each test also runs the same bypass with the sandbox off
(PUBPIPE_SANDBOX=off) and sees the secret read or the request made, so the tests can fail.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from pubpipe.errors import PubpipeError, ToolError, UsageError
from pubpipe.runtime import layout, sandbox
from untrusted import SECRET, Listener

pytestmark = pytest.mark.skipif(not sandbox.available(), reason="this machine cannot sandbox (see pubpipe.runtime.sandbox)")


@pytest.fixture()
def counter():
    """A loopback listener of this module's own: the controls below make it count on purpose."""
    server = Listener()
    yield server
    server.close()


@pytest.fixture()
def sandbox_off(monkeypatch):
    def switch(off: bool) -> None:
        if off:
            monkeypatch.setenv(sandbox.MODE_VAR, "off")
        else:
            monkeypatch.delenv(sandbox.MODE_VAR, raising=False)

    return switch


# --- pandoc ------------------------------------------------------------------------------------

def pandoc_with(folder: Path, bibliography: str) -> tuple[str, str] | PubpipeError:
    """Run pandoc as the resolve step does, with a bibliography the policy would never let through."""
    from pubpipe.resolve.pandoc import pandoc_path, run_pandoc

    command = [pandoc_path(), "article.md", "--from=markdown", "--to=plain", "--citeproc", f"--bibliography={bibliography}"]
    try:
        return run_pandoc(command, cwd=folder)
    except PubpipeError as exc:
        return exc


@pytest.fixture()
def article(tmp_path) -> Path:
    folder = tmp_path / "source" / "a"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\ntitle: T\n---\n\nSee [@doe2001].\n", encoding="utf-8")
    return folder


def test_sandboxed_pandoc_cannot_read_a_bibliography_outside_the_folder(article, planted_secret, sandbox_off):
    secret_bib = str(planted_secret.parent / "secret.bib")
    sandbox_off(True)
    stdout, _ = pandoc_with(article, secret_bib)
    assert SECRET in stdout, "control: without the sandbox pandoc reads the file"
    sandbox_off(False)
    refused = pandoc_with(article, secret_bib)
    assert isinstance(refused, ToolError), refused
    assert SECRET not in str(refused)
    assert "secret.bib" in str(refused)  # pandoc says it could not find it


def test_sandboxed_pandoc_cannot_reach_the_network(article, counter, sandbox_off):
    sandbox_off(True)
    pandoc_with(article, f"{counter.url}/outside.bib")
    assert len(counter.requests) == 1, "control: without the sandbox pandoc makes the request"
    sandbox_off(False)
    refused = pandoc_with(article, f"{counter.url}/inside.bib")
    assert isinstance(refused, ToolError), refused
    assert counter.requests == ["/outside.bib"]
    assert SECRET not in str(refused)


def test_sandboxed_pandoc_still_reads_the_article_folder(article):
    (article / "refs.yaml").write_text("references:\n- id: doe2001\n  title: Inside the Folder\n  issued: 2001\n", encoding="utf-8")
    stdout, _ = pandoc_with(article, "refs.yaml")
    assert "Inside the Folder" in stdout


# --- the layout worker ---------------------------------------------------------------------------

def run_job(job: layout.Job):
    from pubpipe.runtime.paths import styles_dir

    worker = layout.worker(read_only=(styles_dir(),))
    return worker.result(worker.submit(job, what="the test job"), time_limit=120)


def test_the_worker_renews_itself_every_so_many_jobs_and_loses_none(sandbox_off):
    """WeasyPrint's process keeps about 1 MiB of every layout: a course pack of 100 articles on
    four papers once took the worker from 105 MiB to several hundred. Jobs queued while it renews
    itself are still answered, in order, by the same worker object."""
    from pubpipe.runtime.paths import styles_dir

    for sandboxed in (True, False):
        sandbox_off(not sandboxed)
        one = layout.worker(read_only=(styles_dir(),))
        numbers = [one.submit(layout.Job(layout.jobs_served), what="a test job")
                   for _ in range(2 * layout.JOBS_PER_WORKER + 3)]
        served = [one.result(number, time_limit=120) for number in numbers]
        assert max(served) == layout.JOBS_PER_WORKER and served.count(1) >= 2, served
        assert all(b == a + 1 or b == 1 for a, b in zip(served, served[1:])), served
        assert layout.worker(read_only=(styles_dir(),)) is one and one.alive()


def test_the_worker_cannot_read_outside_its_view(planted_secret, sandbox_off):
    read_secret = layout.Job(functools.partial(Path.read_text, planted_secret))
    sandbox_off(True)
    assert SECRET in run_job(read_secret), "control: without the sandbox the worker reads it"
    sandbox_off(False)
    with pytest.raises(ToolError, match="No such file") as refused:
        run_job(read_secret)
    assert SECRET not in str(refused.value)
    # What it needs is there: styles/ and the tools; the project's other folders are not.
    assert "@page" in run_job(layout.Job(functools.partial(Path.read_text, ROOT / "styles" / "print.css")))
    assert not run_job(layout.Job(os.path.exists, (str(ROOT / "source"),)))
    assert not run_job(layout.Job(os.path.exists, (str(ROOT / "tests"),)))


def test_the_worker_cannot_reach_the_network(counter, sandbox_off):
    fetch = layout.Job(functools.partial(urllib.request.urlopen, f"{counter.url}/from-the-worker", timeout=10))
    sandbox_off(True)
    with pytest.raises(ToolError):  # the response does not pickle; the request was made all the same
        run_job(fetch)
    assert counter.requests == ["/from-the-worker"], "control: without the sandbox the request is made"
    sandbox_off(False)
    with pytest.raises(ToolError, match="URLError"):
        run_job(fetch)
    assert counter.requests == ["/from-the-worker"]


def layout_request(markup: str, allowed: tuple[Path, ...]):
    from pubpipe.editions.layout import LayoutRequest
    from pubpipe.runtime.paths import styles_dir

    return LayoutRequest(markup=markup, stylesheets=(styles_dir() / "print.css",), allowed_folders=allowed, article_files={},
                         note_ids=(), pdf_variant=None, identifier=b"test", source=Path("article.md"))


def test_a_weasyprint_job_with_a_hole_in_the_fetcher_still_reads_nothing(planted_secret, sandbox_off):
    """The fetcher is told every folder is allowed (a hole in the policy); the sandbox alone stands."""
    from untrusted import readable_strings

    from pubpipe.editions.layout import lay_out

    outside = planted_secret.parent
    markup = (f'<p>Attached: <a rel="attachment" href="{(outside / "secret.txt").as_uri()}">secret</a></p>'
              f'<p><img alt="secret" src="{(outside / "secret.svg").as_uri()}"></p>')
    job = layout.Job(lay_out, (layout_request(markup, (Path("/"),)),))

    def leaked(pdf: bytes) -> bool:
        return any(SECRET.encode() in chunk for chunk in readable_strings(pdf, "pdf"))

    sandbox_off(True)
    assert leaked(run_job(job).pdf), "control: without the sandbox the PDF embeds the secret"
    sandbox_off(False)
    try:
        result = run_job(job)
    except PubpipeError as exc:  # refusing is as good as leaving out
        assert SECRET not in str(exc)
    else:
        assert not leaked(result.pdf)


# --- how the sandbox is chosen ---------------------------------------------------------------------

def test_a_machine_without_bwrap_says_so_once_and_relies_on_the_checks(tmp_path):
    script = textwrap.dedent("""
        from pubpipe.runtime import sandbox
        print(sandbox.available(), sandbox.available())
        print(sandbox.wrap(["pandoc"]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PATH": str(tmp_path)})  # a PATH without bwrap
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["False False", "['pandoc']"]
    assert result.stderr.count("no OS sandbox") == 1 and "bubblewrap" in result.stderr


def test_require_makes_a_missing_sandbox_an_error(tmp_path):
    script = "from pubpipe.runtime import sandbox\nsandbox.available()\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PATH": str(tmp_path), sandbox.MODE_VAR: "require"})
    assert result.returncode != 0 and "the sandbox cannot run" in result.stderr


def test_a_bogus_sandbox_mode_is_a_usage_error(monkeypatch):
    monkeypatch.setenv(sandbox.MODE_VAR, "maybe")
    with pytest.raises(UsageError) as error:
        sandbox.available()
    assert error.value.exit_code == 2 and "auto, off, require" in str(error.value)


def _in_group(group: int) -> list[int]:
    """The processes whose process group is `group`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_a_worker_stopped_while_bwrap_sets_up_leaves_no_process():
    """A build that fails at once stops the worker it has just started. Killed then, bwrap alone
    left the first process of its namespace waiting for ever; its whole group goes now."""
    from pubpipe.runtime.paths import styles_dir

    if not sandbox.available():
        pytest.skip("no bwrap on this machine")
    groups = []
    for delay in (0, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016) * 20:  # moments of bwrap's set-up
        worker = layout.LayoutWorker((styles_dir(),))
        groups.append(worker.process.pid)
        time.sleep(delay)
        worker.stop()
    deadline = time.monotonic() + 10  # a killed process takes a moment to go; a stuck one never goes
    while (left := [pid for group in groups for pid in _in_group(group)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], "stopped during its set-up, the worker left processes behind"
