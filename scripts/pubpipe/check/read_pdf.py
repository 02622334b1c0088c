"""Reads the print edition, as built, into a Summary.

Text comes from pypdfium2, run by run with its font (so italics are known), its baseline and size,
and the marked-content id that ties it to the PDF's structure tree; pdfplumber gives the same at
about sixty times the cost. Every edition is tagged (PDF/UA-1 by default, and WeasyPrint tags the
other variants too), so what a run *is* comes from the PDF's own tags, not from guesses about a
number at the start of a line:
- the structure tree: text that no structure element reaches (the page margin boxes: running
  heads, page numbers) is page furniture, and a list item's label (`Lbl`) is a list number;
- named destinations: WeasyPrint makes one for every element id, so the ids that the editions put
  on the title block, the body, the bibliography entries, the notes, the "Cite this article" box
  and the rights line tell where each part begins on which page; the print edition leaves an empty
  `fnrefN` element where note N is called, so the call is the small number at that spot;
- the outline (bookmarks) for the headings;
- the document information dictionary and the catalog's /Lang for the metadata;
- the tagged structure for the images and formulas: each is a Figure with its /Alt, a
  formula's being its TeX, and its box;
- the link annotations for the cross-references: each leads to a named destination, and its
  words are the text inside its rectangle.
What the medium adds is removed here and nowhere else: running heads, page numbers, note calls,
list numbers and line-end hyphenation.
"""

from __future__ import annotations

import ctypes
import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from pubpipe.check.summary import SOFT_HYPHEN, Entry, Heading, Located, Reference, Summary, normalise_text
from pubpipe.labels import Labels, for_language

NOTE_CALL = re.compile(r"^,?\s*\d+$")
NOTE_DEST = re.compile(r"^fn(\d+)$")
CALL_DEST = re.compile(r"^fnref(\d+)$")
# Structural destinations, in the order the parts follow each other.
# A figure or table (editions/floats.py): where it stands in the text (float-at-N), and where its
# own text begins and ends on the page (float-N, float-end-N). The print edition may have moved
# it past the text that follows it; its text is read back in where it stands in the text.
FLOAT_DEST = re.compile(r"^float-(at-|end-)?(\d+)$")
REGION_OF_DEST = {"title-block": "title", "article-abstract": "abstract", "article-body": "body", "refs": "bibliography", "refs-end": "body", "cite-this": "cite", "rights": "rights"}
TOLERANCE = 1.5  # points: the play allowed between a destination and the top of a run or of its line
CALL_LINE_GAP = 12  # points: at most this far above a note call's number is the top of its line
# Scripts written without spaces between words (Han, kana, CJK punctuation and full-width forms;
# not Hangul, since Korean spaces its words), where a line break is no space.
CLOSE_SET = re.compile(r"[\u2E80-\u2FFF\u3000-\u303F\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF00-\uFF60\U00020000-\U0003FFFF]")
# Structure types that hold lines of their own: a line that ends in one and starts in another is
# a new block, where even Chinese and Japanese have a break between words.
BLOCKS = frozenset("/P /H1 /H2 /H3 /H4 /H5 /H6 /LI /LBody /TD /TH /Caption /BlockQuote /Div /Figure".split())
# A run's line box, from its baseline, in units of its size: tight enough that two lines set
# solid do not overlap, loose enough that a sub- or superscript overlaps the line it sits on.
BELOW_BASELINE, ABOVE_BASELINE = 0.2, 0.7


@dataclass
class Run:
    page: int
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float  # points
    italic: bool
    baseline: float = 0.0
    mcid: int = -1  # marked-content id, -1 when the run is not tagged
    address: str | None = None  # the URI of its link, when that link shows its own URL
    block: int | None = None  # the structure element of its paragraph, heading or cell
    code: bool = False  # set in the code font (print.css: code, pre)
    column_right: float | None = None  # code: the right edge of its page's text, where a long line wraps

    @property
    def key(self) -> tuple[int, float]:
        return (self.page, -self.top)

    @property
    def line_box(self) -> tuple[float, float]:
        return self.baseline - BELOW_BASELINE * self.size, self.baseline + ABOVE_BASELINE * self.size


