"""The validators, folded into our report: EPUBCheck, the Nu HTML Checker and our PDF checks.

The two Java validators take seconds each, mostly JVM start-up, so `start_java_validators`
launches both at once and the caller does its own comparison while they run; `collect` then
turns their JSON into findings with file and line. Every warning counts: the editions must pass
with zero errors and zero warnings.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pubpipe import tools
from pubpipe.check.findings import Finding
from pubpipe.errors import ToolError

VALIDATOR_TIMEOUT = 300
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}


@dataclass
class Running:
    name: str
    edition: str
    process: subprocess.Popen
    target: Path


def start_epubcheck(epub: Path) -> Running:
    command = [tools.java(), *tools.JVM_FLAGS, "-jar", str(tools.epubcheck_jar()), str(epub), "--json", "-"]
    return Running("epubcheck", "epub", subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE), epub)


def start_nu(html: Path) -> Running:
    command = [tools.java(), "-Xss4m", *tools.JVM_FLAGS, "-jar", str(tools.vnu_jar()), "--format", "json", "--also-check-css", str(html)]
    return Running("nu", "html", subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE), html)


def collect(running: Running) -> list[Finding]:
    try:
        stdout, stderr = running.process.communicate(timeout=VALIDATOR_TIMEOUT)
    except subprocess.TimeoutExpired:
        running.process.kill()
        raise ToolError(f"{running.name} did not finish within {VALIDATOR_TIMEOUT} s on {running.target}") from None
    if running.name == "epubcheck":
        return _epubcheck_findings(stdout, stderr, running)
    return _nu_findings(stderr, running)


def _json_report(output: bytes, stderr: bytes, running: Running) -> dict:
    try:
        return json.loads(output)
    except json.JSONDecodeError:
        raise ToolError(f"{running.name} gave no report for {running.target}: {stderr.decode(errors='replace')[-500:]}") from None


def _epubcheck_findings(stdout: bytes, stderr: bytes, running: Running) -> list[Finding]:
    report = _json_report(stdout, stderr, running)
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


def _nu_findings(stderr: bytes, running: Running) -> list[Finding]:
    report = _json_report(stderr, stderr, running)  # the Nu checker writes its JSON to stderr
    findings = []
    for message in report.get("messages", []):
        kind = message.get("type")
        if kind == "info" and message.get("subType") != "warning":
            continue
        label = "warning" if kind == "info" else kind
        findings.append(Finding(
            code="V-NU",
            editions=(running.edition,),
            message=f"{label}: {message.get('message')}",
            where={running.edition: f"{running.target.name}:{message.get('lastLine', message.get('firstLine', '?'))}"},
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
