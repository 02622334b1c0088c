"""The validators, folded into our report: EPUBCheck, the Nu HTML Checker and our PDF checks.

Each Java validator starts once for every file it is given (`pubpipe check` gives it the editions
of every article it checks), runs to the end in the caller's thread (check/run.py gives each
validator a thread of its own, beside the comparison), and its JSON becomes findings with file and
line, per file. Every warning counts: the editions must pass with zero errors and zero warnings.
A file a validator could not check at all gets a ToolError in place of its findings, never an
empty list.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from pubpipe.runtime import jvm_start, tools
from pubpipe.check.findings import Finding, verdict
from pubpipe.errors import ToolError

VALIDATOR_TIMEOUT = 300
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
PerFile = dict[Path, "list[Finding] | ToolError"]


def _run(name: str, command: list[str], files: list[Path], writable: list[Path] = ()) -> subprocess.CompletedProcess:
    # A batch of many files is given time in proportion.
    timeout = VALIDATOR_TIMEOUT + 30 * len(files)
    try:
        return subprocess.run(tools.sandboxed(command, files, writable), capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{name} did not finish within {timeout} s on {len(files)} file(s)", path=files[0]) from None


def epubcheck_fingerprint() -> list:
    """What EPUBCheck's verdict depends on besides the EPUB: the cache keys it (check/cache.py)."""
    inputs = jvm_start.inputs()
    return [inputs["java"], inputs["epubcheck"], inputs["launcher"], jvm_start.JVM_FLAGS, tools.digest(Path(__file__))]


def nu_fingerprint() -> list:
    inputs = jvm_start.inputs()
    return [inputs["java"], inputs["vnu"], jvm_start.NU_FLAGS, jvm_start.JVM_FLAGS, tools.digest(Path(__file__))]


def _epubcheck_findings(report: dict) -> list[Finding]:
    findings = []
    for message in report.get("messages", []):
        severity = message.get("severity", "").upper()
        if severity not in ("FATAL", "ERROR", "WARNING"):
            continue
        for location in message.get("locations") or [{}]:
            where = location.get("path", "")
            if location.get("line", -1) >= 0:
                where += f":{location['line']}"
            findings.append(Finding(
                code="V-EPUBCHECK",
                editions=("epub",),
                message=f"{message.get('ID')} ({severity.lower()}): {message.get('message')}",
                where={"epub": where},
                severity="error",
            ))
    return findings


def run_epubcheck_many(epubs: list[Path]) -> PerFile:
    """EPUBCheck on every EPUB, in one Java start (check/EpubcheckBatch.java)."""
    if not epubs:
        return {}
    with tempfile.TemporaryDirectory(prefix="pubpipe-epubcheck-") as work:
        report_file = Path(work) / "report.jsonl"
        command = [*jvm_start.epubcheck_batch_command(), str(report_file), *(str(epub) for epub in epubs)]
        result = _run("EPUBCheck", command, epubs, writable=[Path(work)])
        try:
            lines = report_file.read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
    reports = {Path(report["file"]): report for report in map(json.loads, lines)}
    results: PerFile = {}
    for epub in epubs:
        report = reports.get(epub)
        if report is None:
            results[epub] = ToolError(f"EPUBCheck gave no report for this file: {result.stderr.decode(errors='replace')[-500:]}", path=epub)
        elif "error" in report:
            results[epub] = ToolError(f"EPUBCheck could not check this file: {report['error']}", path=epub)
        else:
            results[epub] = _epubcheck_findings(report)
    return results


def run_epubcheck(epub: Path) -> list[Finding]:
    return verdict(run_epubcheck_many([epub])[epub])


def _nu_finding(message: dict, target: Path, edition: str) -> Finding | None:
    kind = message.get("type")
    if kind == "info" and message.get("subType") != "warning":
        return None
    label = "warning" if kind == "info" else kind
    return Finding(
        code="V-NU",
        editions=(edition,),
        message=f"{label}: {message.get('message')}",
        where={edition: f"{target.name}:{message.get('lastLine', message.get('firstLine', '?'))}"},
        found=(message.get("extract") or "").strip(),
    )


