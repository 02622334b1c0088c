"""Reads the print edition, as built, into a Summary.

Text comes from pypdfium2, run by run with its font (so italics are known) and its box on the page;
pdfplumber gives the same at about sixty times the cost. The PDF has no markup, so its parts are
found through what WeasyPrint does write into it:
- named destinations: WeasyPrint makes one for every element id, so the ids that the editions put
  on the title block, the body, the bibliography entries, the notes, the "Cite this article" box
  and the rights line tell where each part begins on which page;
- the outline (bookmarks) for the headings;
- the document information dictionary and the catalog's /Lang for the metadata.
What the medium adds is removed here and nowhere else: running heads (a copy of the title or the
authors at the top of a page), page numbers, note calls, list numbers and line-end hyphenation.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader

from pubpipe.check.summary import SOFT_HYPHEN, Entry, Heading, Located, Summary, normalise_text, words
from pubpipe.labels import for_language

FOLIO = re.compile(r"^\s*(page\s+)?\d+(\s*(of|/)\s*\d+)?\s*$", re.IGNORECASE)
LIST_MARKER = re.compile(r"^\s*(\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]\s*$|^\s*[•◦▪‣⁃–]\s*$")
NOTE_CALL = re.compile(r"^[\d\s,–-]+$")
NOTE_MARKER = re.compile(r"^\s*\d+[.)]?\s*")
NOTE_DEST = re.compile(r"^fn\d+$")
# Structural destinations, in the order the parts follow each other.
# A figure or table (editions/floats.py): where it stands in the text (float-at-N), and where its
# own text begins and ends on the page (float-N, float-end-N). The print edition may have moved
# it past the text that follows it; its text is read back in where it stands in the text.
FLOAT_DEST = re.compile(r"^float-(at-|end-)?(\d+)$")
REGION_OF_DEST = {"title-block": "title", "article-abstract": "abstract", "article-body": "body", "refs": "bibliography", "refs-end": "body", "cite-this": "cite", "rights": "rights"}
TOLERANCE = 1.5  # points: a run whose top is this close to a destination belongs after it


@dataclass
class Run:
    page: int
    text: str
    left: float
    bottom: float
    right: float
    top: float
    size: float
    italic: bool

    @property
    def key(self) -> tuple[int, float]:
        return (self.page, -self.top)


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
            font_name = name.value.decode("latin-1")
            italic = "italic" in font_name.lower() or "oblique" in font_name.lower()
            runs.append(Run(page_index, text, left, bottom, right, top, size.value, italic))
    return runs


def _destinations(reader: PdfReader) -> dict[str, tuple[int, float]]:
    found = {}
    for name, destination in reader.named_destinations.items():
        try:
            page = reader.get_destination_page_number(destination)
        except Exception:  # a destination to nowhere is the PDF's problem, not a reason to stop
            continue
        top = destination.get("/Top")
        found[str(name)] = (page, float(top) if top is not None else 1e9)
    return found


def _join_lines(runs: list[Run]) -> str:
    """Join runs into text: a new line where the baseline drops, and a line-end hyphen joined."""
    text = ""
    previous = None
    for run in runs:
        if previous is not None:
            if run.page != previous.page or run.top <= previous.bottom + 1:
                text += "\n"
            elif run.left - previous.right > 0.2 * max(run.size, previous.size, 1):
                text += " "  # a gap on the line (the next table cell) separates words
        text += run.text
        previous = run
    # A break after a hyphen: the word is joined, with a soft hyphen where it was broken, since a
    # PDF cannot say whether the hyphen was the author's ("pro-U.S.") or the layout's ("fol-lowing").
    # pdfium gives some line-end hyphens as the control character U+0002 rather than as a hyphen.
    text = re.sub(r"[-\u2010\u00ad\x02]\s*\n\s*(?=\w)", SOFT_HYPHEN, text).replace("\x02", SOFT_HYPHEN)
    return normalise_text(text.replace("\n", " "))


def _running_words(reader: PdfReader) -> set[str]:
    """The words a running head may be made of: the title's, the authors' and "et al."."""
    info = reader.metadata or {}
    return {"et", "al"} | {word for key in ("/Title", "/Author") if info.get(key) for word in words(str(info[key]))}


def _drop_page_furniture(runs: list[Run], running_words: set[str], body_size: float) -> list[Run]:
    """Remove running heads, page numbers, note calls and list numbers."""
    kept = []
    by_page: dict[int, list[Run]] = {}
    for run in runs:
        by_page.setdefault(run.page, []).append(run)
    for page, page_runs in by_page.items():
        top = max(run.top for run in page_runs)
        bottom = min(run.bottom for run in page_runs)
        top_line = [run for run in page_runs if run.top >= top - 2]
        bottom_line = [run for run in page_runs if run.bottom <= bottom + 2]
        furniture = set()
        if page > 0 and all(set(words(run.text)) <= running_words for run in top_line):
            furniture.update(map(id, top_line))
        if FOLIO.match(" ".join(run.text for run in sorted(bottom_line, key=lambda r: r.left))):
            furniture.update(map(id, bottom_line))
        for run in page_runs:
            if id(run) in furniture:
                continue
            if NOTE_CALL.match(run.text) and run.size < 0.8 * body_size:
                continue  # a note call, or several ("3,4")
            if LIST_MARKER.match(run.text) and _starts_a_line(run, page_runs):
                continue  # a list item's number or bullet, drawn beside the item's first line
            kept.append(run)
    return kept


def _starts_a_line(run: Run, page_runs: list[Run]) -> bool:
    """True when other text stands to the right of `run` on its line, as beside a list marker."""
    def overlap(other: Run) -> float:
        return min(run.top, other.top) - max(run.bottom, other.bottom)

    return any(
        other is not run and other.left >= run.right - 1 and overlap(other) > 0.5 * (run.top - run.bottom)
        for other in page_runs
    )


def _split_notes(runs: list[Run], destinations: dict[str, tuple[int, float]]) -> tuple[list[Run], dict[str, list[Run]]]:
    """Separate the runs in each page's footnote area, found from the notes' destinations."""
    notes_by_page: dict[int, list[tuple[float, str]]] = {}
    for name, (page, top) in destinations.items():
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


def _outline(items, level: int, reader: PdfReader):
    for item in items:
        if isinstance(item, list):
            yield from _outline(item, level + 1, reader)
        else:
            page = reader.get_destination_page_number(item) + 1
            yield Heading(level, normalise_text(str(item.title)), f"page {page}")


def _headings(reader: PdfReader, title: str | None, cite_this: str) -> list[Heading]:
    """Headings from the bookmarks, without the "Cite this article" box; when the article's title
    is the root bookmark, the headings below it count from level 1 as in the other editions."""
    headings = [h for h in _outline(reader.outline, 1, reader) if h.text.casefold() != cite_this.casefold()]
    if headings and title and headings[0].level == 1 and headings[0].text == title:
        headings = [Heading(h.level - 1, h.text, h.where) for h in headings[1:]]
    return headings


def read_pdf(path: Path) -> Summary:
    reader = PdfReader(path)
    pdf = pdfium.PdfDocument(path)
    try:
        runs = _runs(pdf)
    finally:
        pdf.close()
    info = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    # The labels the PDF builder used, for the language the PDF declares (pubpipe.labels).
    labels = for_language(str(lang) if lang else None)
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
    if not runs:
        return summary
    body_size = statistics.median(run.size for run in runs for _ in range(len(run.text)))
    destinations = _destinations(reader)
    runs = _drop_page_furniture(runs, _running_words(reader), body_size)
    runs, notes = _split_notes(runs, destinations)
    for name in sorted(notes, key=lambda n: int(n[2:])):
        text = NOTE_MARKER.sub("", _join_lines(notes[name]), count=1)
        page = notes[name][0].page + 1
        summary.notes.append(Located(text, f"page {page}: note {name}"))

    # Where two destinations share a position (the bibliography and its first entry), the entry,
    # being the more specific, must come last so that it owns the runs below it.
    marks = sorted(
        ((page, -top), name.startswith("ref-"), name) for name, (page, top) in destinations.items()
        if name in REGION_OF_DEST or name.startswith("ref-") or FLOAT_DEST.match(name)
    )
    regions: dict[str, list[Run]] = {"title-block": [], **{name: [] for _key, _specific, name in marks}}
    for run in runs:
        owner = None
        for key, _specific, name in marks:
            if key <= (run.page, -run.top - TOLERANCE):
                owner = name
        regions[owner or "title-block"].append(run)

    floats = {}  # figure or table number -> its text, wherever the page shows it
    for name, region_runs in regions.items():
        if (match := FLOAT_DEST.match(name)) and match.group(1) is None and region_runs:
            floats[int(match.group(2))] = Located(_join_lines(region_runs), f"page {region_runs[0].page + 1}")
    for name, region_runs in regions.items():  # in the order of the page
        match = FLOAT_DEST.match(name)
        if match and match.group(1) == "at-" and int(match.group(2)) in floats:
            summary.body.append(floats.pop(int(match.group(2))))  # read in where it stands in the text
        if not region_runs or (match and match.group(1) is None):
            continue
        region = "entry" if name.startswith("ref-") else REGION_OF_DEST.get(name, "body")
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
    summary.headings = _headings(reader, summary.metadata.get("title"), cite_this)
    summary.citations_marked = False
    return summary
