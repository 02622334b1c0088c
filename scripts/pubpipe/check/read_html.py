"""Reads the web edition, as built, into a Summary."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from pubpipe.check.read_markup import read_abstract, read_article_document, read_subtitle, text_of
from pubpipe.check.summary import Summary, normalise_text


def _meta(root, name: str) -> list[str]:
    return [normalise_text(m.get("content") or "") for m in root.iter("meta") if m.get("name") == name]


def html_metadata(root) -> dict:
    title = root.find(".//title")
    first = lambda values: values[0] if values else None  # noqa: E731
    return {
        "title": text_of(title) if title is not None else None,
        "subtitle": read_subtitle(root),
        "authors": _meta(root, "DC.creator"),
        "language": root.get("lang"),
        "date": first(_meta(root, "DC.date")),
        "identifier": first(_meta(root, "DC.identifier")),
        "rights": first(_meta(root, "DC.rights")),
        "description": first(_meta(root, "description")),
        "keywords": _meta(root, "DC.subject"),
        "abstract": read_abstract(root),
    }


def read_html_string(markup: str, edition: str = "html") -> Summary:
    root = lxml.html.document_fromstring(markup)
    summary = Summary(edition=edition, metadata=html_metadata(root))
    read_article_document(summary, root, "", notes_in_body=True)
    return summary


def read_html(path: Path) -> Summary:
    return read_html_string(path.read_text(encoding="utf-8"))
