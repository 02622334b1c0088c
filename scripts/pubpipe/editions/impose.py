"""Saddle-stitch imposition: A5 pages placed 2-up on landscape A4 sheets with pypdf.

Printed double-sided (flip on the short edge), folded once and stapled in the fold, the sheets
read in page order. The order is plain arithmetic, kept apart from the PDF work so that a test can
check it for any page count.
"""

from __future__ import annotations

from pathlib import Path

A4_LONG_SIDE = 297 / 25.4 * 72  # points
Side = tuple[int | None, int | None]  # (left page, right page), 1-based; None is a blank


def saddle_stitch_order(page_count: int) -> list[Side]:
    """The sides of the sheets, front then back of each sheet, outermost sheet first.

    The page count is padded with blanks to a multiple of four. On the outer sheet's front the
    last page sits left of the first; its back carries pages 2 and n-1; and so on inwards.
    """
    if page_count < 1:
        return []
    padded = -(-page_count // 4) * 4

    def page(number: int) -> int | None:
        return number if number <= page_count else None

    sides: list[Side] = []
    for sheet in range(padded // 4):
        sides.append((page(padded - 2 * sheet), page(1 + 2 * sheet)))
        sides.append((page(2 + 2 * sheet), page(padded - 1 - 2 * sheet)))
    return sides


def impose_booklet(source: Path, target: Path) -> int:
    """Write `target`, the booklet made of `source`'s pages; return the number of sheet sides."""
    from pypdf import PdfReader, PdfWriter, Transformation
    from pypdf.generic import NameObject

    reader = PdfReader(source)
    pages = reader.pages
    width = float(pages[0].mediabox.width)
    height = float(pages[0].mediabox.height)
    # Two A5 pages are 296 mm wide, an A4 sheet 297 mm: the pair is centred on the fold.
    sheet_width = max(A4_LONG_SIDE, 2 * width)
    fold = sheet_width / 2
    writer = PdfWriter()
    for left, right in saddle_stitch_order(len(pages)):
        sheet = writer.add_blank_page(width=sheet_width, height=height)
        for number, offset in ((left, fold - width), (right, fold)):
            if number is not None:
                sheet.merge_transformed_page(pages[number - 1], Transformation().translate(tx=offset))
    if reader.metadata:
        writer.add_metadata({key: value for key, value in reader.metadata.items() if key != "/Producer"})
    lang = reader.trailer["/Root"].get("/Lang")
    if lang is not None:
        writer._root_object[NameObject("/Lang")] = lang
    with target.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
