"""The e-reader edition: EPUB 3 assembled with EbookLib.

EbookLib assembles the package (OPF, NCX, zip); the XHTML documents, the navigation document
included, are finished by epub_pages and stored as they are, and the package metadata comes from
epub_metadata. EbookLib writes straight onto its target and stamps zip members with the clock, so the book is
written to a temporary file, then rewritten with fixed timestamps and a stable member order
(`mimetype` first, stored) before it is renamed into place. See `reproducible_zip`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

from ebooklib import epub
from lxml import etree

from pubpipe.editions import parts
from pubpipe.editions.alt_text import require_alt_text
from pubpipe.editions.cover import cover_png, thumbnail_png
from pubpipe.editions.direction import direction
from pubpipe.editions.epub_metadata import accessibility, describe_package
from pubpipe.editions.epub_pages import (colophon_body, document, epub_footnotes, nav_body, outline,
                                         title_page_body, to_xhtml, xml_of)
from pubpipe.errors import OutputError
from pubpipe.runtime.output import atomic_path, epoch_to_datetime, write_bytes_atomic
from pubpipe.runtime.paths import styles_dir
from pubpipe.resolve import ResolvedDocument

STYLESHEET = "epub.css"
CSS_HREF = "styles/epub.css"
COVER_HREF = "images/cover.png"
PAGES = ("titlepage.xhtml", "nav.xhtml", "article.xhtml", "colophon.xhtml")


def xhtml_page(uid: str, file_name: str, content: bytes, properties: list[str] | None = None) -> epub.EpubItem:
    """A finished XHTML document that EbookLib stores as it is (see epub_pages). A document that
    shows MathML says so in the manifest (EPUB 3's `mathml` property)."""
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content)
    item.properties = (properties or []) + (["mathml"] if b"<math " in content else [])
    return item


def article_body(doc: ResolvedDocument, book: epub.EpubBook, image_folder: str = "images",
                 uid_prefix: str = "image") -> etree._Element:
    """The article's body as the EPUB shows it: its images stored in the book under
    `image_folder` (manifest ids `uid_prefix` + number), its notes as footnote asides."""
    body = parts.body_element(doc)
    body.set("class", "article-body")
    require_alt_text(doc, body)
    for index, image in enumerate(parts.local_images(doc, body)):
        # The file's own name may hold spaces or other characters that are not safe in an href.
        href = f"{image_folder}/{index:03d}-{re.sub(r'[^A-Za-z0-9._-]', '-', image.name)}"
        book.add_item(epub.EpubItem(uid=f"{uid_prefix}{index}", file_name=href,
                                    media_type=image.media_type, content=image.read()))
        parts.show_image_as(body, image, href)
    parts.mark_short_lists(body)
    epub_footnotes(body, parts.labels_of(doc))
    return body


