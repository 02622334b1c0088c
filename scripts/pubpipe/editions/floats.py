"""Figures and short tables that do not fit at the foot of a page: the text goes on past them.

A figure is kept whole (break-inside: avoid), so one that does not fit moves to the next page,
and in CSS the text after it moves with it, leaving the foot of the page empty: a quarter of a
page in some articles. WeasyPrint 70 has no page floats (`float: top` of CSS GCPM), and its CSS
floats move the following text with them too. So the layout is done again, as a compositor
places floats: a float that opens a page after a gap is moved down the markup past as many of
the blocks that follow it as the gap can take, those blocks fill the gap and run on to the next
page, and the float comes after them there. Floats met on the way go along, in their order, so
figures and tables keep their numbering order; text never changes its order. A float passes a
heading only together with the block under it, and never passes the bibliography, a figure or
table that may not move (one that calls a note), or text that is not in a block. A float with
no text left to pass (at the article's end) is split if it is a short table, since WeasyPrint
breaks a table between rows and repeats its header, or drawn smaller if it is a figure, down to
MIN_SCALE. What is still left is measured again and moves on, up to MAX_MOVES layouts.

The tag tree follows the markup, so a screen reader meets a moved float where the page shows
it, as in a printed book. `pubpipe check` reads it back where the source has it: the empty
ORIGIN marker stays in the text and becomes a named destination (check/read_pdf.py).

Build side: `mark_floats` marks the blocks that may move. Layout side (in the worker): `place`
lays the markup out with its blocks `numbered`, moves on (`deferred`) the floats that
`gaps_before_floats` finds, and last puts back (`raised`) each float that went further than the
top of the page it lands on (`late_floats`), as long as that leaves no larger gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import lxml.html
from lxml import etree

ATTRIBUTE = "data-float"
BLOCK = "data-block"  # each block of the article's body, numbered: its boxes say which block they lay out
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BARRIERS = {"refs"}  # ids of blocks no float passes: the bibliography
GAP = 0.08  # of the page's height: a smaller gap is left as it is
SPLIT = "data-split"  # on a short table that may break between its rows after all
SHRUNK = "data-shrunk"  # on a figure whose image was made smaller to fit a gap
MIN_SCALE = 0.75  # a figure's image is drawn no smaller than this to fill a gap
FIT_SLACK = 2  # CSS pixels, for rounding
MAX_MOVES = 8  # layouts added per document at most


# Empty elements whose ids become named destinations in the PDF: where a figure or table stands
# in the text, and where its own text begins and ends, wherever the layout put it. The checker
# (check/read_pdf.py) reads the block's text back in at the place it stands in the text.
ORIGIN, START, END = "float-at-{}", "float-{}", "float-end-{}"


def _is_figure_or_table(element) -> bool:
    return element.tag == "figure" or bool({"short-table", "table-block"} & set((element.get("class") or "").split()))


def mark_floats(body: etree._Element) -> None:
    """Mark each figure and table block (pdf.py wraps every table in a div) with ORIGIN before it
    and START and END as its first and last children. Number each figure and short table that
    may move (ATTRIBUTE), but not one that calls a note: moving it would put its note out of order."""
    found = [element for element in body.iter("figure", "div") if _is_figure_or_table(element)]
    # A figure of figures (subfigures) moves as one: its parts are not floats of their own.
    inside = set(found)
    blocks = [element for element in found if not any(ancestor in inside for ancestor in element.iterancestors())]
    for index, element in enumerate(blocks, start=1):
        origin, start, end = (lxml.html.Element("div") for _ in range(3))
        for marker, name in ((origin, ORIGIN), (start, START), (end, END)):
            marker.set("id", name.format(index))
        start.tail, element.text = element.text, None
        element.insert(0, start)
        element.append(end)
        origin.set("class", "float-origin")
        element.addprevious(origin)
        movable = "table-block" not in (element.get("class") or "").split()
        if movable and not any("footnote" in (inner.get("class") or "").split()
                               for inner in element.iter() if isinstance(inner.tag, str)):
            element.set(ATTRIBUTE, str(index))


def _bodies(root):
    return root.find_class("article-body")


def numbered(markup: str) -> str:
    """The markup with each block of each article body numbered (BLOCK), so that a laid-out
    box can be traced back to the block of the markup it lays out."""
    root = lxml.html.document_fromstring(markup)
    count = 0
    for body in _bodies(root):
        for child in body:
            if isinstance(child.tag, str):
                count += 1
                child.set(BLOCK, str(count))
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode")


# --- reading the laid-out pages ---------------------------------------------------------------

def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _flow_boxes(page_box):
    """The boxes of the page's text: not its notes or margins."""
    for child in page_box.children:
        if type(child).__name__ not in ("FootnoteAreaBox", "MarginBox"):
            yield from _descendants(child)


