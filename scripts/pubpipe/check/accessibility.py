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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pubpipe.check.findings import verdict
from pubpipe.runtime import tools
from pubpipe.errors import ToolError

ACE_TIMEOUT = float(os.environ.get("PUBPIPE_ACE_TIMEOUT", "300"))
RUNNER = Path(__file__).with_name("accessibility.js")


def fingerprint() -> list:
    """What Ace's and axe's verdicts depend on besides the file: the cache keys them (check/cache.py)."""
    browser, flags = tools.headless_chromium()
    versions = [json.loads((tools.TOOLS_DIR / package / "package.json").read_text(encoding="utf-8")).get("version")
                for package in ("@daisy/ace", "@daisy/ace-core", "axe-core", "puppeteer")]
    return [tools.stamp(Path(tools.node())), tools.stamp(Path(browser)), flags, versions, tools.digest(RUNNER, Path(__file__))]


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


# A browser of its own is worth its start (about a second of CPU) once it has this many files.
FILES_PER_BROWSER = 4


def run_accessibility_many(epubs: list[Path], htmls: list[Path]) -> tuple[dict, dict]:
    """Ace on every EPUB and axe on every web edition, in one Node process sharing one browser
    (accessibility.js says why), or in one per core when there are files enough: each spends its
    time in one browser thread, so a second one on a second core halves the wait. Returns
    ({epub: findings}, {html: findings}), where a file a checker could not read has a ToolError in
    place of its findings."""
    if not epubs and not htmls:
        return {}, {}
    tools.ace()  # installed, or a ToolError that says how to install it
    shards = max(1, min(os.cpu_count() or 1, (len(epubs) + len(htmls)) // FILES_PER_BROWSER))
    if shards == 1:
        return _run_browser(epubs, htmls)
    with ThreadPoolExecutor(max_workers=shards) as pool:
        results = list(pool.map(lambda index: _run_browser(epubs[index::shards], htmls[index::shards]), range(shards)))
    return ({path: found for ace, _axe in results for path, found in ace.items()},
            {path: found for _ace, axe in results for path, found in axe.items()})


def _run_browser(epubs: list[Path], htmls: list[Path]) -> tuple[dict, dict]:
    """One Node process and one browser for these files."""
    browser, flags = tools.headless_chromium()
    variables = {"PUPPETEER_EXECUTABLE_PATH": browser, "PUBPIPE_CHROMIUM_ARGS": " ".join(flags),
                 "PUPPETEER_SKIP_DOWNLOAD": "1", "ELECTRON_SKIP_BINARY_DOWNLOAD": "1"}
    files = [*epubs, *htmls]
    with tempfile.TemporaryDirectory(prefix="pubpipe-a11y-") as folder:
        job, report_file = Path(folder) / "job.json", Path(folder) / "report.json"
        job.write_text(json.dumps({"epubs": [str(Path(epub).resolve()) for epub in epubs],
                                   "htmls": [str(Path(html).resolve()) for html in htmls],
                                   "axe": str(tools.axe_script()), "tmpdir": str(Path(folder) / "tmp")}), encoding="utf-8")
        command = [*tools.yielding(), *tools.sandboxed([tools.node(), str(RUNNER), str(tools.TOOLS_DIR.parent), str(job), str(report_file)],
                                                        files, writable=[Path(folder)], env=variables)]
        timeout = ACE_TIMEOUT + 60 * len(files)  # a batch of many files is given time in proportion
        try:
            result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=timeout,
                                    env=dict(os.environ, **variables), check=False)
        except subprocess.TimeoutExpired:
            raise ToolError(f"Ace and axe took longer than {timeout:g} s on {len(files)} file(s)", path=files[0],
                            hint="raise PUBPIPE_ACE_TIMEOUT") from None
        if result.returncode != 0 or not report_file.is_file():
            lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
            raise ToolError(f"Ace and axe could not run: {lines[0] if lines else 'no report'}", path=files[0],
                            hint=f"run `node {RUNNER} .tools JOB.json REPORT.json` to see why")
        report = json.loads(report_file.read_text(encoding="utf-8"))
    ace_results = {epub: _per_file("Ace", epub, report["ace"].get(str(Path(epub).resolve())), ace_findings) for epub in epubs}
    axe_results = {html: _per_file("axe", html, report["axe"].get(str(Path(html).resolve())),
                                   lambda views, html=html: [finding for view in views
                                                             for finding in axe_findings(view["violations"], Path(html).resolve(), view["view"])])
                   for html in htmls}
    return ace_results, axe_results


def _per_file(checker: str, path: Path, result, findings):
    if result is None or (isinstance(result, dict) and "error" in result):
        cause = (result or {}).get("error") or "no report"
        return ToolError(f"{checker} could not check this file: {cause}", path=Path(path).resolve())
    return findings(result)


def run_accessibility(epub: Path | None = None, html: Path | None = None) -> dict[str, list[dict]]:
    """Ace on one EPUB and axe on one web edition, in one browser: {"ace": findings, "axe": findings}.
    A file a checker could not read raises its ToolError."""
    ace_results, axe_results = run_accessibility_many([epub] if epub else [], [html] if html else [])
    return {"ace": verdict(ace_results[epub]) if epub else [], "axe": verdict(axe_results[html]) if html else []}


def run_ace(epub_path: Path) -> list[dict]:
    return run_accessibility(epub=epub_path)["ace"]


def run_axe(html_path: Path) -> list[dict]:
    return run_accessibility(html=html_path)["axe"]
