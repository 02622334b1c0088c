"""Saddle-stitch imposition: A5 pages placed 2-up on landscape A4 sheets with pikepdf.

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
    """Write `target`, the booklet made of `source`'s pages; return the number of sheet sides.

    Each page is placed as a form XObject (qpdf copies it once, however many pages share its
    fonts: pypdf's page merging parsed every content stream and took seconds for a course pack).
    Resource names are the page numbers, so the same pages give the same bytes."""
    import pikepdf
    from pikepdf import Name, Operator

    with pikepdf.open(source) as pdf, pikepdf.new() as out:
        box = pdf.pages[0].mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        # Two A5 pages are 296 mm wide, an A4 sheet 297 mm: the pair is centred on the fold.
        sheet_width = max(A4_LONG_SIDE, 2 * width)
        fold = sheet_width / 2
        for left, right in saddle_stitch_order(len(pdf.pages)):
            sheet = out.add_blank_page(page_size=(sheet_width, height))
            drawing = []
            for number, offset in ((left, fold - width), (right, fold)):
                if number is None:
                    continue
                form = out.copy_foreign(pdf.pages[number - 1].as_form_xobject())
                name = sheet.add_resource(form, Name.XObject, Name(f"/Page{number}"))
                drawing += [([], Operator("q")), ([1, 0, 0, 1, offset, 0], Operator("cm")),
                            ([name], Operator("Do")), ([], Operator("Q"))]
            sheet.contents_add(pikepdf.Stream(out, pikepdf.unparse_content_stream(drawing)))
        for key, value in pdf.docinfo.items():
            if key != Name.Producer:
                out.docinfo[key] = value
        if "/Lang" in pdf.Root:
            out.Root.Lang = pdf.Root.Lang
        out.save(target, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return len(out.pages)
