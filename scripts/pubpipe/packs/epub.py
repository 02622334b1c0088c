"""The volume as one EPUB 3: a title page, the contents, the preface, each article in a document
of its own (its title block, text, footnotes, bibliography and "Cite this article"), a colophon.

The pieces are the single-article edition's (editions/epub.py, epub_pages.py): the same body with
notes as pop-up footnote asides, the same stylesheet, the same reproducible packaging. The
navigation nests each article's sections under its title, and the package declares the editors
(role `edt`) and the accessibility of the whole volume, worked out from every article's content.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from ebooklib import epub
from lxml import etree

from pubpipe.editions import parts
from pubpipe.editions.cover import cover_png
from pubpipe.editions.epub import COVER_HREF, CSS_HREF, STYLESHEET, article_body, write_book, xhtml_page
from pubpipe.editions.epub_metadata import accessibility, describe
from pubpipe.editions.epub_pages import document, nav_body, outline, to_xhtml, xml_of
from pubpipe.labels import for_language, lang_attribute_for_english
from pubpipe.packs.front import Front
from pubpipe.packs.parts import preface_section, title_page
from pubpipe.packs.spec import PackSpec
from pubpipe.resolve import ResolvedDocument
from pubpipe.runtime.output import epoch_to_datetime
from pubpipe.runtime.paths import styles_dir


def article_file(index: int, slug: str) -> str:
    """Each article's document: numbered in reading order, named for the article."""
    return f"a{index:03d}-{slug}.xhtml"


def _article_page(doc: ResolvedDocument, body: etree._Element) -> str:
    """The article as a chapter: title block (its h1), text, citation box and rights."""
    return (
        f'<section id="article" epub:type="chapter" role="doc-chapter" aria-labelledby="article-title">'
        f"{to_xhtml(parts.title_block(doc, heading_id='article-title'))}"
        f"{xml_of(body)}{to_xhtml(parts.cite_box(doc))}{to_xhtml(parts.rights_line(doc))}</section>"
    )


def _colophon(spec: PackSpec, front: Front, docs: list[ResolvedDocument], modified: str) -> str:
    labels = for_language(front.lang)
    english = lang_attribute_for_english(front.lang)
    styles = ", ".join(sorted({doc.style_name for doc in docs}))
    return (
        '<section id="colophon" class="colophon" epub:type="colophon" role="doc-colophon" aria-labelledby="colophon-heading">'
        f'<h1 id="colophon-heading"{labels.lang_attribute}>{parts.esc(labels.colophon)}</h1>'
        f'<p class="made-with"{english}>This volume of {len(docs)} articles was made from their sources with pandoc '
        f"{parts.esc(front.pandoc_version)}, citations formatted in the CSL style {parts.esc(styles)}. "
        f"Each article’s last page says how to cite it in this volume. Identifier: {parts.esc(spec.identifier)}. "
        f"Last modified: {parts.esc(modified)}.</p>"
        + (to_xhtml('<p class="rights">' + front.rights.html + "</p>") if front.rights else "")
        + "</section>"
    )


def make_book(spec: PackSpec, front: Front, docs: list[ResolvedDocument], modified: dt.datetime) -> epub.EpubBook:
    lang = front.lang
    labels = for_language(lang)
    book = epub.EpubBook()
    describe(book, identifier=spec.identifier, title=front.title.text, lang=lang,
             creators=[(editor.text, "edt") for editor in front.editors],
             fields={"rights": front.rights.text if front.rights else None,
                     "description": front.description.text if front.description else None,
                     "date": front.date.text.strip() if front.date else None},
             keywords=[keyword.text for keyword in front.keywords])
    book.add_item(epub.EpubItem(uid="style", file_name=CSS_HREF, media_type="text/css",
                                content=(styles_dir() / STYLESHEET).read_bytes()))
    book.set_cover(COVER_HREF, cover_png(front.title.text, front.subtitle.text if front.subtitle else None,
                                         [editor.text for editor in front.editors]), create_page=False)

    everything = etree.Element("div")  # every article's body, for the accessibility claims
    pages = [xhtml_page("titlepage", "titlepage.xhtml", document(
        front.title.text, lang, f'<section id="titlepage" epub:type="titlepage" aria-label="{parts.esc(labels.title_page)}">'
        f"{to_xhtml(title_page(front))}</section>", CSS_HREF, "frontmatter"))]
    toc: list[tuple[str, str, list]] = [("titlepage.xhtml", labels.title_page, [])]
    if front.preface_html:
        pages.append(xhtml_page("preface", "preface.xhtml", document(
            labels.preface, lang, to_xhtml(preface_section(front, "h1")).replace(
                'class="pack-preface"', 'class="pack-preface" epub:type="preface" role="doc-preface"', 1),
            CSS_HREF, "frontmatter")))
        toc.append(("preface.xhtml", labels.preface, []))
    for index, doc in enumerate(docs, start=1):
        name = article_file(index, doc.article.slug)
        body = article_body(doc, book, image_folder=f"images/a{index:03d}", uid_prefix=f"a{index:03d}-image")
        everything.append(copy.deepcopy(body))
        sections = [(f"{name}#{anchor}", text, [(f"{name}#{a}", t, c) for a, t, c in children])
                    for anchor, text, children in outline(body)]
        toc.append((name, doc.title.text, sections))
        pages.append(xhtml_page(f"a{index:03d}", name, document(
            doc.title.text, doc.article.metadata.lang, _article_page(doc, body), CSS_HREF, "bodymatter")))
    pages.append(xhtml_page("colophon", "colophon.xhtml", document(
        labels.colophon, lang, _colophon(spec, front, docs, modified.strftime("%Y-%m-%d")), CSS_HREF, "backmatter")))
    toc.append(("colophon.xhtml", labels.colophon, []))
    landmarks = [
        ("titlepage", "titlepage.xhtml", labels.title_page),
        ("toc", "nav.xhtml#toc", labels.contents),
        ("bodymatter", article_file(1, docs[0].article.slug), labels.start_of_article),
        ("colophon", "colophon.xhtml", labels.colophon),
    ]
    accessibility(book, everything)
    nav = xhtml_page("nav", "nav.xhtml", document(labels.contents, lang, nav_body(toc, landmarks, labels), CSS_HREF, "frontmatter"), ["nav"])
    pages.insert(1, nav)
    for page in pages:
        book.add_item(page)
    book.toc = [epub.Link(href, text, f"navpoint-{index}") for index, (href, text, _children) in enumerate(toc, start=1)]
    book.add_item(epub.EpubNcx())
    book.spine = pages
    return book


def write_epub(spec: PackSpec, front: Front, docs: list[ResolvedDocument], target: Path, options: dict[str, Any]) -> Path:
    modified = epoch_to_datetime(options["source_date_epoch"])
    return write_book(make_book(spec, front, docs, modified), target, modified, front.lang)