def _flow_bottom(page_box) -> float | None:
    """The bottom of the last line or image of the page's text (not its notes or margins)."""
    bottoms = [box.position_y + box.margin_height() for box in _flow_boxes(page_box)
               if type(box).__name__ in ("LineBox", "BlockReplacedBox", "InlineReplacedBox", "TableRowBox")]
    return max(bottoms) if bottoms else None


def _text_bottom(page_box) -> float:
    """Where the page's text may reach: the top of its footnote area, or its bottom margin."""
    notes = [child for child in page_box.children if type(child).__name__ == "FootnoteAreaBox" and child.children]
    if notes:
        return min(area.position_y for area in notes)
    return page_box.content_box_y() + page_box.height


@dataclass(frozen=True)
class Placed:
    """A block of the body as one page shows it (a block that runs over pages is placed on each)."""

    number: str  # its BLOCK
    tag: str
    floating: bool  # it may move (ATTRIBUTE)
    height: float
    image: float = 0.0  # a figure's: the height of its tallest image


def _outermost_blocks(box):
    """The boxes of numbered blocks under `box`, not those inside them."""
    element = getattr(box, "element", None)
    if element is not None and element.get(BLOCK):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _outermost_blocks(child)


def blocks_on(page_box) -> list[Placed]:
    """The numbered blocks of a page's text, in their order (the boxes of one block added up)."""
    found: list[Placed] = []
    for child in page_box.children:
        if type(child).__name__ in ("FootnoteAreaBox", "MarginBox"):
            continue
        for box in _outermost_blocks(child):
            element = box.element
            if found and found[-1].number == element.get(BLOCK):
                last = found[-1]
                found[-1] = Placed(last.number, last.tag, last.floating, last.height + box.margin_height(), last.image)
            else:
                images = [inner.margin_height() for inner in _descendants(box)
                          if type(inner).__name__ in ("BlockReplacedBox", "InlineReplacedBox")]
                found.append(Placed(element.get(BLOCK), box.element_tag, bool(element.get(ATTRIBUTE)),
                                    box.margin_height(), max(images, default=0.0)))
    return found


@dataclass(frozen=True)
class Gap:
    """A page that ends short before a float that opens the next page."""

    float_block: str  # the BLOCK of the float that opens the next page
    height: float  # the empty space at the foot of the page, in CSS pixels
    # The float's height on the next page: WeasyPrint drops its top margin there, which at the
    # foot of a page it needs, but its bottom margin may run past the foot (print.css gives a
    # figure equal margins).
    float_height: float
    image: float  # the height of the float's tallest image, if it is a figure


def _empty_share(previous) -> float | None:
    """How much of a page's height its text leaves empty at its foot."""
    bottom = _flow_bottom(previous)
    return None if bottom is None else (_text_bottom(previous) - bottom) / (previous.height or 1)


def gaps_before_floats(document) -> tuple[list[Gap], dict[str, float]]:
    """Each page that ends short by more than GAP of its height, when the next page opens with a
    float (or with a heading over a float, which the heading's keep-with-next took along); and
    the height of every block as laid out, over all the pages it runs on."""
    pages = [page._page_box for page in document.pages]
    placed = [blocks_on(page) for page in pages]
    heights: dict[str, float] = {}
    for blocks in placed:
        for block in blocks:
            heights[block.number] = heights.get(block.number, 0.0) + block.height
    gaps = []
    for previous, blocks in zip(pages, placed[1:]):
        share = _empty_share(previous)
        if share is None or share <= GAP:
            continue
        visible = [block for block in blocks if block.height > 0]  # not the empty ORIGIN markers
        opening = next((block for block in visible if block.tag not in HEADINGS), None)
        if opening is not None and opening.floating:
            gaps.append(Gap(opening.number, share * previous.height, opening.height, opening.image))
    return gaps, heights


def worst_gap(document) -> float:
    """The largest empty share at the foot of a page, the last page aside."""
    shares = [_empty_share(page._page_box) for page in document.pages[:-1]]
    return max((share for share in shares if share is not None), default=0.0)


def late_floats(document) -> list[tuple[str, list[str]]]:
    """Floats that the moves took further than they had to: on a page that opens with blocks
    they were moved past, (the first of these blocks, the floats after it whose place in the
    text is before it). Put back before that block, they open the page."""
    found = []
    pages = [blocks_on(page._page_box) for page in document.pages]
    for before, blocks in zip([[]] + pages, pages):
        visible = [block for block in blocks if block.height > 0]
        if not visible or visible[0].floating or any(block.number == visible[0].number for block in before):
            continue  # the page opens with a float, or with the rest of a block from the page before
        floating = [block.number for block in visible[1:] if block.floating]
        if floating:
            found.append((visible[0].number, floating))
    return found


