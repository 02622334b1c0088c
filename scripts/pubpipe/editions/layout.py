"""The WeasyPrint side of the print edition: what runs in the layout worker (runtime/layout.py).

Only this module, and the fetcher it uses, import WeasyPrint; the build never does, so it never
pays the import (about 0.3 s) and never holds WeasyPrint's memory. `lay_out` takes everything as
data (the print HTML, the article's images as bytes) and gives back the PDF as bytes, with what
the layout found out about it: missing glyphs, notes too long for a page, notes lost, the fonts
embedded.
"""

from __future__ import annotations

import ctypes.util
import functools
import os
import posixpath
import re
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pubpipe.editions import floats, glyphs
from pubpipe.editions.math_pdf import Finisher
from pubpipe.errors import ToolError, UnsafeContentError


# The article's own files are addressed under this fixed URL, the print HTML's base URL: WeasyPrint
# names each image in the PDF after the MD5 of its URL, so with the real folder in the URL the same
# article gave different PDF bytes in different folders.
ARTICLE_URL = "file:///pubpipe-article/"


def article_key(relative: str) -> str | None:
    """An article file's key in `LayoutRequest.article_files`, from its path or URL path relative
    to the folder; None when it leaves the folder."""
    key = posixpath.normpath(unquote(relative).lstrip("/"))
    return None if key in (".", "", "..") or key.startswith("../") else key


@dataclass(frozen=True)
class LayoutRequest:
    markup: str
    stylesheets: tuple[Path, ...]  # print.css, then any the edition adds
    allowed_folders: tuple[Path, ...]  # what file:// URLs may name: styles and fonts
    article_files: dict[str, bytes]  # the images, by their path in the article folder
    note_ids: tuple[str, ...]
    pdf_variant: str | None
    identifier: bytes
    source: Path  # article.md, for error messages
    finisher: Finisher | None = None  # draws the formulas (editions/math_pdf.py)
    # Off only for a page of our own that is drawn over other pages (a pack's folios): its text is
    # page furniture there, which no structure element may claim.
    tagged: bool = True


@dataclass(frozen=True)
class PlacedImage:
    """A raster image as laid out: its pixels against the size it is printed at."""

    src: str  # the <img> src, as the article wrote it
    pixels: tuple[int, int]
    printed: tuple[float, float]  # width and height on the page, in points

    @property
    def ppi(self) -> float:
        """Pixels per inch at the printed size, along the less dense side."""
        return min(pixels / (points / 72) for pixels, points in zip(self.pixels, self.printed) if points > 0)


@dataclass(frozen=True)
class LayoutResult:
    pdf: bytes
    missing: glyphs.Missing
    too_long: list[str]
    lost: list[str]
    embedded: list[str]  # the fonts the PDF embeds, as WeasyPrint names them
    images: list[PlacedImage]


# WeasyPrint 70 sometimes drops a footnote whose call falls on a page's last lines: the call is
# printed and the note is nowhere (`pubpipe check` found it as X-005 on a long article). A
# different break rule moves the call, so the layout is tried again with these until no note
# is lost; the first entry is the stylesheet as designed.
LOST_NOTE_RETRIES = (
    "",
    "p, li, blockquote { orphans: 3; widows: 3; }",
    "p, li, blockquote { orphans: 1; widows: 1; }",
)


def lay_out(request: LayoutRequest) -> LayoutResult:
    weasyprint = import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    from pubpipe.editions.fetcher import SafeURLFetcher

    fetcher = SafeURLFetcher(list(request.allowed_folders), request.article_files)
    try:
        stylesheets = [weasyprint.CSS(filename=str(path), url_fetcher=fetcher) for path in request.stylesheets]

        def render(markup: str, extra: list):
            html = weasyprint.HTML(string=markup, base_url=ARTICLE_URL, url_fetcher=fetcher)
            return html.render(stylesheets=[*stylesheets, *extra])

        with glyphs.listen() as missing:
            for retry in LOST_NOTE_RETRIES:
                extra = [weasyprint.CSS(string=retry)] if retry else []
                document = floats.place(request.markup, functools.partial(render, extra=extra))
                lost = lost_footnotes(document, request.note_ids)
                if not lost:
                    break
            too_long = notes_taller_than_a_page(document)
            pdf = document.write_pdf(
                finisher=request.finisher,
                pdf_variant=request.pdf_variant or None,
                # Tagged whatever the variant: PDF/A-3b does not ask for tags, but screen readers
                # and `pubpipe check` (which tells page furniture from text by them) need them.
                pdf_tags=request.tagged,
                pdf_identifier=request.identifier,
                uncompressed_pdf=False,
            )
    except FatalURLFetchingError as exc:
        raise UnsafeContentError(str(exc), path=request.source, hint="use only files inside the article folder") from None
    except (ValueError, TypeError) as exc:
        raise ToolError(f"WeasyPrint failed: {exc}", path=request.source) from None
    embedded = [font.name.decode("latin-1").lstrip("/") for font in document.fonts.values()]
    return LayoutResult(pdf, missing, too_long, lost, embedded, placed_images(document))


