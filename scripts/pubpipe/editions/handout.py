"""Classroom handouts: the article on A4 and on US Letter, and as a folded A5 booklet.

All three come from the same print layout as the PDF edition (`pdf.submit`), only the paper
changes; the booklet's A5 pages are then imposed by `impose.py`. The registry knows this edition
by its booklet file; the A4 and Letter files are written beside it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

from pubpipe import console
from pubpipe.editions import pdf
from pubpipe.editions.impose import impose_booklet
from pubpipe.resolve import ResolvedDocument
from pubpipe.runtime.output import atomic_path

SHEETS = ("a4", "letter")


def handout_paths(out_path: Path, slug: str) -> dict[str, Path]:
    return {paper: out_path.parent / f"{slug}-{paper}.pdf" for paper in SHEETS}


def begin(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Callable[[], Path]:
    """The three layouts go to the layout worker at once; the returned function writes the files."""
    flat = dict(options, bleed=None)
    sheets = {path: pdf.begin(doc, path, dict(flat, paper=paper)) for paper, path in handout_paths(out_path, doc.article.slug).items()}
    booklet = pdf.submit(doc, dict(flat, paper="a5"))

    def finish() -> Path:
        for path, finish_sheet in sheets.items():
            finish_sheet()
            console.detail(f"  {'':<5} {path}")
        with tempfile.TemporaryDirectory(prefix="pubpipe-booklet-") as scratch:
            pages = booklet(Path(scratch) / "a5.pdf")
            with atomic_path(out_path) as tmp:
                impose_booklet(pages, tmp)
        return out_path

    return finish


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return begin(doc, out_path, options)()
