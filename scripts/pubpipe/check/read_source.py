"""The canonical source, as pandoc resolves it, read into a Summary: what every edition must carry.

It is read from the same resolve step the editions were built from (one pandoc run with the same
style), so F-002 compares each edition with what the source says, not with another edition.
"""

from __future__ import annotations

import lxml.html

from pubpipe.check.read_markup import (read_abstract, read_body, read_notes, read_subtitle, read_targets, take_formulas,
                                       text_without_formulas)
from pubpipe.check.summary import Located, Summary, normalise_text
from pubpipe.editions.parts import title_block
from pubpipe.resolve import ResolvedDocument


def read_source(document: ResolvedDocument) -> Summary:
    meta = document.article.metadata
    text = lambda field: normalise_text(field.text) if field else None  # noqa: E731
    # The fields that the title block shows as they are shown, formulas drawn (not as text).
    front = lxml.html.fragment_fromstring(title_block(document), create_parent="div")
    summary = Summary(
        edition="source",
        metadata={
            "title": text(document.title),
            "subtitle": read_subtitle(front),
            "authors": [text(a) for a in document.authors],
            "language": meta.lang,
            "date": meta.date_iso,
            "abstract": read_abstract(front),
            "identifier": meta.identifier,
            "rights": text(document.rights),
            "description": text(document.description),
            "keywords": [text(k) for k in document.keywords],
        },
    )
    take_formulas(summary, front, "title block")
    body = lxml.html.fragment_fromstring(document.body_html or "<p></p>", create_parent="div")
    read_body(summary, body, document.article.source.name)
    read_notes(summary, body, document.article.source.name)
    read_targets(summary, body)
    if document.cite_entry_html:
        entry = lxml.html.fragment_fromstring(document.cite_entry_html, create_parent="span")
        summary.self_citations.append(Located(normalise_text(text_without_formulas(entry)), "original.record"))
        take_formulas(summary, entry, "original.record")  # shown again in "Cite this article", at the end
    return summary
