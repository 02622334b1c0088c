"""Typographic measures of a built PDF, read back with pypdfium2 as a reader's eye would take them.

A page is read as lines of characters (grouped by position, since pdfium cuts a line at every
superscript) with their font sizes, and as the boxes of everything it paints. From these:

- `measure`: characters per full line of body text (the median), the line length that decides
  how easily the eye finds the next line (60-75 is the book typographer's aim);
- `empty_share`: the tallest empty band of a page's text area, as a share of the area's height
  (a figure that moved whole to the next page leaves one behind);
- `lone_note_calls`: lines that begin with a note number set small and raised;
- `broken_words`: words split across lines without a hyphen ("Po" / "int"), found against the
  words of the article itself.

A "page" is a region of a PDF page: the whole page, the trim of a press sheet, or one half of a
booklet's sheet.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

FOLIO = re.compile(r"^\s*(\d+)\s*(?:of|/)\s*(\d+)\s*$")
HYPHENS = "-\u2010\u00ad\x02"


@dataclass
class Char:
    text: str
    size: float
    box: tuple[float, float, float, float]  # left, top, right, bottom, measured down from the page top
    baseline: float


@dataclass
class Line:
    chars: list[Char] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chars).strip()

    @property
    def size(self) -> float:
        """The font size most of the line is set in."""
        return statistics.mode(round(c.size, 1) for c in self.chars if not c.text.isspace())

    @property
    def left(self) -> float:
        return min(c.box[0] for c in self.chars)

    @property
    def right(self) -> float:
        return max(c.box[2] for c in self.chars)

    @property
    def top(self) -> float:
        return min(c.box[1] for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.box[3] for c in self.chars)


@dataclass
class Page:
    label: str  # e.g. "features-a4.pdf p2"
    lines: list[Line]
    boxes: list[tuple[float, float]]  # vertical extents (top, bottom) of everything painted
    folio: int | None
    pages: int | None


def _region_pages(pdf: pdfium.PdfDocument, name: str, halves: bool):
    """(label, pdfium page, (left, right) in points, top of the region, page height)."""
    for index in range(len(pdf)):
        page = pdf[index]
        left, bottom, right, top = page.get_trimbox()
        if halves:
            middle = (left + right) / 2
            for side, span in (("left", (left, middle)), ("right", (middle, right))):
                yield f"{name} sheet {index + 1} {side}", page, span, (bottom, top)
        else:
            yield f"{name} p{index + 1}", page, (left, right), (bottom, top)


def _chars(page, span, vertical) -> list[Char]:
    textpage = page.get_textpage()
    count = textpage.count_chars()
    text = textpage.get_text_range(0, count)
    top_of_page = vertical[1]
    chars = []
    for index in range(count):
        glyph = text[index] if index < len(text) else ""
        if glyph in "\r\n" or not glyph:
            continue
        left, bottom, right, top = textpage.get_charbox(index)
        if not (span[0] <= (left + right) / 2 <= span[1]) or not (vertical[0] <= (top + bottom) / 2 <= vertical[1]):
            continue
        x, y = pdfium_c.c_double(), pdfium_c.c_double()
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, x, y)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
        chars.append(Char(glyph, size, (left, top_of_page - top, right, top_of_page - bottom), top_of_page - y.value))
    return chars


def _lines(chars: list[Char]) -> list[Line]:
    """Characters in drawing order grouped into lines: a new line starts where the text jumps back
    to the left, or drops below the line's baseline. A raised, smaller note number stays on the
    line, whether it ends the line or (as it must not) begins it."""
    lines: list[Line] = []
    current, base, biggest = Line(), 0.0, 0.0
    for char in chars:
        em = char.size * 0.75  # pdfium's sizes are in CSS pixels; positions in points
        if current.chars:
            back_left = char.box[0] < current.chars[-1].box[0] - 0.5 * em
            dropped = char.baseline > base + 0.4 * em and char.size <= biggest * 1.05
            raised_far = char.baseline < base - 0.9 * em
            if back_left or dropped or raised_far:
                lines.append(current)
                current, base, biggest = Line(), 0.0, 0.0
        current.chars.append(char)
        if char.size > biggest * 1.05 or not biggest:
            base, biggest = char.baseline, char.size  # the line's main text sets its baseline
    if current.chars:
        lines.append(current)
    return [line for line in lines if line.text]


def _painted(page, objects, matrix):
    """The page-space bounds of every text, path and image object, inside forms too (a form's
    children have their bounds in the form's own space: a booklet's pages are such forms)."""
    for obj in objects:
        if obj.type == pdfium_c.FPDF_PAGEOBJ_FORM:
            yield from _painted(page, page.get_objects(form=obj, max_depth=0), obj.get_matrix().multiply(matrix))
            continue
        left, bottom, right, top = obj.get_bounds()
        corners = [matrix.on_point(x, y) for x, y in ((left, bottom), (right, top), (left, top), (right, bottom))]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        yield min(xs), min(ys), max(xs), max(ys)


def read_pages(path, halves: bool = False) -> list[Page]:
    pdf = pdfium.PdfDocument(str(path))
    pages = []
    for label, page, span, vertical in _region_pages(pdf, path.name, halves):
        lines = _lines(_chars(page, span, vertical))
        boxes = []
        for left, bottom, right, top in _painted(page, page.get_objects(max_depth=0), pdfium.PdfMatrix()):
            if right < span[0] or left > span[1] or top < vertical[0] or bottom > vertical[1]:
                continue
            boxes.append((vertical[1] - top, vertical[1] - bottom))
        folio = next((FOLIO.match(line.text) for line in lines if FOLIO.match(line.text)), None)
        pages.append(Page(label, lines, boxes, int(folio.group(1)) if folio else None, int(folio.group(2)) if folio else None))
    pages = [page for page in pages if page.lines]  # a booklet's blank padding pages are no pages
    if halves:  # a booklet's pages in reading order, by their folios
        pages.sort(key=lambda page: page.folio or 0)
    return pages


def body_size(pages: list[Page]) -> float:
    sizes = [round(c.size, 1) for page in pages for line in page.lines for c in line.chars if not c.text.isspace()]
    return statistics.mode(sizes)


def measures(pages: list[Page]) -> dict[float, float]:
    """For each font size that sets at least four full lines (the body text, the notes), the
    median number of characters in such a line. A full line reaches at least 85 % of the usual
    full width of its size, so a paragraph's last line, a heading or a table cell does not count."""
    by_size: dict[float, list[Line]] = {}
    for page in pages:
        for line in page.lines:
            if not FOLIO.match(line.text):
                by_size.setdefault(line.size, []).append(line)
    found = {}
    for size, lines in by_size.items():
        widths = sorted(line.right - line.left for line in lines)
        full_width = widths[int(0.9 * (len(widths) - 1))]
        full = [len(line.text) for line in lines if line.right - line.left >= 0.85 * full_width]
        if len(full) >= 4:
            found[round(size * 0.75, 1)] = statistics.median(full)  # keyed by the size in points
    return found