def _utf16(buffer, length: int) -> str:
    """pdfium reports the length in bytes, trailing NUL included."""
    return bytes(buffer)[: max(0, length - 2)].decode("utf-16-le", "replace")


def _runs(pdf: pdfium.PdfDocument) -> list[Run]:
    runs = []
    for page_index in range(len(pdf)):
        page = pdf[page_index]
        textpage = page.get_textpage()
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
            length = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * max(length // 2, 1))()
            pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, length)
            text = _utf16(buffer, length)
            if not text.strip():
                continue
            size = ctypes.c_float()
            pdfium_c.FPDFTextObj_GetFontSize(obj.raw, ctypes.byref(size))
            font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
            name = ctypes.create_string_buffer(256)
            pdfium_c.FPDFFont_GetBaseFontName(font, name, 256)
            left, bottom, right, top = obj.get_bounds()
            matrix = obj.get_matrix()
            font_name = name.value.decode("latin-1")
            italic = "italic" in font_name.lower() or "oblique" in font_name.lower()
            runs.append(Run(
                page_index, text, left, bottom, right, top, size.value * abs(matrix.d or 1), italic,
                baseline=matrix.f, mcid=pdfium_c.FPDFPageObj_GetMarkedContentID(obj.raw),
                code=CODE_FONT in font_name,
            ))
    return runs


CSS_PX = 0.75  # points per CSS pixel: WeasyPrint gives a Figure's /BBox in CSS pixels from the page's top


def _struct_children(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    kids = kids if isinstance(kids, list) else [kids]
    found = []
    for kid in kids:
        kid = kid.get_object() if hasattr(kid, "get_object") else kid
        if isinstance(kid, dict) and kid.get("/Type", "/StructElem") == "/StructElem" and "/S" in kid:
            found.append(kid)
    return found


def _figures(reader: PdfReader) -> list[Run]:
    """Every Figure of the tagged structure, in its order, as a run: its /Alt as the text and its
    box in PDF points (so that the notes' figures can be told from the body's)."""
    root = reader.trailer["/Root"].get("/StructTreeRoot")
    if root is None:
        return []
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    found: list[Run] = []
    stack = list(reversed(_struct_children(root.get_object())))
    while stack:
        element = stack.pop()
        if element.get("/S") == "/Figure":
            page_ref = element.raw_get("/Pg") if "/Pg" in element else None
            page = pages.get(getattr(page_ref, "idnum", None), 0)
            height = float(reader.pages[page].mediabox.top)
            box = (element.get("/A") or {}).get("/BBox") or [0, 0, 0, 0]
            x1, y1, x2, y2 = (float(value) for value in box)
            found.append(Run(page, normalise_text(str(element.get("/Alt") or "")), x1 * CSS_PX, height - y2 * CSS_PX,
                             x2 * CSS_PX, height - y1 * CSS_PX, 0.0, False))
        stack.extend(reversed(_struct_children(element)))
    return found


def _links(reader: PdfReader, pdf: pdfium.PdfDocument) -> list[tuple[Run, str]]:
    """Each internal link annotation, in page order, as (a run of the words in its rectangle,
    the named destination it leads to)."""
    found = []
    for index, page in enumerate(reader.pages):
        annotations = [a.get_object() for a in page.get("/Annots") or []]
        links = [a for a in annotations if a.get("/Subtype") == "/Link" and ("/Dest" in a or "/D" in (a.get("/A") or {}))]
        if not links:
            continue
        textpage = pdf[index].get_textpage()
        for link in links:
            target = link.get("/Dest") if "/Dest" in link else link["/A"]["/D"]
            if not isinstance(target, str):
                continue  # an explicit destination (a page and a position) is no cross-reference
            x1, y1, x2, y2 = (float(value) for value in link["/Rect"])
            left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
            text = normalise_text(textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top))
            found.append((Run(index, text, left, bottom, right, top, 0.0, False), str(target)))
    return found