def warm_up() -> None:
    """Import WeasyPrint and lay out one line: the first layout of a process pays once for
    fontconfig's set-up, pango's font map and cffi's parsing of the C types it meets."""
    import_weasyprint().HTML(string="<p>pubpipe <i>warm</i> <b>up</b></p>").write_pdf()


def notes_taller_than_a_page(document) -> list[str]:
    """The first words of each footnote area that rises above its page's top margin.

    WeasyPrint 70 never splits a note across pages: one longer than the page is drawn over the
    text and the running head. Its page boxes are read directly (pinned version; see pyproject).
    """
    found = []
    for page in document.pages:
        box = page._page_box
        areas = [child for child in box.children if type(child).__name__ == "FootnoteAreaBox"]
        for area in areas:
            if area.children and area.position_y < box.content_box_y() - 1:
                text = re.sub(r"^\d+[.)]?\s*", "", " ".join(_box_text(area).split()))  # the note's number
                found.append(" ".join(text.split()[:8]))
    return found


def placed_images(document) -> list[PlacedImage]:
    """Each raster image on the pages with the size it is drawn at (CSS px are 0.75 pt)."""
    found = []
    for page in document.pages:
        for box in _descendants(page._page_box):
            image = getattr(box, "replacement", None)
            if type(image).__name__ != "RasterImage" or box.element is None:
                continue
            found.append(PlacedImage(box.element.get("src") or "", (image.width, image.height),
                                     (box.width * 0.75, box.height * 0.75)))
    return found


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def lost_footnotes(document, note_ids: tuple[str, ...]) -> list[str]:
    """The notes that have no place in the laid-out pages (every laid-out id is an anchor)."""
    anchors = set()
    for page in document.pages:
        anchors.update(page.anchors)
    return [note_id for note_id in note_ids if note_id not in anchors]


def _box_text(box) -> str:
    if hasattr(box, "text"):
        return box.text + " "
    return "".join(_box_text(child) for child in getattr(box, "children", ()))


# --- importing WeasyPrint quickly -----------------------------------------------------------------
# A third of WeasyPrint's import is not Python at all: it opens pango, harfbuzz and fontconfig by
# trying up to six spellings of each library name, and every spelling that misses makes cffi call
# `ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then `gcc`, then `ld` as
# subprocesses: about 50 of them per import. During the import only, `find_library` answers from
# one `ldconfig -p` listing, the source and pattern that ctypes tries first; a miss falls back to
# the standard search when LD_LIBRARY_PATH or LIBRARY_PATH could add folders the listing lacks.

# The ABI tag of this interpreter in `ldconfig -p` lines, as ctypes.util spells it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@functools.cache
def _ldconfig_listing() -> bytes | None:
    try:
        result = subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 and result.stdout else None


def _listed_find_library(standard, listing: bytes):
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")
    extra_dirs = os.environ.get("LD_LIBRARY_PATH") or os.environ.get("LIBRARY_PATH")

    def find_library(name: str) -> str | None:
        found = re.search(os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi)), listing)
        if found:
            return os.fsdecode(found.group(1))
        return standard(name) if extra_dirs else None

    return find_library


def import_weasyprint():
    """Import WeasyPrint (once per process) with the library look-ups answered from one listing."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    standard = ctypes.util.find_library
    listing = _ldconfig_listing() if sys.platform.startswith("linux") else None
    if listing is not None:
        ctypes.util.find_library = _listed_find_library(standard, listing)
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = standard
    return weasyprint
