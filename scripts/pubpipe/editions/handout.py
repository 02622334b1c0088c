"""Classroom handouts: the article on A4 and on US Letter, and as a folded A5 booklet.

All three come from the same print layout as the PDF edition (`pdf.render`), only the paper
changes; the booklet's A5 pages are then imposed by `impose.py`. The registry knows this edition
by its booklet file; the A4 and Letter files are written beside it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.editions import pdf
from pubpipe.editions.impose import impose_booklet
from pubpipe.runtime.output import atomic_path
from pubpipe.resolve import ResolvedDocument

SHEETS = ("a4", "letter")


def handout_paths(out_path: Path, slug: str) -> dict[str, Path]:
    return {paper: out_path.parent / f"{slug}-{paper}.pdf" for paper in SHEETS}


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    flat = dict(options, bleed=None)
    for paper, path in handout_paths(out_path, doc.article.slug).items():
        pdf.render(doc, path, dict(flat, paper=paper))
        console.detail(f"  {'':<5} {path}")
    with tempfile.TemporaryDirectory(prefix="pubpipe-booklet-") as scratch:
        pages = pdf.write_pdf(doc, Path(scratch) / "a5.pdf", dict(flat, paper="a5"))
        with atomic_path(out_path) as tmp:
            impose_booklet(pages, tmp)
    return out_path
