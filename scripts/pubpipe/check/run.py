"""`pubpipe check`: the order of work for one article.

1. Start EPUBCheck and the Nu checker (seconds of JVM each) in the background.
2. Resolve the canonical source (one pandoc run) and read the three editions as built.
3. Compare every edition with every other (X-00n), each with the source (F-002), and the source
   with the original as received (F-001); check the PDF's print-readiness.
4. Collect the validators, write build/<slug>/check.json and print the summary.
The editions are only read, never rebuilt: `make check` brings them up to date first.
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pubpipe.article import load_article
from pubpipe.check import validators
from pubpipe.check.compare import compare
from pubpipe.check.fidelity import check_original
from pubpipe.check.findings import CHECKS, Finding
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import read_pdf
from pubpipe.check.read_source import read_source
from pubpipe.check.report import print_summary, write_json
from pubpipe.editions import output_path
from pubpipe.errors import ToolError
from pubpipe.resolve import resolve

READERS = {"html": read_html, "epub": read_epub, "pdf": read_pdf}


def _accessibility_jobs(pool: ThreadPoolExecutor, paths: dict[str, Path]):
    """Ace and axe-core, when the accessibility module is installed with the package."""
    try:
        from pubpipe.check import accessibility
    except ImportError:
        return []
    return [
        ("V-ACE", pool.submit(accessibility.run_ace, paths["epub"])),
        ("V-AXE", pool.submit(accessibility.run_axe, paths["html"])),
    ]


def _as_findings(code: str, items: list[dict]) -> list[Finding]:
    edition = "epub" if code == "V-ACE" else "html"
    return [
        Finding(code, (edition,), f"{item.get('code', '')}: {item.get('message', '')}".strip(": "),
                where={edition: ":".join(str(item[k]) for k in ("file", "line") if item.get(k))})
        for item in items
    ]


def check_article(folder: Path, build_root: Path, options: dict) -> tuple[list[Finding], Path]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    article = load_article(folder)
    paths = {name: output_path(build_root, article.slug, name) for name in READERS}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise ToolError(f"editions not built yet: {', '.join(missing)}", hint="run `make check` (it builds them first) or `make`")

    run_validators = options.get("validators", True)
    running = [validators.start_epubcheck(paths["epub"]), validators.start_nu(paths["html"])] if run_validators else []
    with ThreadPoolExecutor(max_workers=3) as pool:
        accessibility_jobs = _accessibility_jobs(pool, paths) if run_validators else []
        document = resolve(article, options.get("style"))
        source = read_source(document)
        summaries = {name: READERS[name](paths[name]) for name in READERS}
        timings["read"] = time.perf_counter() - started

        findings: list[Finding] = []
        for a, b in itertools.combinations(["html", "epub", "pdf"], 2):
            findings += compare(summaries[a], summaries[b])
        for name in READERS:
            findings += compare(source, summaries[name])
        if article.metadata.original_file:
            findings += check_original(article.folder / article.metadata.original_file, source)
        paper = options.get("paper") or article.metadata.paper
        heading_count = len(source.headings) + 1 + (1 if document.original_entry_html else 0)
        findings += validators.check_pdf(paths["pdf"], paper, heading_count)
        timings["compare"] = time.perf_counter() - started

        for job in running:
            findings += validators.collect(job)
        for code, future in accessibility_jobs:
            findings += _as_findings(code, future.result())
    timings["total"] = time.perf_counter() - started

    checks_run = [code for code in CHECKS if code != "F-001" or article.metadata.original_file]
    if not run_validators:
        checks_run = [code for code in checks_run if code in ("V-PDF",) or not code.startswith("V-")]
    elif not accessibility_jobs:
        checks_run = [code for code in checks_run if code not in ("V-ACE", "V-AXE")]
    report = build_root / article.slug / "check.json"
    write_json(report, article.slug, findings, checks_run, timings)
    print_summary(article.slug, findings, checks_run)
    return findings, report