def _outside_figures(runs: list[Run], figures: list[Run]) -> list[Run]:
    """The runs that are not drawn inside an image or a formula: text in a picture (an SVG's
    labels, a formula's character in no math font) is part of the picture, which the other
    editions show as an image too."""
    boxes: dict[int, list[Run]] = {}
    for figure in figures:
        boxes.setdefault(figure.page, []).append(figure)

    def inside(run: Run) -> bool:
        x, y = (run.left + run.right) / 2, (run.top + run.bottom) / 2
        return any(f.left <= x <= f.right and f.bottom <= y <= f.top for f in boxes.get(run.page, ()))

    return [run for run in runs if not inside(run)]


def _where_floats_stand(figures: list[Run], destinations: dict[str, tuple[int, float, float]]) -> list[Run]:
    """The figures and formulas, or the links (in the page's order), with those inside a figure
    or table that the print edition moved put back where it stands in the text (float-at-N), as
    `read_pdf` reads the body's text."""
    floats = {}  # N -> (where its own text begins, where it ends, where it stands in the text)
    for name, (page, top, _left) in destinations.items():
        match = FLOAT_DEST.match(name)
        if match and match.group(1) is None:
            number = match.group(2)
            end, origin = destinations.get(f"float-end-{number}"), destinations.get(f"float-at-{number}")
            if end is not None and origin is not None:
                floats[number] = ((page, -top - TOLERANCE), (end[0], -end[1] + TOLERANCE), (origin[0], -origin[1]))
    moved: dict[str, list[Run]] = {}
    staying: list[Run] = []
    for run in figures:
        where = (run.page, -run.top)
        number = next((n for n, (start, end, _origin) in floats.items() if start <= where <= end), None)
        (moved.setdefault(number, []) if number is not None else staying).append(run)
    waiting = sorted(moved, key=lambda n: floats[n][2])
    ordered: list[Run] = []
    for run in staying:
        while waiting and floats[waiting[0]][2] <= (run.page, -run.top):
            ordered.extend(moved[waiting.pop(0)])
        ordered.append(run)
    for number in waiting:
        ordered.extend(moved[number])
    return ordered


def _in_reading_order(runs: list[Run], destinations: dict[str, tuple[int, float, float]]) -> list[Run]:
    """The body's runs in their order, then each note's, in note order (as the other editions
    keep notes at the end)."""
    body, notes = _split_notes(runs, destinations)
    return body + [run for name in sorted(notes, key=lambda n: int(n[2:])) for run in notes[name]]


def _destinations(reader: PdfReader) -> dict[str, tuple[int, float, float]]:
    """name -> (page, top, left) of every named destination."""
    found = {}
    for name, destination in reader.named_destinations.items():
        try:
            page = reader.get_destination_page_number(destination)
        except Exception:  # a destination to nowhere is the PDF's problem, not a reason to stop
            continue
        top, left = destination.get("/Top"), destination.get("/Left")
        found[str(name)] = (page, float(top) if top is not None else 1e9, float(left) if left is not None else 0.0)
    return found


@dataclass(frozen=True)
class Tag:
    """What the structure tree says about one piece of marked content."""

    label: bool  # a list item's label (its number or bullet)
    link: str | None  # the URI of the link it is in
    block: int | None = None  # the paragraph, heading, cell... it is in (its object number)
    in_list: int | None = None  # the list (L) it is in (its object number)
    head: int | None = None  # the table header (THead) it is in (its object number)
    paragraph: bool = False  # in a paragraph (P) of prose, which runs the text's full width


def _uri_of(link: DictionaryObject) -> str:
    """The URI of a Link structure element's annotation (WeasyPrint refers to it by an OBJR)."""
    kids = link.get("/K")
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object() if kid is not None else None
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/OBJR":
            action = kid["/Obj"].get_object().get("/A")
            if action is not None and action.get_object().get("/URI"):
                return str(action.get_object()["/URI"])
    return ""


