"""Reading a course pack back, as built: the volume's own metadata and contents in each edition,
and each article as the pack shows it, in the same Summary the single-article readers make.

- PDF: read_pdf reads each article's pages of the volume as if they were its own print edition
  (read_pdf.Part: its tagged structure, its named destinations and links without the article's
  prefix, its bookmark and those below it). Where an article starts is read
  from its destination `<slug>/title-block`; it ends where the next one starts. The contents
  are read from the title pages' links: the text inside each link, and the page it leads to.
- EPUB: each article is one XHTML document of the spine (a001-<slug>.xhtml …); the contents are
  the navigation document's top entries.
- HTML: each article is a page of articles/; the contents are the index's links.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pikepdf
from lxml import etree

from pubpipe.check.read_epub import NS, opf_metadata, spine_documents
from pubpipe.check.read_html import html_metadata, read_html
from pubpipe.check.read_markup import find_first, has_class, read_article_document, text_of
from pubpipe.check.read_pdf import Part, read_pdf
from pubpipe.labels import Labels
from pubpipe.check.summary import SOFT_HYPHEN, Summary, normalise_text
from pubpipe.packs.assemble import destination_names

TITLE_DEST = "title-block"
_ARTICLE_DOCUMENT = re.compile(r"(?:^|/)a\d{3}-(.+)\.xhtml$")


@dataclass(frozen=True)
class ContentsEntry:
    """One line of a volume's contents: its text, and where its link leads."""

    text: str
    slug: str | None  # the article the link leads to (None: it leads to no article)
    page_label: str | None = None  # PDF: the label of the page the link leads to
    printed_folio: str | None = None  # PDF: the number printed on that page


# PDF ----------------------------------------------------------------------------------------

def pdf_article_pages(pdf: pikepdf.Pdf, slugs: list[str]) -> dict[str, range]:
    """Each article's pages: from its title block to the next article's (a blank page before an
    article in the booklet has no text and reads as nothing)."""
    names = destination_names(pdf)
    starts = []
    for slug in slugs:
        destination = names.get(f"{slug}/{TITLE_DEST}")
        if destination is not None:
            starts.append((pdf.pages.index(pikepdf.Page(destination[0])), slug))
    starts.sort()
    ends = [start for start, _ in starts[1:]] + [len(pdf.pages)]
    return {slug: range(start, end) for (start, slug), end in zip(starts, ends)}


def read_pack_pdf(path: Path, articles: list[tuple[str, str, list[str], str]],
                  labels: dict[str, Labels] | None = None) -> dict[str, Summary]:
    """(slug, title, authors, lang) of each article -> its Summary as the volume prints it;
    `labels`: each article's labels, where its front matter words them (pubpipe.labels.article_labels)."""
    found = {}
    with pikepdf.open(path) as pdf:
        pages = pdf_article_pages(pdf, [slug for slug, *_ in articles])
    for slug, title, _authors, lang in articles:
        if slug not in pages:
            continue
        summary = read_pdf(path, Part(pages[slug], f"{slug}/", title, lang), (labels or {}).get(slug))
        summary.metadata = {}  # the volume's, not the article's: compared as the pack's own
        summary.body = [type(block)(block.text, _on_volume_page(block.where, pages[slug])) for block in summary.body]
        found[slug] = summary
    return found


def _on_volume_page(where: str, pages: range) -> str:
    """"page 2" of a cut-out article, as the page of the volume it is."""
    match = re.match(r"page (\d+)", where)
    return f"page {pages.start + int(match.group(1))} of the volume" if match else where


def pdf_metadata(path: Path) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(path)
    info = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    text = lambda key: normalise_text(str(info[key])) if info.get(key) else None  # noqa: E731
    return {
        "title": text("/Title"),
        "authors": [text("/Author")] if info.get("/Author") else [],
        "language": str(lang) if lang else None,
        "description": text("/Subject"),
        "keywords": [normalise_text(k) for k in str(info.get("/Keywords") or "").split(",") if k.strip()],
    }