# --- moving floats in the markup --------------------------------------------------------------

def _is_marker(element) -> bool:
    """An ORIGIN marker: it stands for a float in the text and never moves."""
    return "float-origin" in (element.get("class") or "").split()


def _passage(first, needed: float, heights: dict[str, float]):
    """The floats to move (the first and those met on the way) and the block to put them after:
    the fewest blocks after `first` whose heights add up to `needed`, and never a heading
    without the block under it. None when no block can be passed."""
    group, after, height = [first], None, 0.0
    element = first.getnext()
    while element is not None:
        if (element.getprevious().tail or "").strip():
            break  # text outside any block: it keeps its place before the float
        if _is_marker(element):
            pass
        elif element.get(ATTRIBUTE):
            group.append(element)
        elif element.get("id") in BARRIERS or _is_figure_or_table(element):
            break  # the bibliography, or a float that may not move (floats keep their order)
        else:
            height += heights.get(element.get(BLOCK) or "", 0.0)
            if element.tag not in HEADINGS:
                after = element  # a heading is passed only with the block under it
                if height >= needed:
                    break
        element = element.getnext()
    if after is None:
        return None
    return [member for member in group if _before(member, after)], after


def _before(element, other) -> bool:
    sibling = element.getnext()
    while sibling is not None:
        if sibling is other:
            return True
        sibling = sibling.getnext()
    return False


def _split_or_shrink(element, gap: Gap) -> bool:
    """For a float with no text after it to fill its gap: let a short table break between its
    rows (WeasyPrint repeats its header row on the next page), or draw a figure's image smaller,
    down to MIN_SCALE, so that the figure fits in the gap. False when neither may be done."""
    if "short-table" in (element.get("class") or "").split():
        if element.get(SPLIT) is not None:
            return False
        element.set(SPLIT, "")
        return True
    if element.tag != "figure" or gap.image <= 0 or element.get(SHRUNK) is not None:
        return False
    image_height = gap.image - (gap.float_height - gap.height) - FIT_SLACK
    images = [image for image in element.iter("img")]
    if image_height < MIN_SCALE * gap.image or len(images) != 1:
        return False
    images[0].set("style", f"max-height: {image_height:.1f}px")
    element.set(SHRUNK, "")
    return True


def deferred(markup: str, gaps: list[Gap], heights: dict[str, float]) -> str | None:
    """The markup with each float that opens a page after a gap moved past the blocks that can
    fill the gap, with the floats met on the way; one with nothing to pass split or shrunk
    (`_split_or_shrink`). None when nothing changed."""
    root = lxml.html.document_fromstring(markup)
    moved = set()
    changed = False
    for gap in gaps:
        found = root.xpath(f"//*[@{BLOCK}=$number]", number=gap.float_block)
        if not found or found[0] in moved or (found[0].tail or "").strip():
            continue
        passage = _passage(found[0], gap.height, heights)
        if passage is None:
            changed = _split_or_shrink(found[0], gap) or changed
            continue
        group, after = passage
        for member in reversed(group):
            after.addnext(member)  # each float's tail (white space) goes with it
        moved.update(group)
    if not moved and not changed:
        return None
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode")


def _position(root) -> dict:
    return {element: index for index, element in enumerate(root.iter())}


def raised(markup: str, late: list[tuple[str, list[str]]]) -> str | None:
    """The markup with each late float put back before the block that opens its page, if its
    place in the text (its ORIGIN) is before that block; None when none is."""
    root = lxml.html.document_fromstring(markup)
    position = _position(root)
    moved = False
    for opening_number, numbers in late:
        opening = root.xpath(f"//*[@{BLOCK}=$number]", number=opening_number)
        for number in numbers:
            element = root.xpath(f"//*[@{BLOCK}=$number]", number=number)
            if not opening or not element:
                continue
            origin = root.get_element_by_id(ORIGIN.format(element[0].get(ATTRIBUTE)), None)
            if origin is None or position[origin] > position[opening[0]]:
                continue
            opening[0].addprevious(element[0])
            moved = True
    if not moved:
        return None
    return lxml.html.tostring(root, doctype="<!DOCTYPE html>", encoding="unicode")


def place(markup: str, render):
    """The laid-out document (`render` lays out markup) with its floats placed: moved on while
    they leave gaps, then put back to the top of the page they ended on."""
    markup = numbered(markup)
    document = render(markup)
    for _move in range(MAX_MOVES):
        moved = deferred(markup, *gaps_before_floats(document))
        if moved is None:
            break
        markup, document = moved, render(moved)
    pulled = raised(markup, late_floats(document))
    if pulled is not None:
        candidate = render(pulled)
        if worst_gap(candidate) <= worst_gap(document):
            return candidate
    return document