def _tagged_content(reader: PdfReader) -> dict[tuple[int, int], Tag] | None:
    """(page, marked-content id) -> Tag, for all content the structure tree reaches from its
    root; None for an untagged PDF.

    WeasyPrint marks the text of the page margin boxes too, but links it to no element under the
    root, since PDF 1.7 has no structure type for page furniture: such text is absent here.
    """
    root = reader.trailer["/Root"].get("/StructTreeRoot")
    if root is None:
        return None
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages) if page.indirect_reference}
    found: dict[tuple[int, int], Tag] = {}
    # (node, page of the nearest element with /Pg, Tag so far); iterative, as trees run deep.
    stack: list = [(root.get_object().raw_get("/K"), None, Tag(False, None))]
    seen: set[int] = set()
    while stack:
        node, page, tag = stack.pop()
        if node is None:
            continue
        reference = getattr(node, "idnum", None)
        if reference is not None:
            if reference in seen:
                continue  # a malformed tree that loops must not hang the check
            seen.add(reference)
        node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend((kid, page, tag) for kid in node)
        elif isinstance(node, int):
            if page is not None:
                found[(page, int(node))] = tag
        elif isinstance(node, DictionaryObject):
            if "/Pg" in node:
                page = pages.get(getattr(node.raw_get("/Pg"), "idnum", None), page)
            if node.get("/Type") == "/MCR":
                if page is not None and "/MCID" in node:
                    found[(page, int(node["/MCID"]))] = tag
            elif node.get("/Type") != "/OBJR":
                kind = node.get("/S")
                if kind == "/Lbl":
                    tag = replace(tag, label=True)
                elif kind == "/Link":
                    tag = replace(tag, link=_uri_of(node))
                elif kind in BLOCKS:
                    tag = replace(tag, block=reference or id(node), paragraph=kind == "/P")
                elif kind == "/L":
                    tag = replace(tag, in_list=reference or id(node))
                elif kind == "/THead":
                    tag = replace(tag, head=reference or id(node))
                stack.append((node.raw_get("/K") if "/K" in node else None, page, tag))
    return found


def _addresses(runs: list[Run], tags: dict[tuple[int, int], Tag]) -> None:
    """Mark the runs of each link that shows its own address (a URL set as text): where such a
    link breaks across lines, the break is inside the address, not a space between words.
    (WeasyPrint makes one Link element per line of a link, so the runs are grouped by URI.)"""
    by_link: dict[str, list[Run]] = {}
    for run in runs:
        tag = tags.get((run.page, run.mcid))
        if tag is not None and tag.link:
            by_link.setdefault(tag.link, []).append(run)
    for uri, link_runs in by_link.items():
        shown = re.sub(r"\s+", "", "".join(run.text for run in link_runs))
        if len(link_runs) > 1 and len(shown) >= 8 and shown in unquote(uri):
            for run in link_runs:
                run.address = uri


def _code_wraps_at(runs: list[Run], tags: dict[tuple[int, int], Tag]) -> None:
    """Give each run of code the right edge of the text on pages like its own (left or right
    pages may differ): where justified prose ends its full lines, on two lines at least (a table
    may reach farther, beyond the margin; a page of short lines tells nothing)."""
    prose: dict[int, list[Run]] = {}
    for run in runs:
        if not run.code and tags[(run.page, run.mcid)].paragraph:
            prose.setdefault(run.page % 2, []).append(run)
    edges: dict[int, float] = {}
    for side, side_runs in prose.items():
        edge = max(run.right for run in side_runs)
        if len({(run.page, round(run.baseline)) for run in side_runs if run.right >= edge - 1}) >= 2:
            edges[side] = edge
    for run in runs:
        if run.code:
            run.column_right = edges.get(run.page % 2)


def _note_calls(runs: list[Run], destinations: dict[str, tuple[int, float, float]]) -> set[int]:
    """The runs that are note calls: the number that stands where a `fnrefN` destination is."""
    calls = set()
    for name, (page, top, left) in destinations.items():
        if not CALL_DEST.match(name):
            continue
        near = [
            run for run in runs
            if run.page == page and NOTE_CALL.match(run.text.strip()) and -TOLERANCE <= run.left - left <= 3 * TOLERANCE
            # the destination is the top of the call's line box, some points above the number
            and run.bottom - TOLERANCE <= top <= run.top + CALL_LINE_GAP
        ]
        if near:
            calls.add(id(min(near, key=lambda run: abs(run.left - left))))
    return calls


