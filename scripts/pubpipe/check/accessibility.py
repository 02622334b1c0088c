"""The accessibility checkers: Ace by DAISY on the EPUB, axe-core on the web edition.

Both run in headless Chromium (Debian's, never one downloaded by puppeteer). Their reports are
turned into the findings every checker returns: {"code", "severity", "message", "file", "line"},
with codes `ace/<rule>` and `axe/<rule>` so that a finding names the rule to look up. A checker
that cannot run raises ToolError; it never returns an empty list in place of a verdict.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from pubpipe import tools
from pubpipe.errors import ToolError

ACE_TIMEOUT = float(os.environ.get("PUBPIPE_ACE_TIMEOUT", "300"))
# The web edition is checked in both colour schemes (dark mode has its own contrast to get right)
# and on a phone's width, where tables scroll and lines wrap differently.
VIEWS = (("light colour scheme", 1280, False), ("dark colour scheme", 1280, True), ("360 px wide", 360, False))


def ace_command() -> Path:
    """`ace-puppeteer`: the `ace` beside it wants Electron, whose download the set-up switches off."""
    script = tools.ace().with_name("ace-puppeteer")
    if not script.exists():
        raise ToolError("Ace by DAISY (ace-puppeteer) is not installed", hint="run `make setup`")
    return script


def ace_findings(report: dict) -> list[dict]:
    findings = []
    for document in report.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url")
        for assertion in document.get("assertions", []):
            if assertion.get("earl:result", {}).get("earl:outcome") != "fail":
                continue
            test = assertion.get("earl:test", {})
            result = assertion.get("earl:result", {})
            pointer = result.get("earl:pointer") or {}
            selector = ", ".join(pointer.get("css") or [])
            message = result.get("dct:description") or test.get("dct:description") or ""
            findings.append({
                "code": f"ace/{test.get('dct:title', 'unknown')}",
                "severity": test.get("earl:impact", "unknown"),
                "message": " ".join(f"{message} {('at ' + selector) if selector else ''}".split()),
                "file": where,
                "line": None,
            })
    return findings


def run_ace(epub_path: Path) -> list[dict]:
    epub_path = Path(epub_path).resolve()
    environment = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=tools.chromium(),
                       PUPPETEER_SKIP_DOWNLOAD="1", ELECTRON_SKIP_BINARY_DOWNLOAD="1")
    with tempfile.TemporaryDirectory(prefix="pubpipe-ace-") as folder:
        out = Path(folder) / "report"
        try:
            result = subprocess.run(
                [str(ace_command()), "--silent", "--force", "--outdir", str(out),
                 "--tempdir", str(Path(folder) / "tmp"), str(epub_path)],
                capture_output=True, text=True, timeout=ACE_TIMEOUT, env=environment, check=False,
            )
        except subprocess.TimeoutExpired:
            raise ToolError(f"Ace took longer than {ACE_TIMEOUT:g} s", path=epub_path,
                            hint="raise PUBPIPE_ACE_TIMEOUT") from None
        report_file = out / "report.json"
        if result.returncode != 0 or not report_file.is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise ToolError(f"Ace could not check the EPUB: {' '.join(detail) or 'no report'}", path=epub_path,
                            hint="run .tools/node_modules/.bin/ace-puppeteer --verbose on it to see why")
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return ace_findings(report)


def axe_findings(violations: list[dict], html_path: Path, view: str) -> list[dict]:
    findings = []
    for violation in violations:
        for node in violation.get("nodes", []):
            target = " ".join(str(t) for t in node.get("target", []))
            summary = " ".join((node.get("failureSummary") or "").split())
            findings.append({
                "code": f"axe/{violation.get('id')}",
                "severity": violation.get("impact") or node.get("impact") or "unknown",
                "message": f"{violation.get('help')} ({view}) at {target}: {summary}",
                "file": str(html_path),
                "line": None,
            })
    return findings


def run_axe(html_path: Path) -> list[dict]:
    from pubpipe.chromium import Browser

    html_path = Path(html_path).resolve()
    axe_source = tools.axe_script().read_text(encoding="utf-8")
    findings: list[dict] = []
    with Browser() as browser:
        for view, width, dark in VIEWS:
            browser.open(html_path, width=width, height=900, dark=dark)
            browser.evaluate(axe_source + "\n;true")
            violations = browser.evaluate(
                "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)"
            )
            if violations is None:
                raise ToolError("axe-core returned no result", path=html_path)
            findings += axe_findings(violations, html_path, view)
    return findings