def make_book(doc: ResolvedDocument, modified: dt.datetime) -> epub.EpubBook:
    meta = doc.article.metadata
    lang = meta.lang
    book = epub.EpubBook()
    describe_package(book, doc)
    if direction(lang) == "rtl":
        book.set_direction("rtl")  # page-progression-direction on the spine

    book.add_item(epub.EpubItem(uid="style", file_name=CSS_HREF, media_type="text/css",
                                content=(styles_dir() / STYLESHEET).read_bytes()))
    book.set_cover(COVER_HREF, cover_png(doc.title.text, doc.subtitle.text if doc.subtitle else None,
                                         [a.text for a in doc.authors]), create_page=False)

    body = article_body(doc, book)
    labels = parts.labels_of(doc)
    accessibility(book, body)

    title = doc.title.text
    sections = [(f"article.xhtml#{anchor}", text, [(f"article.xhtml#{a}", t, c) for a, t, c in children])
                for anchor, text, children in outline(body)]
    # The article's own entry, its sections under it: the text itself can be opened from the
    # contents, not only one of its sections.
    toc = [("titlepage.xhtml", labels.title_page, []), ("article.xhtml", title, sections),
           ("colophon.xhtml", labels.colophon, [])]
    landmarks = [
        ("titlepage", "titlepage.xhtml", labels.title_page),
        ("toc", "nav.xhtml#toc", labels.contents),
        ("bodymatter", "article.xhtml", labels.start_of_article),
    ]
    if body.find(".//*[@id='refs']") is not None:
        landmarks.append(("bibliography", "article.xhtml#refs", labels.bibliography))
    landmarks.append(("colophon", "colophon.xhtml", labels.colophon))

    # The article's own title heads its chapter, so the document has its h1 and a reader who jumps
    # straight to the text still sees what it is.
    article = ('<section id="article" epub:type="chapter" role="doc-chapter" aria-labelledby="article-title">'
               f'<h1 id="article-title" class="article-title">{to_xhtml(doc.title.html)}</h1>'
               f"{xml_of(body)}</section>")
    pages = [
        xhtml_page("titlepage", "titlepage.xhtml", document(title, lang, title_page_body(doc), CSS_HREF, "frontmatter")),
        xhtml_page("nav", "nav.xhtml", document(labels.contents, lang, nav_body(toc, landmarks, labels), CSS_HREF, "frontmatter"), ["nav"]),
        xhtml_page("article", "article.xhtml", document(title, lang, article, CSS_HREF, "bodymatter")),
        xhtml_page("colophon", "colophon.xhtml", document(labels.colophon, lang, colophon_body(doc, modified.strftime("%Y-%m-%d")),
                                                     CSS_HREF, "backmatter")),
    ]
    for page in pages:
        book.add_item(page)
    book.toc = [epub.Link(href, text, f"navpoint-{index}") for index, (href, text, _children) in enumerate(toc, start=1)]
    book.add_item(epub.EpubNcx())  # EPUB 2 reading systems still look for it
    book.spine = pages
    return book


def finish_package(opf: bytes, lang: str) -> bytes:
    """What EbookLib cannot say: the package's own language (Ace's epub-lang)."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def reproducible_zip(raw: Path, target: Path, modified: dt.datetime, rewrite: dict | None = None) -> None:
    """Rewrite EbookLib's zip: `mimetype` first and stored, fixed timestamps, stable order.

    `rewrite` maps a member name to a function that changes its bytes on the way."""
    rewrite = rewrite or {}
    # A zip records years 1980 to 2107 only; the OPF's dcterms:modified keeps the real date.
    first, last = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.timezone.utc)
    stamp = min(max(modified, first), last).timetuple()[:6]
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(target, "w") as out:
        names = source.namelist()
        ordered = ["mimetype"] + sorted(name for name in names if name != "mimetype")
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            data = source.read(name)
            if name in rewrite:
                data = rewrite[name](data)
            out.writestr(info, data, compresslevel=9 if name != "mimetype" else None)


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    modified = epoch_to_datetime(options["source_date_epoch"])
    return write_book(make_book(doc, modified), out_path, modified, doc.article.metadata.lang)


def cover_files(out_path: Path) -> dict[str, Path]:
    """The book's cover and its thumbnail, written beside it for catalogues (catalog/opds.py)."""
    return {kind: out_path.with_name(f"{out_path.stem}-{kind}.png") for kind in ("cover", "thumbnail")}


def write_book(book: epub.EpubBook, out_path: Path, modified: dt.datetime, lang: str) -> Path:
    """EbookLib writes the book; it is then made reproducible and put in place atomically, with
    its cover and the cover's thumbnail beside it (made here, once, rather than by every
    catalogue that lists the book)."""
    cover = book.get_item_with_href(COVER_HREF).content
    files = cover_files(out_path)
    write_bytes_atomic(files["cover"], cover)
    write_bytes_atomic(files["thumbnail"], thumbnail_png(cover))
    with atomic_path(out_path) as tmp:
        raw = tmp.with_name(tmp.name + ".ebooklib")
        try:
            ok = epub.write_epub(str(raw), book, {"mtime": modified, "raise_exceptions": True,
                                                  "epub3_pages": False, "epub2_guide": False})
            if ok is False:
                raise OutputError("EbookLib could not write the EPUB", path=out_path)
            reproducible_zip(raw, tmp, modified, {"EPUB/content.opf": lambda data: finish_package(data, lang)})
        finally:
            raw.unlink(missing_ok=True)
    return out_path
