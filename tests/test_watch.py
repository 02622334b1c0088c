"""`pubpipe watch`: a real watcher process on a copy of the canonical article, on a free loopback
port. The test edits the copy and waits (with a generous timeout, never a timing assertion) until
the served HTML shows the new text; it always stops the process."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import CANONICAL, ROOT, SOURCE
from pubpipe.preview import SCRIPT_TAG, inject_reload
from pubpipe.watch import affected, stylesheet_owners

TIMEOUT = 90  # seconds; generous on purpose: this machine is shared and the first build imports everything


class Running:
    def __init__(self, source: Path, build: Path, formats: str) -> None:
        command = [sys.executable, "-m", "pubpipe", "watch", CANONICAL, "--source", str(source), "--build", str(build),
                   "--port", "0", "--formats", formats]
        env = {**os.environ, "PUBPIPE_ROOT": str(ROOT)}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.base = "http://127.0.0.1:" + self._wait_line(r"serving http://127\.0\.0\.1:(\d+)/").group(1)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def _wait_line(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, "the watcher stopped:\n" + "".join(self.output)
                continue
            if match := re.search(pattern, line):
                return match
        pytest.fail(f"the watcher never printed {pattern!r}:\n" + "".join(self.output))

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return response.read().decode("utf-8")

    def status(self) -> dict:
        return json.loads(self.get("/__pubpipe__/status"))

    def wait_for(self, condition, what: str):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the watcher stopped:\n" + "".join(self.output)
            if value := condition():
                return value
            time.sleep(0.05)
        pytest.fail(f"waited {TIMEOUT} s for {what}; the watcher said:\n" + "".join(self.output))

    def stop(self) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@pytest.fixture()
def watcher(article_copy, tmp_path):
    folder = article_copy(SOURCE, CANONICAL)
    running = Running(folder.parent, tmp_path / "build", "html,epub,pdf")
    try:
        yield running, folder
    finally:
        running.stop()


def edit(article: Path, word: str) -> None:
    text = article.read_text(encoding="utf-8")
    changed = re.sub(r"(\n\n)([A-Z])", rf"\1{word} \2", text, count=1)
    assert changed != text
    article.write_text(changed, encoding="utf-8")


def test_an_edit_shows_in_the_served_html_and_only_the_response_carries_the_reload_script(watcher, tmp_path):
    running, folder = watcher
    running.wait_for(lambda: running.status().get("rebuilds", 0) >= 1, "the first build")
    page = f"/{CANONICAL}.html"
    assert "Zanzibarwatchword" not in running.get(page)

    edit(folder / "article.md", "Zanzibarwatchword")
    def edited_page():
        html = running.get(page)
        return html if "Zanzibarwatchword" in html else None

    served = running.wait_for(edited_page, "the edit in the HTML")

    assert SCRIPT_TAG in served
    built = (tmp_path / "build" / CANONICAL / f"{CANONICAL}.html").read_text(encoding="utf-8")
    assert "Zanzibarwatchword" in built
    assert "__pubpipe__" not in built
    # The slower editions follow from the same save.
    def all_rebuilt():
        status = running.status()
        return status if status.get("pdf", 0) >= 2 and status.get("epub", 0) >= 2 else None

    status = running.wait_for(all_rebuilt, "the PDF")
    assert status["error"] is None
    assert "reload" in running.get("/__pubpipe__/reload.js")


def test_a_failed_rebuild_keeps_serving_the_last_good_html_and_says_why(watcher):
    running, folder = watcher
    running.wait_for(lambda: running.status().get("rebuilds", 0) >= 1, "the first build")
    article = folder / "article.md"
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("\n\nAn affinity", "\n\n[@no-such-key-anywhere] An affinity", 1), encoding="utf-8")
    status = running.wait_for(lambda: running.status() if running.status().get("error") else None, "the error")

    assert "no-such-key-anywhere" in status["error"]
    assert "no-such-key-anywhere" not in running.get(f"/{CANONICAL}.html")
    article.write_text(good.replace("\n\nAn affinity", "\n\nRecovered affinity", 1), encoding="utf-8")
    running.wait_for(lambda: "Recovered affinity" in running.get(f"/{CANONICAL}.html"), "the fixed edit")
    # The page is in place a moment before the watcher records it (preview.Status.built), so the
    # error is seen to clear rather than read at once.
    running.wait_for(lambda: running.status()["error"] is None, "the error to clear")
    assert running.stop() == 0


def test_the_reload_script_goes_before_the_body_end_and_a_script_blocking_policy_is_left_out():
    page = '<html><head><meta http-equiv="Content-Security-Policy" content="script-src \'none\'"></head><body><p>x</p></body></html>'
    served = inject_reload(page)
    assert served.endswith(SCRIPT_TAG + "</body></html>")
    assert "Content-Security-Policy" not in served
    assert inject_reload("<p>no body element</p>").endswith(SCRIPT_TAG)


def test_a_stylesheet_change_rebuilds_only_the_edition_that_reads_it(tmp_path):
    formats = ["html", "epub", "pdf"]
    owners = stylesheet_owners(formats)
    styles = ROOT / "styles"
    article = tmp_path / "article"
    assert affected({styles / "web.css"}, article, formats, owners) == ["html"]
    assert affected({styles / "print.css", styles / "epub.css"}, article, formats, owners) == ["epub", "pdf"]
    assert affected({styles / "some-template.html"}, article, formats, owners) == formats
    assert affected({article / "references.yaml"}, article, formats, owners) == formats
