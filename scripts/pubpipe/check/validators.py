"""The validators, folded into our report: EPUBCheck, the Nu HTML Checker and our PDF checks.

Each Java validator runs to the end in the caller's thread (check/run.py gives every validator a
thread of its own, beside the comparison) and its JSON becomes findings with file and line. Every
warning counts: the editions must pass with zero errors and zero warnings.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from pubpipe.runtime import jvm_start, tools
from pubpipe.check.findings import Finding
from pubpipe.errors import ToolError

VALIDATOR_TIMEOUT = 300
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}


def _run_for_json(name: str, command: list[str], target: Path, report_on_stderr: bool = False) -> dict:
    """Run a validator and parse the JSON report it prints (the Nu checker prints it on stderr)."""
    try:
        result = subprocess.run(command, capture_output=True, timeout=VALIDATOR_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{name} did not finish within {VALIDATOR_TIMEOUT} s on {target}") from None
    try:
        return json.loads(result.stderr if report_on_stderr else result.stdout)
    except json.JSONDecodeError:
        raise ToolError(f"{name} gave no report for {target}: {result.stderr.decode(errors='replace')[-500:]}") from None


def run_epubcheck(epub: Path) -> list[Finding]:
    command = [*jvm_start.epubcheck_command(), str(epub), "--json", "-"]
    report = _run_for_json("epubcheck", command, epub)
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


def run_nu(target: Path, edition: str = "html") -> list[Finding]:
    """The Nu checker on a file, or on every document in a folder."""
    command = [*tools.yielding(), *jvm_start.nu_command(), "--format", "json", "--also-check-css", str(target)]
    report = _run_for_json("nu", command, target, report_on_stderr=True)
    findings = []
    for message in report.get("messages", []):
        kind = message.get("type")
        if kind == "info" and message.get("subType") != "warning":
            continue
        label = "warning" if kind == "info" else kind
        findings.append(Finding(
            code="V-NU",
            editions=(edition,),
            message=f"{label}: {message.get('message')}",
            where={edition: f"{target.name}:{message.get('lastLine', message.get('firstLine', '?'))}"},
            found=(message.get("extract") or "").strip(),
        ))
    return findings


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
