"""The EPUB's package metadata (OPF), including the EPUB Accessibility 1.1 claims.

Where each value comes from (WeasyPrint's habit: write the mapping down beside the code):
- dc:identifier: the article's `identifier:` or one derived from slug, title and authors (never
  random, so two builds are the same book to a reading system); a urn:uuid is given a second time
  as `pubpipe:<uuid>`, the form in which calibre shows it;
- dc:title, dc:creator (role `aut`), dc:language, dc:rights, dc:description, dc:subject: the front
  matter, rendered to plain text by the resolve step;
- dc:date: the front matter's `date:` read into ISO 8601 (pubpipe.load.dates reads `11 October
  2019` as 2019-10-11); a date that cannot be read was reported at load and is left out;
- dc:source: the original publication, formatted by the document's CSL style, as text (a formula
  in its title in Unicode, as the resolve step writes it);
- dcterms:modified: SOURCE_DATE_EPOCH (EbookLib writes it from the `mtime` option);
- schema:accessMode and accessModeSufficient: `textual`, plus `visual` only when the text carries
  images, which all have alt text (alt_text.require_alt_text has stopped the build otherwise);
- schema:accessibilityFeature, accessibilityHazard, accessibilitySummary: what the content has,
  worked out from the same element tree the pages are made of.
"""

from __future__ import annotations

import re

from ebooklib import epub
from lxml import etree

from pubpipe.editions.alt_text import has_visual_content
from pubpipe.resolve import ResolvedDocument

W3C_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"


def _meta(book: epub.EpubBook, prop: str, value: str) -> None:
    book.add_metadata("OPF", "meta", value, {"property": prop})


def describe_package(book: epub.EpubBook, doc: ResolvedDocument) -> None:
    meta = doc.article.metadata
    describe(book, identifier=meta.identifier, title=doc.title.text, lang=meta.lang,
             creators=[(author.text, "aut") for author in doc.authors],
             fields={"rights": doc.rights.text if doc.rights else None,
                     "description": doc.description.text if doc.description else None,
                     "date": meta.date_iso or None,
                     "source": doc.original_entry_text},
             keywords=[keyword.text for keyword in doc.keywords])


def describe(book: epub.EpubBook, *, identifier: str, title: str, lang: str, creators: list[tuple[str, str]],
             fields: dict[str, str | None], keywords: list[str]) -> None:
    """The package metadata of any book we make (an article, or a course pack whose creators are
    its editors, role `edt`); `fields` are further Dublin Core elements, left out when empty, and
    a date that is not a W3C date is left out rather than written in a form EPUBCheck rejects."""
    book.set_identifier(identifier)
    uuid = identifier.removeprefix("urn:uuid:")
    if uuid != identifier:
        # Calibre keeps a urn:uuid identifier as its own book id and never shows it; the same
        # UUID under a scheme of ours is listed by `ebook-meta` and calibre's book details.
        book.add_metadata("DC", "identifier", f"pubpipe:{uuid}", {"id": "pubpipe-uuid"})
    book.set_title(title)
    book.set_language(lang)
    for index, (name, role) in enumerate(creators):
        book.add_author(name, role=role, uid=f"creator{index}")
    for name, value in fields.items():
        if value and (name != "date" or W3C_DATE.match(value)):
            book.add_metadata("DC", name, value)
    for keyword in keywords:
        book.add_metadata("DC", "subject", keyword)


def accessibility(book: epub.EpubBook, body: etree._Element) -> None:
    visual = has_visual_content(body)
    has_notes = any(True for _ in body.iter("aside"))
    has_tables = any(True for _ in body.iter("th"))
    _meta(book, "schema:accessMode", "textual")
    if visual:
        _meta(book, "schema:accessMode", "visual")
    _meta(book, "schema:accessModeSufficient", "textual")
    if visual:
        _meta(book, "schema:accessModeSufficient", "textual,visual")
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    if visual:
        features.append("alternativeText")
    for feature in features:
        _meta(book, "schema:accessibilityFeature", feature)
    _meta(book, "schema:accessibilityHazard", "none")
    summary = [
        "The text is marked up with headings in order, a table of contents and landmarks, and reads "
        "in one logical order.",
        "Every image has a text alternative." if visual else "The text contains no images.",
        "Footnotes are linked from the text and back." if has_notes else "",
        "Tables have header cells." if has_tables else "",
        "No font, size or colour is imposed on the text, so reading-system settings apply.",
        "There are no flashing, sound or motion hazards.",
        "The pipeline that makes it checks it with EPUBCheck and Ace by DAISY.",
    ]
    _meta(book, "schema:accessibilitySummary", " ".join(part for part in summary if part))
    _meta(book, "dcterms:conformsTo", CONFORMS_TO)
    _meta(book, "a11y:certifiedBy", "pubpipe automated checks")
