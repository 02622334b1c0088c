"""Pages opened in headless Chromium as a reader's browser opens them, through puppeteer
(tests/page_probe.js, the driver Ace already brings): for the tests that measure a rendered page
and for those that watch what a page fetches."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import ROOT


def probe_pages(probes: list[dict], folder: Path) -> list[dict]:
    """Open each probe's `file` at its `width` × `height` (`dark`: in dark mode; `media`: "print"
    or ""), evaluate its `expressions` ({name: JavaScript}) there, and return the probes, each
    with its `values`. One browser for all of them."""
    from pubpipe.runtime import tools

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "job.json").write_text(json.dumps(probes), encoding="utf-8")
    browser, flags = tools.headless_chromium()
    environment = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser, PUBPIPE_CHROMIUM_ARGS=" ".join(flags))
    result = subprocess.run([tools.node(), str(ROOT / "tests" / "page_probe.js"), str(tools.TOOLS_DIR.parent),
                             str(folder / "job.json"), str(folder / "report.json")],
                            capture_output=True, text=True, env=environment, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))
