"""`pubpipe check`: the order of work for one article.

1. Start the validators (EPUBCheck; the Nu checker; Ace and axe in one browser) in the background:
   seconds of JVM and Chromium each. EPUBCheck is the longest; the others run at lower priority
   so that, on a machine with few cores, it is not the last to finish.
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
from typing import Any, Callable

from pubpipe.load.article import load_article
from pubpipe.check import validators
from pubpipe.check.findings import CHECKS, PRESS_CHECKS, Finding
from pubpipe.check.report import print_summary, write_json
from pubpipe.editions import output_path
from pubpipe.errors import ToolError

EDITIONS = ("html", "epub", "pdf")


def _validator_jobs(paths: dict[str, Path]) -> list[tuple[str, Callable[[], list[Finding]]]]:
    """Each validator as (name, job). Ace and axe-core share one browser, so they are one job."""
    from pubpipe.check import accessibility

    def accessibility_job() -> list[Finding]:
        found = accessibility.run_accessibility(epub=paths["epub"], html=paths["html"])
        return _as_findings("V-ACE", "epub", found["ace"]) + _as_findings("V-AXE", "html", found["axe"])

    return [
        ("V-EPUBCHECK", lambda: validators.run_epubcheck(paths["epub"])),
        ("V-NU", lambda: validators.run_nu(paths["html"])),
        ("V-ACE+V-AXE", accessibility_job),
    ]


def _as_findings(code: str, edition: str, items: list[dict]) -> list[Finding]:
    return [
        Finding(code, (edition,), f"{item.get('code', '')}: {item.get('message', '')}".strip(": "),
                where={edition: ":".join(str(item[k]) for k in ("file", "line") if item.get(k))})
        for item in items
    ]


def _read_edition(reader: Callable[[Path], Any], path: Path) -> Any:
    """An edition that is not a readable file of its kind (truncated, or replaced by hand) is a
    finding about that file, not an internal error."""
    import zipfile

    from pypdf.errors import PdfReadError

    try:
        return reader(path)
    except (zipfile.BadZipFile, PdfReadError, UnicodeDecodeError, ValueError, KeyError, OSError) as exc:
        raise ToolError(f"cannot read this edition ({type(exc).__name__}: {exc})", path=path,
                        hint="rebuild it: delete it and run `make check` again") from None


def collect(futures, timings: dict[str, float]) -> list[Finding]:
    """The validators' findings, in the order they were started; each one's time into `timings`."""
    findings = []
    for code, future in futures:
        validator_findings, seconds = future.result()
        findings += validator_findings
        timings[code] = seconds
    return findings


def _timed(job: Callable[[], list[Finding]]) -> tuple[list[Finding], float]:
    started = time.perf_counter()
    return job(), time.perf_counter() - started


def check_article(folder: Path, build_root: Path, options: dict) -> tuple[list[Finding], Path]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    article = load_article(folder)
    paths = {name: output_path(build_root, article.slug, name) for name in EDITIONS}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise ToolError(f"editions not built yet: {', '.join(missing)}", hint="run `make check` (it builds them first) or `make`")

    run_validators = options.get("validators", True)
    jobs = _validator_jobs(paths) if run_validators else []
    # The validators are slow (JVM and Chromium start-up) and independent: each runs in its own
    # thread, beside the comparison below, and reports its own wall time.
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [(code, pool.submit(_timed, job)) for code, job in jobs]
        # Imported only now, so that the validators start a fifth of a second sooner.
        from pubpipe.check.compare import compare, dangling_references
        from pubpipe.check.fidelity import check_original
        from pubpipe.check.read_epub import read_epub
        from pubpipe.check.read_html import read_html
        from pubpipe.check.read_pdf import read_pdf
        from pubpipe.check.read_source import read_source
        from pubpipe.resolve import resolve
        from pubpipe.resolve.styles import resolve_style

        readers = {"html": read_html, "epub": read_epub, "pdf": read_pdf}
        document = resolve(article, options.get("style"))
        source = read_source(document)
        summaries = {name: _read_edition(readers[name], paths[name]) for name in EDITIONS}
        timings["read"] = time.perf_counter() - started

        findings: list[Finding] = []
        for a, b in itertools.combinations(EDITIONS, 2):
            findings += compare(summaries[a], summaries[b])
        for name in EDITIONS:
            findings += compare(source, summaries[name])
            findings += dangling_references(summaries[name])
        if article.metadata.original_file:
            own_style = not options.get("style") or document.style == resolve_style(None, article.metadata.csl, article.folder, article.source)
            findings += check_original(article.folder / article.metadata.original_file, source, with_bibliography=own_style)
        paper = options.get("paper") or article.metadata.paper
        heading_count = len(source.headings) + 1 + (1 if document.cite_entry_html else 0)
        findings += validators.check_pdf(paths["pdf"], paper, heading_count, has_authors=bool(source.metadata["authors"]))
        press = output_path(build_root, article.slug, "press")
        if press.is_file():  # `make check` builds it; `pubpipe check` checks it when it is there
            from pubpipe.check.prepress import check_press

            findings += check_press(press, paper)
        timings["compare"] = time.perf_counter() - started

        findings += collect(futures, timings)
    timings["total"] = time.perf_counter() - started

    checks_run = [code for code in CHECKS if (code != "F-001" or article.metadata.original_file)
                  and (code not in PRESS_CHECKS or press.is_file())]
    if not run_validators:
        checks_run = [code for code in checks_run if code == "V-PDF" or code in PRESS_CHECKS or not code.startswith("V-")]
    report = build_root / article.slug / "check.json"
    write_json(report, article.slug, findings, checks_run, timings)
    print_summary(article.slug, findings, checks_run)
    return findings, report
