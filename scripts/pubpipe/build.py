"""Building the editions of one article: load, resolve once, render each requested edition.

When the PDF is wanted and a second core is ours (pubpipe.runtime.job_slots), WeasyPrint is imported in
a thread while pandoc runs: the import costs about 0.3 s of Python (see pubpipe.runtime.warm) and pandoc
runs in its own process, so the two overlap on separate cores. For the same reason the HTML and
EPUB render while WeasyPrint lays out the PDF (pubpipe.runtime.beside).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.runtime import job_slots
from pubpipe.load.article import load_article
from pubpipe.runtime.beside import Beside
from pubpipe.editions import EDITIONS, builder, output_path
from pubpipe.runtime.output import edition_set, source_date_epoch
from pubpipe.resolve import ResolvedDocument, resolve
from pubpipe.runtime.warm import import_weasyprint, prewarm_weasyprint

# The editions that WeasyPrint lays out (each in a forked child); the others render beside them.
PRINTED = ("pdf", "handout", "press")


def prepare(folder: Path, options: dict[str, Any]) -> tuple[ResolvedDocument, dict[str, Any]]:
    """Load and resolve once; return the document and the options with the article's date stamp.

    Separate from build_article so that `pubpipe watch` can put the HTML in place before it
    renders the slower editions from the same resolved document.
    """
    started = time.perf_counter()
    article = load_article(folder)
    document = resolve(article, options.get("style"))
    for message in document.warnings:
        console.warning(f"{article.source}: pandoc: {message}")
    console.detail(f"{article.slug}: resolved with {document.style_name} in {time.perf_counter() - started:.2f} s")
    options = dict(options)
    options["source_date_epoch"] = source_date_epoch(article.date_epoch)
    return document, options


def build_article(
    folder: Path,
    formats: list[str],
    build_root: Path,
    options: dict[str, Any],
    prepared: tuple[ResolvedDocument, dict[str, Any]] | None = None,
) -> list[Path]:
    with job_slots.second_core() as two_cores:
        return _build(folder, formats, build_root, options, prepared, two_cores)


def _build(
    folder: Path,
    formats: list[str],
    build_root: Path,
    options: dict[str, Any],
    prepared: tuple[ResolvedDocument, dict[str, Any]] | None,
    two_cores: bool,
) -> list[Path]:
    formats = [name for name in formats if name in EDITIONS]
    printed = [name for name in formats if name in PRINTED]
    others = [name for name in formats if name not in PRINTED]
    warm = prewarm_weasyprint() if printed and two_cores else None
    document, options = prepared or prepare(folder, options)
    article = document.article
    written: dict[str, tuple[Path, float]] = {}

    def render(names: list[str]) -> None:
        for name in names:
            if name in PRINTED:
                # Imported in this process, before WeasyPrint's child is forked for the layout.
                if warm is not None:
                    warm.join()
                else:
                    import_weasyprint()
            step = time.perf_counter()
            path = builder(name)(document, output_path(build_root, article.slug, name), options)
            written[name] = (path, time.perf_counter() - step)

    # All editions are put in place together once every one is done (see output.edition_set).
    with edition_set(build_root / article.slug):
        if printed and others and two_cores:
            # The quick editions render while WeasyPrint's forked child lays out (pubpipe.runtime.beside);
            # the printed ones stay in this thread, where Ctrl-C arrives and stops that child.
            with Beside(lambda: render(others), name="render-" + "-".join(others)) as side:
                render(printed)
            side.raise_failure()
        else:
            render(formats)
    for name in formats:
        path, seconds = written[name]
        console.info(f"  {name:<5} {path}  {console.human_size(path.stat().st_size)}  {seconds:.2f} s")
    return [written[name][0] for name in formats]
