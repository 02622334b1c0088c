"""The accessibility checkers: Ace by DAISY on the EPUB, axe-core on the web edition.

Both run in one headless Chromium (Debian's, never one downloaded by puppeteer), driven by
accessibility.js. Their reports are turned into the findings every checker returns: {"code",
"severity", "message", "file", "line"}, with codes `ace/<rule>` and `axe/<rule>` so that a finding names the rule to look up. A checker
that cannot run raises ToolError; it never returns an empty list in place of a verdict.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from pubpipe.runtime import tools
from pubpipe.errors import ToolError

ACE_TIMEOUT = float(os.environ.get("PUBPIPE_ACE_TIMEOUT", "300"))
RUNNER = Path(__file__).with_name("accessibility.js")


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


def run_accessibility(epub: Path | None = None, html: Path | None = None) -> dict[str, list[dict]]:
    """Ace on the EPUB and axe on the web edition, in one Node process sharing one browser
    (accessibility.js says why). Returns {"ace": findings, "axe": findings}."""
    if epub is None and html is None:
        return {"ace": [], "axe": []}
    browser, flags = tools.headless_chromium()
    environment = dict(os.environ, PUPPETEER_EXECUTABLE_PATH=browser, PUBPIPE_CHROMIUM_ARGS=" ".join(flags),
                       PUPPETEER_SKIP_DOWNLOAD="1", ELECTRON_SKIP_BINARY_DOWNLOAD="1")
    subject = Path(epub or html).resolve()
    with tempfile.TemporaryDirectory(prefix="pubpipe-a11y-") as folder:
        report_file = Path(folder) / "report.json"
        command = [*tools.yielding(), tools.node(), str(RUNNER), str(tools.TOOLS_DIR.parent), str(report_file), "--tmpdir", str(Path(folder) / "tmp")]
        if epub is not None:
            command += ["--epub", str(Path(epub).resolve())]
        if html is not None:
            command += ["--html", str(Path(html).resolve()), "--axe", str(tools.axe_script())]
        tools.ace()  # installed, or a ToolError that says how to install it
        try:
            result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                    timeout=ACE_TIMEOUT, env=environment, check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"Ace and axe took longer than {ACE_TIMEOUT:g} s", path=subject,
                            hint="raise PUBPIPE_ACE_TIMEOUT") from None
        if result.returncode != 0 or not report_file.is_file():
            checker, failed_on, message = _failure(result.stderr, subject)
            raise ToolError(f"{checker} could not check this file: {message}", path=failed_on,
                            hint=f"run `node {RUNNER} .tools /tmp/report.json --epub <file>` to see why")
        report = json.loads(report_file.read_text(encoding="utf-8"))
    html_path = Path(html).resolve() if html is not None else None
    return {
        "ace": ace_findings(report["ace"]) if report.get("ace") else [],
        "axe": [finding for view in report.get("axe", []) for finding in axe_findings(view["violations"], html_path, view["view"])],
    }


def _failure(stderr: str, subject: Path) -> tuple[str, Path, str]:
    """(checker, file, one-line cause) from accessibility.js's first error line, else its stderr."""
    for line in stderr.splitlines():
        if line.startswith("pubpipe-a11y\t"):
            _, checker, file, message = (line.split("\t", 3) + ["", "", "", ""])[:4]
            return checker, Path(file) if file else subject, message or "no message"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return "Ace or axe", subject, lines[0] if lines else "no report"


def run_ace(epub_path: Path) -> list[dict]:
    return run_accessibility(epub=epub_path)["ace"]


def run_axe(html_path: Path) -> list[dict]:
    return run_accessibility(html=html_path)["axe"]