def _content(runs: list[Run], tags: dict[tuple[int, int], Tag] | None,
             destinations: dict[str, tuple[int, float, float]]) -> list[Run]:
    """The runs of the article: without page furniture, list numbers and note calls."""
    if tags is not None:
        runs = [run for run in runs if (run.page, run.mcid) in tags and not tags[(run.page, run.mcid)].label]
        for run in runs:
            run.block = tags[(run.page, run.mcid)].block
        _code_wraps_at(runs, tags)
        _addresses(runs, tags)
    calls = _note_calls(runs, destinations)
    return [run for run in runs if id(run) not in calls]


def _list_labels(runs: list[Run], tags: dict[tuple[int, int], Tag] | None) -> list[Run]:
    """The runs of the list items' labels, in the order of the page."""
    labels = [run for run in runs if tags is not None and (tag := tags.get((run.page, run.mcid))) and tag.label]
    return sorted(labels, key=lambda run: (run.page, -run.top, run.left))


def _list_numbers(labels: list[Run], tags: dict[tuple[int, int], Tag]) -> list[Located]:
    """Each numbered list's item numbers, in the order of its first label, without the
    punctuation around them ("iii.", "(3)", "a)"). A list of bullets has none."""
    lists: dict[int | None, list[Run]] = {}
    for run in labels:
        lists.setdefault(tags[(run.page, run.mcid)].in_list, []).append(run)
    found = []
    for runs in lists.values():
        numbers: dict[tuple[int, int], str] = {}  # each item's label, which may be drawn in several runs
        for run in runs:
            numbers[(run.page, run.mcid)] = numbers.get((run.page, run.mcid), "") + "".join(c for c in run.text if c.isalnum())
        if any(numbers.values()):
            found.append(Located(" ".join(numbers.values()), f"page {runs[0].page + 1}"))
    return found


def _without_repeated_header(runs: list[Run], tags: dict[tuple[int, int], Tag] | None) -> list[Run]:
    """A table's runs without the header that the PDF repeats on each page the table runs onto.
    WeasyPrint tags each page's part of a table as a table of its own, with its own THead: a
    later header with the first one's text is the medium's, not the author's."""
    heads: dict[int, list[Run]] = {}
    for run in runs:
        tag = (tags or {}).get((run.page, run.mcid))
        if tag is not None and tag.head is not None:
            heads.setdefault(tag.head, []).append(run)
    if len(heads) < 2:
        return runs
    first, *later = (_join_lines(head_runs) for head_runs in heads.values())
    repeated = {id(run) for text, head_runs in zip(later, list(heads.values())[1:]) if text == first for run in head_runs}
    return [run for run in runs if id(run) not in repeated]


# The code font's name as the PDF gives it (print.css: code, kbd, samp, pre).
CODE_FONT = "Source-Code-Pro"
CODE_WRAP_MARGIN = 0.7  # of the font size: about one character of the code font


def _same_line(previous: Run, run: Run) -> bool:
    """`run` continues the line of `previous`: further right, and their line boxes overlap (which
    a sub- or superscript's does, unlike the next line's)."""
    if run.page != previous.page or run.left < previous.right - 1:
        return False
    low, high = run.line_box
    previous_low, previous_high = previous.line_box
    return min(high, previous_high) - max(low, previous_low) > 0


def _word_gap(previous: Run, before: str, run: Run) -> float:
    """How wide a gap between two runs on a line must be to separate words. A full-width character
    next to a Latin one (年 beside 2015) stands apart by its own side bearing, not by a space."""
    close_set = CLOSE_SET.match(before) or CLOSE_SET.match(run.text[:1])
    return (0.5 if close_set else 0.2) * max(run.size, previous.size, 1)


def _wrapped_code(previous: Run, run: Run) -> bool:
    """A line of code too long for the page wraps anywhere (print.css: pre), inside a word too:
    such a line runs to the right edge of the page's text, where a line of its own ends short of
    it (the page's longest line of prose gives the edge)."""
    return (previous.code and run.code and previous.block is not None and run.block == previous.block
            and previous.column_right is not None and not _same_line(previous, run)
            and previous.right >= previous.column_right - CODE_WRAP_MARGIN * previous.size)


