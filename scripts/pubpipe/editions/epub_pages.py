"""The EPUB's XHTML documents, written as finished XHTML rather than left to EbookLib.

EbookLib re-parses a chapter's content with an HTML parser and rebuilds it around its own head;
that loses the `epub:type` of <body> and cannot produce the navigation document the accessibility
checks want (a nested toc, landmarks, no bogus page-list). So each document is serialised here as
XML from the same element tree the web edition uses, and parsed once more to prove it well formed.
"""

from __future__ import annotations

import lxml.html
from lxml import etree

from pubpipe.editions import parts
from pubpipe.editions.direction import direction
from pubpipe.editions.footnotes import (add_notes_heading, backlink_label, find_footnotes,
                                         notes_section, place_before_bibliography)
from pubpipe.editions.noterefs import keep_with_word, mark_adjacent_refs
from pubpipe.errors import ToolError
from pubpipe.labels import Labels, lang_attribute_for_english
from pubpipe.resolve.math import text_form

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"


def xml_of(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode", method="xml")


def to_xhtml(fragment_html: str) -> str:
    """An HTML fragment (as parts.py makes them) re-serialised as well-formed XHTML."""
    holder = lxml.html.fragment_fromstring(fragment_html or "", create_parent="div")
    text = parts.esc(holder.text) if holder.text else ""
    return text + "".join(xml_of(child) for child in holder)


def document(title: str, lang: str, body: str, css_href: str, body_type: str | None = None) -> bytes:
    lang = parts.esc(lang)
    body_attributes = f' epub:type="{body_type}"' if body_type else ""
    markup = (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}" lang="{lang}" xml:lang="{lang}" dir="{direction(lang)}">\n'
        f"<head>\n<title>{parts.esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{css_href}"/>\n</head>\n'
        f"<body{body_attributes}>\n{body}\n</body>\n</html>\n"
    )
    try:
        etree.fromstring(markup.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise ToolError(f"the EPUB page '{title}' is not well-formed XHTML: {exc}") from None
    return markup.encode("utf-8")


def epub_footnotes(body: etree._Element, labels: Labels) -> None:
    """Turn pandoc's endnote list into `epub:type="footnote"` asides that readers pop up."""
    notes = find_footnotes(body)
    section = notes_section(body)
    if section is None:
        return
    container = lxml.html.Element("section")
    container.set("id", "footnotes")
    container.set("class", "footnotes")
    container.set("epub:type", "footnotes")
    add_notes_heading(container, labels)
    mark_adjacent_refs(body)
    for number, note in enumerate(notes, start=1):
        keep_with_word(note.ref)
        note.ref.set("epub:type", "noteref")
        note.ref.set("role", "doc-noteref")
        aside = lxml.html.Element("aside")
        aside.set("id", note.note_id)
        aside.set("epub:type", "footnote")
        aside.set("role", "doc-footnote")
        aside.text = note.item.text
        for child in list(note.item):
            aside.append(child)
        for link in aside.iter("a"):
            if "footnote-back" in (link.get("class") or "").split():
                link.set("role", "doc-backlink")
                link.set("aria-label", backlink_label(number, labels))
                link.text = "↩"
        container.append(aside)
    section.getparent().replace(section, container)
    place_before_bibliography(container, body)


def outline(body: etree._Element) -> list[tuple[str, str, list]]:
    """The sections for the table of contents: (anchor, text, subsections), two levels deep."""
    tree: list[tuple[str, str, list]] = []
    for heading in body.iter("h2", "h3"):
        anchor, text = heading.get("id"), text_form(heading)
        if not anchor or not text:
            continue
        if heading.tag == "h3" and tree:
            tree[-1][2].append((anchor, text, []))
        else:
            tree.append((anchor, text, []))
    return tree


def _toc_items(entries: list[tuple[str, str, list]]) -> str:
    items = []
    for href, text, children in entries:
        nested = f"<ol>{_toc_items(children)}</ol>" if children else ""
        items.append(f'<li><a href="{parts.esc(href)}">{parts.esc(text)}</a>{nested}</li>')
    return "".join(items)


def nav_body(toc: list[tuple[str, str, list]], landmarks: list[tuple[str, str, str]], labels: Labels) -> str:
    """The labels fall back to English as a whole, so `lang` on each nav marks all of its text."""
    links = "".join(
        f'<li><a epub:type="{kind}" href="{parts.esc(href)}">{parts.esc(text)}</a></li>'
        for kind, href, text in landmarks
    )
    return (
        '<nav id="toc" epub:type="toc" role="doc-toc" aria-labelledby="toc-heading">'
        f'<h1 id="toc-heading"{labels.lang_of("contents")}>{parts.esc(labels.contents)}</h1><ol>{_toc_items(toc)}</ol></nav>\n'
        f'<nav id="landmarks" epub:type="landmarks" aria-labelledby="landmarks-heading" hidden="hidden"{labels.lang_attribute}>'
        f'<h2 id="landmarks-heading">{parts.esc(labels.landmarks)}</h2><ol>{links}</ol></nav>'
    )


def title_page_body(doc) -> str:
    return (
        f'<section id="titlepage" epub:type="titlepage" aria-label="{parts.esc(parts.labels_of(doc).title_page)}">'
        f"{to_xhtml(parts.title_block(doc))}</section>"
    )


def colophon_body(doc, modified: str) -> str:
    """The colophon's sentences are English in every edition, marked so in an article in another
    language (pubpipe.labels); the article's title inside them keeps the article's language."""
    meta = doc.article.metadata
    labels = parts.labels_of(doc)
    english = lang_attribute_for_english(meta.lang)
    title = parts.esc(doc.title.text)
    if english:
        title = f'<span lang="{parts.esc(meta.lang)}">{title}</span>'
    made_with = (
        f"This edition of “{title}” was made from the article’s source with "
        f"pandoc {parts.esc(doc.pandoc_version)}, citations formatted in the CSL style "
        f"{parts.esc(doc.style_name)}. Identifier: {parts.esc(meta.identifier)}. "
        f"Last modified: {parts.esc(modified)}."
    )
    source = ""
    if doc.original_entry_html:
        source = f"<p{english}>The text was first published in the work cited below; please cite that publication.</p>"
    return (
        '<section id="colophon" class="colophon" epub:type="colophon" role="doc-colophon" aria-labelledby="colophon-heading">'
        f'<h1 id="colophon-heading"{labels.lang_attribute}>{parts.esc(labels.colophon)}</h1>'
        f"{source}{to_xhtml(parts.cite_box(doc, heading_tag='h2'))}"
        f"{to_xhtml(parts.rights_line(doc))}"
        f'<p class="made-with"{english}>{made_with}</p></section>'
    )
