"""The web edition: one self-contained HTML5 file (styles inlined, images and downloads embedded).

One file can be e-mailed, put on any web server or opened from a USB stick, and still show its
figures, its typography and its citation downloads (as `data:` links). It must read well from a
360 px phone to a 1440 px screen, in light and dark colour schemes and on paper (styles/web.css),
and pass axe-core and the Nu HTML Checker with nothing reported (tests/test_html.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html

from pubpipe.editions import parts
from pubpipe.editions.alt_text import require_alt_text
from pubpipe.editions.citation_formats import downloads
from pubpipe.editions.direction import direction
from pubpipe.editions.footnotes import (add_notes_heading, backlink_label, drop_keeping_tail, find_footnotes,
                                         notes_section, place_before_bibliography)
from pubpipe.editions.metadata_tags import head_metadata
from pubpipe.editions.noterefs import keep_with_word, mark_adjacent_refs
from pubpipe.labels import Labels, lang_attribute_for_english
from pubpipe.runtime.output import write_bytes_atomic
from pubpipe.runtime.paths import styles_dir
from pubpipe.resolve import ResolvedDocument
from pubpipe.resolve.math import text_form

STYLESHEET = "web.css"


def _embed_images(doc: ResolvedDocument, body) -> None:
    for image in parts.local_images(doc, body):
        parts.show_image_as(body, image, image.data_url())


def _web_footnotes(body, labels: Labels) -> None:
    """Pandoc's notes under a "Notes" heading (instead of a bare rule), backlinks that say where."""
    section = notes_section(body)
    if section is None:
        return
    for rule in section.findall("hr"):
        drop_keeping_tail(rule)
    add_notes_heading(section, labels)
    place_before_bibliography(section, body)
    mark_adjacent_refs(body)
    for number, note in enumerate(find_footnotes(body), start=1):
        keep_with_word(note.ref)
        for link in note.item.iter("a"):
            if "footnote-back" in (link.get("class") or "").split():
                link.set("aria-label", backlink_label(number, labels))


def _scrollable_tables(body) -> None:
    """A wide table scrolls inside its own box on a phone instead of widening the page; the box
    takes keyboard focus and a name so keyboard users can scroll it too (WCAG 2.1.1)."""
    for index, table in enumerate(list(body.iter("table")), start=1):
        caption = table.find("caption")
        # text_form: a formula in the caption by its name, not its MathML's characters run into its TeX
        label = text_form(caption) if caption is not None else ""
        wrapper = lxml.html.Element("div")
        wrapper.set("class", "table-scroll")
        wrapper.set("tabindex", "0")
        wrapper.set("role", "region")
        wrapper.set("aria-label", label or f"Table {index}")
        table.addprevious(wrapper)
        wrapper.tail, table.tail = table.tail, None
        wrapper.append(table)


def _cite_downloads(doc: ResolvedDocument) -> str:
    if not doc.cite_entry_html:
        return ""
    record = doc.cite_record
    links = ", ".join(
        f'<a href="{parts.esc(url)}" download="{parts.esc(name)}">{label}</a>'
        for label, name, url in downloads(record, doc.cite_exports, doc.article.slug, doc.cite_titles)
    )
    labels = parts.labels_of(doc)
    return f'<p class="cite-downloads">{parts.label_html(labels, labels.download_citation)} {links}.</p>'


def _colophon(doc: ResolvedDocument) -> str:
    return (
        f'<footer class="page-footer"><p{lang_attribute_for_english(doc.article.metadata.lang)}>Made from the article’s source with pandoc '
        f"{parts.esc(doc.pandoc_version)}; citations in the CSL style {parts.esc(doc.style_name)}.</p></footer>"
    )


def _balanced(markup: str) -> str:
    """A shared part re-serialised by the HTML parser: a stray raw tag in a title (`<b>` never
    closed) is closed inside its part instead of swallowing the rest of the page."""
    if not markup:
        return ""
    return parts.inner_html(lxml.html.fragment_fromstring(markup, create_parent="div"))


def render(doc: ResolvedDocument, navigation: str = "") -> str:
    """`navigation`: links shown above the article, where it is one page of a volume (packs/html.py)."""
    body = parts.body_element(doc)
    body.set("class", "article-body")
    require_alt_text(doc, body)
    _embed_images(doc, body)
    labels = parts.labels_of(doc)
    _web_footnotes(body, labels)
    _scrollable_tables(body)
    css = (styles_dir() / STYLESHEET).read_text(encoding="utf-8")
    lang = doc.article.metadata.lang
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{parts.esc(lang)}" dir="{direction(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{parts.esc(doc.title.text)}</title>\n"
        f"{head_metadata(doc)}"
        f"<style>\n{css}</style>\n</head>\n<body>\n"
        f'<a class="skip-link" href="#main"{labels.lang_attribute}>{parts.esc(labels.skip_to_article)}</a>\n'
        f"{navigation}"
        '<main id="main">\n<article>\n'
        f"{_balanced(parts.title_block(doc))}\n"
        f"{lxml.html.tostring(body, encoding='unicode')}\n"
        f"{_balanced(parts.cite_box(doc, extra=_cite_downloads(doc)))}\n"
        f"{_balanced(parts.rights_line(doc))}\n"
        f"</article>\n</main>\n{_colophon(doc)}\n</body>\n</html>\n"
    )


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return write_bytes_atomic(out_path, render(doc).encode("utf-8"))