def _join_lines(runs: list[Run]) -> str:
    """Join runs into text: a new line where the line changes, and a line-end hyphen joined."""
    text = ""
    previous = None
    code_line = True  # the line so far is all code (a code block's, not code within prose)
    for run in runs:
        if previous is not None:
            if run.address is not None and run.address == previous.address:
                pass  # an address broken across lines is one word
            elif code_line and _wrapped_code(previous, run) and not text[-1:].isspace():
                pass  # a line of code wrapped at the text's edge: the word goes on
            elif not _same_line(previous, run):
                # Chinese and Japanese put no space between words, so a line may end anywhere
                # inside a paragraph.
                close_set = CLOSE_SET.match(text[-1:]) and CLOSE_SET.match(run.text[:1]) and run.block == previous.block
                text += "" if close_set else "\n"
            elif run.left - previous.right > _word_gap(previous, text[-1:], run):
                text += " "  # a gap on the line (the next table cell) separates words
        if previous is None or not _same_line(previous, run):
            code_line = run.code
        else:
            code_line = code_line and run.code
        text += run.text
        previous = run
    # A break after a hyphen: the word is joined, with a soft hyphen where it was broken, since a
    # PDF cannot say whether the hyphen was the author's ("pro-U.S.") or the layout's ("fol-lowing").
    # pdfium gives some line-end hyphens as the control character U+0002 rather than as a hyphen.
    text = re.sub(r"[-\u2010\u00ad\x02]\s*\n\s*(?=\w)", SOFT_HYPHEN, text).replace("\x02", SOFT_HYPHEN)
    return normalise_text(text.replace("\n", " "))


def _split_notes(runs: list[Run], destinations: dict[str, tuple[int, float, float]]) -> tuple[list[Run], dict[str, list[Run]]]:
    """Separate the runs in each page's footnote area, found from the notes' destinations."""
    notes_by_page: dict[int, list[tuple[float, str]]] = {}
    for name, (page, top, _left) in destinations.items():
        if NOTE_DEST.match(name):
            notes_by_page.setdefault(page, []).append((top, name))
    body, notes = [], {}
    for run in runs:
        anchors = notes_by_page.get(run.page)
        area_top = max(top for top, _ in anchors) if anchors else None
        if area_top is None or run.top > area_top + TOLERANCE:
            body.append(run)
            continue
        owner = min((top, name) for top, name in anchors if top >= run.top - TOLERANCE)[1]
        notes.setdefault(owner, []).append(run)
    return body, notes


def _page_blocks(runs: list[Run]) -> list[Located]:
    """The text of `runs` as one block per page; a word hyphenated across a page break is joined
    and kept on the page where it starts."""
    blocks: list[Located] = []
    for page in sorted({run.page for run in runs}):
        text = _join_lines([run for run in runs if run.page == page])
        if blocks and re.search(r"\w[-\u2010\u00ad\x02]$", blocks[-1].text) and re.match(r"\w", text):
            first, _, text = text.partition(" ")
            blocks[-1] = Located(blocks[-1].text[:-1] + SOFT_HYPHEN + first, blocks[-1].where)
        if text:
            blocks.append(Located(text, f"page {page + 1}"))
    return blocks


def _italic_parts(runs: list[Run]) -> tuple[str, ...]:
    parts, current = [], []
    for run in runs:
        if run.italic:
            current.append(run)
        elif current:
            parts.append(_join_lines(current))
            current = []
    if current:
        parts.append(_join_lines(current))
    return tuple(part for part in parts if part)


def _outline(items, level: int, reader: PdfReader, first_page: int = 0):
    for item in items:
        if isinstance(item, list):
            yield from _outline(item, level + 1, reader, first_page)
        else:
            page = reader.get_destination_page_number(item) + 1 - first_page
            yield Heading(level, normalise_text(str(item.title)), f"page {page}")


def _part_outline(reader: PdfReader, part: Part) -> list:
    """The bookmark on the part's first page, with the bookmarks below it."""
    items = reader.outline
    for index, item in enumerate(items):
        if not isinstance(item, list) and reader.get_destination_page_number(item) == part.pages.start:
            children = items[index + 1] if index + 1 < len(items) and isinstance(items[index + 1], list) else []
            return [item, children]
    return []