def pdf_contents(path: Path) -> list[ContentsEntry]:
    """The contents as printed: the text of each link to an article's first page, with the label of
    the page it leads to and the number printed at the foot of that page."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    labels = PdfReader(path).page_labels
    entries: list[tuple[str, list[tuple[int, list[float]]]]] = []
    with pikepdf.open(path) as pdf:
        names = destination_names(pdf)
        for index, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", []):
                name = str(annotation.get("/Dest", ""))
                if not name.endswith(f"/{TITLE_DEST}"):
                    continue
                if not entries or entries[-1][0] != name:
                    entries.append((name, []))
                entries[-1][1].append((index, [float(v) for v in annotation.Rect]))
        targets = {name: pdf.pages.index(pikepdf.Page(names[name][0])) if name in names else None for name, _ in entries}
    document = pdfium.PdfDocument(path)
    try:
        found = []
        for name, rects in entries:
            text = " ".join(document[page].get_textpage().get_text_bounded(*rect) for page, rect in rects)
            target = targets[name]
            folio = None
            if target is not None:
                lines = [line.strip() for line in document[target].get_textpage().get_text_range().splitlines() if line.strip()]
                folio = lines[-1] if lines else None
            # pdfium gives a hyphen that ends a line as U+0002: a title broken after "Cross-" is
            # one word, as read_pdf reads the text's.
            found.append(ContentsEntry(normalise_text(text.replace("\x02", SOFT_HYPHEN)), name[: -len(f"/{TITLE_DEST}")],
                                       labels[target] if target is not None else None, folio))
        return found
    finally:
        document.close()


# EPUB ---------------------------------------------------------------------------------------

def read_pack_epub(path: Path) -> tuple[dict, dict[str, Summary], list[ContentsEntry]]:
    """(the volume's metadata, each article's Summary, the navigation's top entries)."""
    with zipfile.ZipFile(path) as archive:
        opf, documents = spine_documents(archive)
        nav_href = next(item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", NS)
                        if "nav" in (item.get("properties") or "").split())
        nav = etree.fromstring(archive.read(f"EPUB/{nav_href}"))
    metadata = opf_metadata(opf)
    articles: dict[str, Summary] = {}
    for href, root in documents:
        match = _ARTICLE_DOCUMENT.search(href)
        if match is None:
            subtitle = find_first(root, lambda e: has_class(e, "subtitle"))
            if subtitle is not None and "titlepage" in href:
                metadata["subtitle"] = text_of(subtitle)
            continue
        summary = Summary(edition="epub")
        read_article_document(summary, root, href)
        articles[match.group(1)] = summary
    xhtml = "{http://www.w3.org/1999/xhtml}"
    toc = nav.find(f".//{xhtml}nav[@id='toc']/{xhtml}ol")
    contents = []
    for item in toc.findall(f"{xhtml}li") if toc is not None else []:
        link = item.find(f"{xhtml}a")
        match = _ARTICLE_DOCUMENT.search((link.get("href") or "").split("#")[0]) if link is not None else None
        if match:
            contents.append(ContentsEntry(text_of(link), match.group(1)))
    return metadata, articles, contents


# HTML ---------------------------------------------------------------------------------------

def read_pack_html(index: Path) -> tuple[dict, dict[str, Summary], list[ContentsEntry]]:
    """(the volume's metadata, each linked article page's Summary, the index's contents)."""
    root = lxml.html.document_fromstring(index.read_text(encoding="utf-8"))
    metadata = html_metadata(root)
    contents, articles = [], {}
    nav = find_first(root, lambda e: has_class(e, "pack-contents"))
    for link in nav.iter("a") if nav is not None else []:
        href = link.get("href") or ""
        page = (index.parent / href).resolve()
        slug = page.stem if href.startswith("articles/") and page.is_file() else None
        contents.append(ContentsEntry(text_of(link), slug))
        if slug:
            summary = read_html(page)
            summary.metadata = {}
            articles[slug] = summary
    return metadata, articles, contents
