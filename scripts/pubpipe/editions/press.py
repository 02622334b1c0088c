"""The print-shop PDF: the article's own paper size with 3 mm bleed and crop marks.

A print shop trims the sheet at the crop marks; the bleed is the margin of error beyond them. The
layout is the PDF edition's (`pdf.begin`), so the press copy cannot differ from what was proofed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pubpipe.editions import pdf
from pubpipe.resolve import ResolvedDocument

BLEED = "3mm"


def begin(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Callable[[], Path]:
    return pdf.begin(doc, out_path, dict(options, bleed=options.get("bleed") or BLEED))


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return begin(doc, out_path, options)()
