"""The e-reader edition: EPUB 3 assembled with EbookLib.

EbookLib writes straight onto its target and stamps zip members with the clock, so the book is
written to a temporary file, then rewritten with fixed timestamps and a stable member order
(`mimetype` first, stored) before it is renamed into place. See `reproducible_zip`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import lxml.html
from ebooklib import epub

from pubpipe.editions import parts
from pubpipe.editions.footnotes import find_footnotes, notes_section
from pubpipe.errors import OutputError
from pubpipe.output import atomic_path, epoch_to_datetime
from pubpipe.paths import styles_dir
from pubpipe.resolve import ResolvedDocument

STYLESHEET = "epub.css"
CSS_HREF = "styles/epub.css"


def _xhtml_page(title: str, lang: str, file_name: str, body_html: str, css: epub.EpubItem) -> epub.EpubHtml:
    page = epub.EpubHtml(title=title, file_name=file_name, lang=lang)
    page.content = f"<html><head><title>{parts.esc(title)}</title></head><body>{body_html}</body></html>"
    page.add_item(css)
    return page


def _epub_footnotes(body) -> None:
    """Turn pandoc's endnote list into EPUB footnotes that reading systems can pop up."""
    notes = find_footnotes(body)
    section = notes_section(body)
    if section is None:
        return
    container = lxml.html.Element("section")
    container.set("class", "footnotes")
    container.set("epub:type", "footnotes")
    container.set("aria-label", "Notes")
    for note in notes:
        note.ref.set("epub:type", "noteref")
        note.ref.set("role", "doc-noteref")
        aside = lxml.html.Element("aside")
        aside.set("id", note.note_id)
        aside.set("epub:type", "footnote")
        aside.set("role", "doc-footnote")
        for child in list(note.item):
            aside.append(child)
        aside.text = note.item.text
        for link in aside.iter("a"):
            if "footnote-back" in (link.get("class") or "").split():
                link.set("role", "doc-backlink")
                link.text = "↩"
        container.append(aside)
    section.getparent().replace(section, container)


def _headings(body) -> list[tuple[str, str]]:
    return [(h.get("id"), h.text_content().strip()) for h in body.iter("h2") if h.get("id")]


def make_book(doc: ResolvedDocument, modified: dt.datetime) -> epub.EpubBook:
    meta = doc.article.metadata
    book = epub.EpubBook()
    book.set_identifier(meta.identifier)
    book.set_title(doc.title.text)
    book.set_language(meta.lang)
    for index, author in enumerate(doc.authors):
        book.add_author(author.text, role="aut", uid=f"creator{index}")
    for name, value in (
        ("rights", doc.rights.text if doc.rights else None),
        ("description", doc.description.text if doc.description else None),
        ("date", doc.date.text if doc.date else None),
        ("source", lxml.html.fromstring(f"<span>{doc.original_entry_html}</span>").text_content()
         if doc.original_entry_html else None),
    ):
        if value:
            book.add_metadata("DC", name, value)
    for keyword in doc.keywords:
        book.add_metadata("DC", "subject", keyword.text)

    css = epub.EpubItem(
        uid="style", file_name=CSS_HREF, media_type="text/css",
        content=(styles_dir() / STYLESHEET).read_bytes(),
    )
    book.add_item(css)

    body = parts.body_element(doc)
    body.set("class", "article-body")
    for index, image in enumerate(parts.local_images(doc, body)):
        href = f"images/{index:03d}-{image.path.name}"
        book.add_item(epub.EpubItem(uid=f"image{index}", file_name=href, media_type=image.media_type,
                                    content=image.path.read_bytes()))
        for img in body.iter("img"):
            if img.get("src") == image.src:
                img.set("src", href)
    _epub_footnotes(body)

    lang = meta.lang
    title_page = _xhtml_page(doc.title.text, lang, "titlepage.xhtml",
                             f'<section epub:type="titlepage">{parts.title_block(doc)}</section>', css)
    article_page = _xhtml_page(doc.title.text, lang, "article.xhtml",
                               f'<section epub:type="bodymatter chapter">{lxml.html.tostring(body, encoding="unicode")}</section>', css)
    colophon_page = _xhtml_page("Colophon", lang, "colophon.xhtml", _colophon(doc), css)
    for page in (title_page, article_page, colophon_page):
        book.add_item(page)

    toc: list = [epub.Link("titlepage.xhtml", doc.title.text, "toc-title")]
    toc += [epub.Link(f"article.xhtml#{anchor}", text, f"toc-{anchor}") for anchor, text in _headings(body)]
    toc.append(epub.Link("colophon.xhtml", "Colophon", "toc-colophon"))
    book.toc = toc
    book.guide = [
        {"type": "text", "href": "article.xhtml", "title": "Start of the article"},
        {"type": "toc", "href": "nav.xhtml", "title": "Contents"},
    ]
    nav = epub.EpubNav()
    nav.add_item(css)
    book.add_item(nav)
    book.add_item(epub.EpubNcx())  # EPUB 2 reading systems still look for it
    book.spine = [title_page, "nav", article_page, colophon_page]
    return book


def _colophon(doc: ResolvedDocument) -> str:
    return (
        '<section epub:type="colophon" class="colophon">'
        "<h2>Colophon</h2>"
        f"{parts.cite_box(doc, heading_tag='h3')}"
        f"{parts.rights_line(doc)}"
        f'<p class="made-with">This edition was made from the article’s canonical source with pandoc '
        f"{parts.esc(doc.pandoc_version)} and the CSL style {parts.esc(doc.style_name)}.</p>"
        "</section>"
    )


def reproducible_zip(raw: Path, target: Path, modified: dt.datetime) -> None:
    """Rewrite EbookLib's zip: `mimetype` first and stored, fixed timestamps, stable order."""
    stamp = max(modified, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(target, "w") as out:
        names = source.namelist()
        ordered = ["mimetype"] + sorted(name for name in names if name != "mimetype")
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            out.writestr(info, source.read(name), compresslevel=9 if name != "mimetype" else None)


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    modified = epoch_to_datetime(options["source_date_epoch"])
    book = make_book(doc, modified)
    with atomic_path(out_path) as tmp:
        raw = tmp.with_name(tmp.name + ".ebooklib")
        try:
            ok = epub.write_epub(str(raw), book, {"mtime": modified, "raise_exceptions": True})
            if ok is False:
                raise OutputError("EbookLib could not write the EPUB", path=out_path)
            reproducible_zip(raw, tmp, modified)
        finally:
            raw.unlink(missing_ok=True)
    return out_path
