"""Figures and short tables that do not fit at the foot of a page: the text goes on past them.

A figure is kept whole (break-inside: avoid), so one that does not fit moves to the next page,
and in CSS the text after it moves with it, leaving the foot of the page empty: a quarter of a
page in some articles. WeasyPrint 70 has no page floats (`float: top` of CSS GCPM), and its CSS
floats move the following text with them too. So the layout is done again: each such figure is
moved past the paragraph that follows it in the print HTML, that paragraph fills the gap and
runs on to the next page, and the figure comes after it there; a figure that still leaves a gap
moves again; past a heading only with the paragraph under it. The reading order of the print PDF is then the order in which
the page shows the text, as in a printed book.

Build side: `mark_floats` numbers the blocks that may move. Layout side (in the worker):
`gaps_before_floats` finds them in a laid-out document, `deferred` moves them in the markup.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

ATTRIBUTE = "data-float"
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
GAP = 0.08  # of the page's text area: a smaller gap is left as it is
MAX_MOVES = 8  # layouts added per document at most


# Empty elements whose ids become named destinations in the PDF: where a figure or table stands
# in the text, and where its own text begins and ends, wherever the layout put it. The checker
# (check/read_pdf.py) reads the block's text back in at the place it stands in the text.
ORIGIN, START, END = "float-at-{}", "float-{}", "float-end-{}"


def mark_floats(body: etree._Element) -> None:
    """Mark each figure and table block (pdf.py wraps every table in a div) with ORIGIN before it
    and START and END as its first and last children. Number each figure and short table that
    may move (ATTRIBUTE), but not one that calls a note: moving it would put its note out of order."""
    blocks = [element for element in body.iter("figure", "div")
              if element.tag == "figure" or {"short-table", "table-block"} & set((element.get("class") or "").split())]
    for index, element in enumerate(blocks, start=1):
        origin, start, end = (lxml.html.Element("div") for _ in range(3))
        for marker, name in ((origin, ORIGIN), (start, START), (end, END)):
            marker.set("id", name.format(index))
        start.tail, element.text = element.text, None
        element.insert(0, start)
        element.append(end)
        element.addprevious(origin)
        movable = "table-block" not in (element.get("class") or "").split()
        if movable and not any("footnote" in (inner.get("class") or "").split()
                               for inner in element.iter() if isinstance(inner.tag, str)):
            element.set(ATTRIBUTE, str(index))


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _flow_bottom(page_box) -> float | None:
    """The bottom of the last line or image of the page's text (not its notes or margins)."""
    bottoms = [
        box.position_y + box.margin_height()
        for child in page_box.children if type(child).__name__ not in ("FootnoteAreaBox", "MarginBox")
        for box in _descendants(child)
        if type(box).__name__ in ("LineBox", "BlockReplacedBox", "InlineReplacedBox", "TableRowBox")
    ]
    return max(bottoms) if bottoms else None


def _text_bottom(page_box) -> float:
    """Where the page's text may reach: the top of its footnote area, or its bottom margin."""
    notes = [child for child in page_box.children if type(child).__name__ == "FootnoteAreaBox" and child.children]
    if notes:
        return min(area.position_y for area in notes)
    return page_box.content_box_y() + page_box.height


def gaps_before_floats(document) -> list[str]:
    """The floats that open a page whose previous page ends short by more than GAP of its text area."""
    found = []
    pages = [page._page_box for page in document.pages]
    for previous, page in zip(pages, pages[1:]):
        opening = _first_float(page)
        bottom = _flow_bottom(previous)
        if opening is None or bottom is None:
            continue
        top, end = previous.content_box_y(), _text_bottom(previous)
        if end > top and (end - bottom) / (previous.height or 1) > GAP:
            found.append(opening)
    return found


def _first_float(page_box) -> str | None:
    """The float that is the first thing in the page's text, if one is."""
    for child in page_box.children:
        if type(child).__name__ in ("FootnoteAreaBox", "MarginBox"):
            continue
        for box in _descendants(child):
            element = getattr(box, "element", None)
            if element is not None and box.element_tag in ("figure", "div") and element.get(ATTRIBUTE):
                return element.get(ATTRIBUTE)
            if type(box).__name__ in ("LineBox", "BlockReplacedBox", "TableRowBox"):
                return None  # text (or another block) comes first
    return None


def deferred(markup: str, numbers: list[str]) -> str | None:
    """The markup with each numbered float moved past the block that follows it (a heading and
    the block under it); None when none can move."""
    root = lxml.html.document_fromstring(markup)
    moved = False
    for number in numbers:
        found = root.xpath(f"//*[@{ATTRIBUTE}=$number]", number=number)
        if not found:
            continue
        element = found[0]
        following = element.getnext()
        if following is not None and following.tag in HEADINGS:
            # Past a heading only together with the text under it, never between the two.
            following = following.getnext()
        if following is None or following.tag in HEADINGS or following.get(ATTRIBUTE) or (element.tail or "").strip():
            continue
        following.addnext(element)  # the float's tail (white space) stays where it was
        moved = True
    if not moved:
        return None
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode")