def _headings(reader: PdfReader, title: str | None, cite_this: str, part: Part | None = None) -> list[Heading]:
    """Headings from the bookmarks, without the "Cite this article" box; when the article's title
    is the root bookmark, the headings below it count from level 1 as in the other editions."""
    outline = _part_outline(reader, part) if part is not None else reader.outline
    headings = [h for h in _outline(outline, 1, reader, part.pages.start if part else 0)
                if h.text.casefold() != cite_this.casefold()]
    if headings and title and headings[0].level == 1 and headings[0].text == title:
        headings = [Heading(h.level - 1, h.text, h.where) for h in headings[1:]]
    return headings


@dataclass(frozen=True)
class Part:
    """Pages of a volume read as a PDF of their own: a course pack's article (check/read_pack.py).
    The volume names its destinations and links `prefix` + the article's own name, and has the
    article's title as the bookmark on its first page."""

    pages: range
    prefix: str
    title: str
    lang: str


def _within(part: Part, runs: list[Run]) -> list[Run]:
    """The part's runs, their pages counted from its first."""
    return [replace(run, page=run.page - part.pages.start) for run in runs if run.page in part.pages]


def _part_view(part: Part, runs, links, destinations, tags, figures):
    """What the reader found in the whole volume, narrowed to the part, as if it were the PDF."""
    start, prefix = part.pages.start, part.prefix
    links = [(replace(run, page=run.page - start), target[len(prefix):]) for run, target in links
             if run.page in part.pages and target.startswith(prefix)]
    destinations = {name[len(prefix):]: (page - start, top, left) for name, (page, top, left) in destinations.items()
                    if name.startswith(prefix) and page in part.pages}
    if tags is not None:
        tags = {(page - start, mcid): tag for (page, mcid), tag in tags.items() if page in part.pages}
    return _within(part, runs), links, destinations, tags, _within(part, figures)


