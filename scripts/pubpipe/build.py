"""Building the editions of one article: load, resolve once, render each requested edition.

When the PDF is wanted, WeasyPrint is imported in a thread while pandoc runs: the import costs
about 0.3 s of Python (see pubpipe.warm) and pandoc runs in its own process, so the two overlap
on separate cores.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.article import load_article
from pubpipe.editions import EDITIONS, builder, output_path
from pubpipe.output import source_date_epoch
from pubpipe.resolve import resolve
from pubpipe.warm import prewarm_weasyprint


def build_article(folder: Path, formats: list[str], build_root: Path, options: dict[str, Any]) -> list[Path]:
    started = time.perf_counter()
    warm = prewarm_weasyprint() if "pdf" in formats else None
    article = load_article(folder)
    document = resolve(article, options.get("style"))
    for message in document.warnings:
        console.warning(f"{article.source}: pandoc: {message}")
    console.detail(f"{article.slug}: resolved with {document.style_name} in {time.perf_counter() - started:.2f} s")
    options = dict(options)
    options["source_date_epoch"] = source_date_epoch(article.date_epoch)
    written = []
    for name in formats:
        if name not in EDITIONS:
            continue
        if name == "pdf" and warm is not None:
            warm.join()
        step = time.perf_counter()
        path = builder(name)(document, output_path(build_root, article.slug, name), options)
        console.info(
            f"  {name:<5} {path}  {console.human_size(path.stat().st_size)}  {time.perf_counter() - step:.2f} s"
        )
        written.append(path)
    return written