def _nu_report(targets: list[Path]) -> dict:
    """The Nu checker on files or folders, in one Java start; its JSON report is on stderr."""
    command = [*tools.yielding(), *jvm_start.nu_command(), "--format", "json", "--also-check-css", *(str(target) for target in targets)]
    result = _run("the Nu checker", command, targets)
    try:
        return json.loads(result.stderr)
    except json.JSONDecodeError:
        raise ToolError(f"the Nu checker gave no report: {result.stderr.decode(errors='replace')[-500:]}", path=targets[0]) from None


def run_nu_many(pages: list[Path], edition: str = "html") -> PerFile:
    """The Nu checker on every page, in one Java start; its messages sorted back to their pages."""
    if not pages:
        return {}
    by_path = {page.resolve(): page for page in pages}
    results: PerFile = {page: [] for page in pages}
    for message in _nu_report(pages).get("messages", []):
        page = by_path.get(Path(unquote(urlparse(message.get("url", "")).path)).resolve())
        if page is None:
            raise ToolError(f"the Nu checker reported on a file it was not given: {message.get('url')}", path=pages[0])
        if message.get("type") == "non-document-error":
            results[page] = ToolError(f"the Nu checker could not check this file: {message.get('message')}", path=page)
        elif isinstance(results[page], list) and (finding := _nu_finding(message, page, edition)):
            results[page].append(finding)
    return results


def run_nu(target: Path, edition: str = "html") -> list[Finding]:
    """The Nu checker on a file, or on every document in a folder."""
    if target.is_file():
        return verdict(run_nu_many([target], edition)[target])
    report = _nu_report([target])
    return [finding for message in report.get("messages", [])
            if (finding := _nu_finding(message, Path(unquote(urlparse(message.get("url", "")).path)), edition))]


def check_pdf(pdf: Path, paper: str, heading_count: int, has_authors: bool = True) -> list[Finding]:
    """Print-readiness: embedded fonts, page size, document metadata, tagging and bookmarks.
    An article that names no author cannot have an Author field, and is not faulted for it."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    findings = []

    def fail(message: str, where: str = "") -> None:
        findings.append(Finding("V-PDF", ("pdf",), message, where={"pdf": where} if where else {}))

    fonts = {}
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts.setdefault(str(font.get("/BaseFont")), (font, number))
    for name, (font, number) in sorted(fonts.items()):
        if font.get("/Subtype") == "/Type3":
            fail(f"font {name} is a Type 3 font (a fallback for missing glyphs)", f"page {number}")
            continue
        descendants = font.get("/DescendantFonts")
        descriptor_owner = descendants[0].get_object() if descendants else font
        descriptor = descriptor_owner.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            fail(f"font {name} is not embedded", f"page {number}")

    want_width, want_height = PAPER_POINTS[paper]
    for number, page in enumerate(reader.pages, start=1):
        box = page.trimbox if "/TrimBox" in page else page.mediabox
        width, height = float(box.width), float(box.height)
        if abs(width - want_width) > 1.5 or abs(height - want_height) > 1.5:
            fail(f"page size {width:.0f} x {height:.0f} pt is not {paper} ({want_width:.0f} x {want_height:.0f} pt)", f"page {number}")
            break

    info = reader.metadata or {}
    for key in ("/Title", "/Author") if has_authors else ("/Title",):
        if not info.get(key):
            fail(f"document metadata {key[1:]} is missing")
    root = reader.trailer["/Root"]
    if not root.get("/Lang"):
        fail("document language (/Lang) is missing")
    mark_info = root.get("/MarkInfo")
    if "/StructTreeRoot" not in root or not (mark_info and mark_info.get_object().get("/Marked")):
        fail("the PDF is not tagged (no structure tree or /MarkInfo /Marked)")

    def count(items) -> int:
        return sum(count(item) if isinstance(item, list) else 1 for item in items)

    bookmarks = count(reader.outline)
    if bookmarks != heading_count:
        fail(f"{bookmarks} bookmarks for {heading_count} headings: there must be one bookmark per heading")
    return findings