def read_pdf(path: Path, part: Part | None = None, labels: Labels | None = None) -> Summary:
    """The PDF's Summary; with `part`, that of some of its pages (an article of a course pack)."""
    reader = PdfReader(path)
    pdf = pdfium.PdfDocument(path)
    try:
        runs = _runs(pdf)
        links = _links(reader, pdf)
    finally:
        pdf.close()
    destinations, tags, figures = _destinations(reader), _tagged_content(reader), _figures(reader)
    if part is not None:
        runs, links, destinations, tags, figures = _part_view(part, runs, links, destinations, tags, figures)
    info = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    if part is not None:  # the volume's metadata is compared as the pack's own (check/pack.py)
        info, lang = {"/Title": part.title}, part.lang
    # The labels the PDF builder used: the article's (pubpipe.labels.article_labels), else those of
    # the language the PDF declares.
    labels = labels or for_language(str(lang) if lang else None)
    originally_published, cite_this = normalise_text(labels.originally_published), normalise_text(labels.cite_this)
    summary = Summary(
        edition="pdf",
        metadata={
            "title": normalise_text(str(info["/Title"])) if info.get("/Title") else None,
            "authors": [normalise_text(str(info["/Author"]))] if info.get("/Author") else [],
            "language": str(lang) if lang else None,
            "description": normalise_text(str(info["/Subject"])) if info.get("/Subject") else None,
            "keywords": [normalise_text(k) for k in str(info.get("/Keywords") or "").split(",") if k.strip()],
            "abstract": None,
        },
    )
    summary.anchors = sorted(destinations)
    summary.formulas_marked = False
    summary.figure_alts = [Located(run.text, f"page {run.page + 1}")
                           for run in _in_reading_order(_where_floats_stand(figures, destinations), destinations)]
    runs = _outside_figures(runs, figures)
    # A link broken over two lines is two annotations to one destination (compare joins them).
    target_of = {id(run): target for run, target in links}
    summary.references = [Reference(run.text, target_of[id(run)], f"page {run.page + 1}")
                          for run in _in_reading_order(_where_floats_stand([run for run, _ in links], destinations), destinations)]
    if not runs:
        return summary
    item_labels = _split_notes(_list_labels(runs, tags), destinations)[0]  # the main text's; _content drops them
    runs = _content(runs, tags, destinations)
    runs, notes = _split_notes(runs, destinations)
    for name in sorted(notes, key=lambda n: int(NOTE_DEST.match(n).group(1))):
        # The note's own marker ("3. ") comes first; only that number is taken off, so a note that
        # is itself a number ("30.") keeps it.
        number = NOTE_DEST.match(name).group(1)
        text = re.sub(rf"^\s*{number}[.)]?\s*", "", _join_lines(notes[name]), count=1)
        page = notes[name][0].page + 1
        summary.notes.append(Located(text, f"page {page}: note {name}"))

    # Where two destinations share a position (the bibliography and its first entry), the entry,
    # being the more specific, must come last so that it owns the runs below it. An entry is a
    # `ref-KEY` between the bibliography's start and end (an author's heading "Ref Smith" is not).
    def position(name: str) -> tuple[int, float] | None:
        return (destinations[name][0], -destinations[name][1]) if name in destinations else None

    start, end = position("refs"), position("refs-end")

    def is_entry(name: str) -> bool:
        return name.startswith("ref-") and start is not None and start <= position(name) <= (end or (1e9, 0))

    def specificity(name: str) -> int:
        """Among marks at one place, the one that comes last owns the runs below it: a float's
        end first, since the next float may begin right there (floats moved together), then
        where a float stands in the text, then the rest, and a bibliography entry last."""
        match = FLOAT_DEST.match(name)
        return {"end-": 0, "at-": 1}.get(match.group(1), 2) if match else 3 if is_entry(name) else 2

    marks = sorted(
        ((page, -top), specificity(name), name) for name, (page, top, _left) in destinations.items()
        if name in REGION_OF_DEST or is_entry(name) or FLOAT_DEST.match(name)
    )

    def owner(run: Run) -> str:
        """The part a run is in: the last mark above it. A line's top as its baseline tells it,
        not the top of its glyphs: a tall letter on the first line of a bibliography entry (the
        ring of "Åström") reaches up to the entry's destination, and that line was read as the
        end of the entry before."""
        found, top = "title-block", run.line_box[1]
        for key, _specific, name in marks:
            if key <= (run.page, -top - TOLERANCE):
                found = name
        return found

    regions: dict[str, list[Run]] = {"title-block": [], **{name: [] for _key, _specific, name in marks}}
    for run in runs:
        regions[owner(run)].append(run)
    in_text = [run for run in item_labels if REGION_OF_DEST.get(owner(run), "body") == "body" and not is_entry(owner(run))]
    summary.list_numbers = _list_numbers(_where_floats_stand(in_text, destinations), tags)

    floats = {}  # figure or table number -> its text, wherever the page shows it
    for name, region_runs in regions.items():
        if (match := FLOAT_DEST.match(name)) and match.group(1) is None and region_runs:
            region_runs = _without_repeated_header(region_runs, tags)
            floats[int(match.group(2))] = Located(_join_lines(region_runs), f"page {region_runs[0].page + 1}")
    for name, region_runs in regions.items():  # in the order of the page
        match = FLOAT_DEST.match(name)
        if match and match.group(1) == "at-" and int(match.group(2)) in floats:
            summary.body.append(floats.pop(int(match.group(2))))  # read in where it stands in the text
        if not region_runs or (match and match.group(1) is None):
            continue
        region = "entry" if is_entry(name) else REGION_OF_DEST.get(name, "body")
        where = f"page {region_runs[0].page + 1}"
        if region == "body":
            summary.body.extend(_page_blocks(region_runs))
        elif region == "entry":
            summary.bibliography.append(Entry(_join_lines(region_runs), _italic_parts(region_runs), where))
        elif region == "title":
            text = _join_lines(region_runs)
            if originally_published in text:
                summary.self_citations.append(Located(text.split(originally_published, 1)[1].strip(), where))
        elif region == "abstract":
            text = _join_lines(region_runs)
            label = normalise_text(labels.abstract)
            summary.metadata["abstract"] = text[len(label):].strip() if text.startswith(label) else text
        elif region == "cite":
            text = _join_lines(region_runs)
            if text.casefold().startswith(cite_this.casefold()):
                text = text[len(cite_this):].strip()
            summary.self_citations.append(Located(text, where))
    summary.body.extend(floats[number] for number in sorted(floats))  # a float whose place has no destination
    summary.headings = _headings(reader, summary.metadata.get("title"), cite_this, part)
    summary.citations_marked = False
    return summary