def _furniture(page: Page, text_top: float) -> list[tuple[float, float]]:
    """The vertical bands of the running head and the folio, which lie outside the text area."""
    bands = []
    for line in page.lines:
        if FOLIO.match(line.text) or line.bottom < text_top - 1:
            bands.append((line.top - 1, line.bottom + 1))
    return bands


def empty_shares(pages: list[Page]) -> dict[str, float]:
    """For each page but the article's last, the tallest empty band within the text area as a
    share of that area. The text area runs from the top of the first page's first line (the
    title, at the top margin) to the lowest ink that any page has above its folio."""
    text_top = min(line.top for line in pages[0].lines)
    last = max((page.folio for page in pages if page.folio), default=None)
    areas = {}
    for page in pages:
        furniture = _furniture(page, text_top)
        areas[page.label] = sorted(
            box for box in page.boxes
            if not any(top <= (box[0] + box[1]) / 2 <= bottom for top, bottom in furniture) and box[1] > text_top - 1
        )
    text_bottom = max(box[1] for boxes in areas.values() for box in boxes)
    height = text_bottom - text_top
    shares = {}
    for page in pages:
        if page is pages[-1] or (last is not None and page.folio == last):
            continue
        reached, tallest = text_top, 0.0
        for top, bottom in areas[page.label]:
            tallest = max(tallest, top - reached)
            reached = max(reached, bottom)
        tallest = max(tallest, text_bottom - reached)
        shares[page.label] = tallest / height
    return shares


def lone_note_calls(pages: list[Page]) -> list[str]:
    """Lines that begin with a note number: digits set smaller than the rest of the line."""
    found = []
    for page in pages:
        for line in page.lines:
            chars = [c for c in line.chars if not c.text.isspace()]
            digits = []
            for char in chars:
                if not char.text.isdigit():
                    break
                digits.append(char)
            rest = chars[len(digits):]
            if not digits or not rest or max(c.size for c in digits) >= 0.8 * line.size:
                continue
            # A call is raised above the line's baseline by a fraction of the size, no more:
            # smaller digits a whole line above (the end of a code block) are another line.
            rise = statistics.median(c.baseline for c in rest) - max(c.baseline for c in digits)
            if 0.15 * line.size < rise < 0.6 * line.size:
                found.append(f"{page.label}: {line.text[:40]!r}")
    return found


WORD_END = re.compile(r"(\w+)$")
WORD_START = re.compile(r"^(\w+)")


def broken_words(pages: list[Page], vocabulary: set[str]) -> list[str]:
    """A line that ends inside a word with no hyphen: the line's last letters and the next line's
    first letters make a word of the article, while the first part alone is not one."""
    found = []
    for page in pages:
        for line, following in zip(page.lines, page.lines[1:]):
            end, start = WORD_END.search(line.text), WORD_START.search(following.text)
            if not end or not start or line.text[-1:] in HYPHENS:
                continue
            if re.search(r"://|[/=&?]", (line.text.split() or [""])[-1]):
                continue  # the line ends inside an address (a URL's query), which may break anywhere
            whole = (end.group(1) + start.group(1)).lower()
            if whole in vocabulary and end.group(1).lower() not in vocabulary:
                found.append(f"{page.label}: {end.group(1)}/{start.group(1)}")
    return found


def words_of(text: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", text)}
