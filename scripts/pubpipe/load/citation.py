"""The article's own citation record: how a reader should cite this edition.

An article that was published elsewhere first names that publication in `original.record`, and
that record is cited. Any other article is cited from its own metadata: title, authors, date, and
what Quarto's `citation:` map (or the top-level `publisher:`, `container-title:`, `doi:` and
`url:`) adds. Nothing is invented: a field the front matter does not give is left out, and a name
without `given`/`family` parts stays one literal name rather than being split by guesswork.
"""

from __future__ import annotations

from typing import Any

from pubpipe.load.metadata import Metadata

# CSL fields that Quarto's `citation:` map and the top level may carry, under their CSL names.
PASSED_ON = ("container-title", "collection-title", "publisher", "publisher-place", "volume", "issue",
             "page", "number", "ISSN", "ISBN", "URL", "DOI", "genre")
ALIASES = {"doi": "DOI", "url": "URL", "issn": "ISSN", "isbn": "ISBN"}


def own_record(meta: Metadata, slug: str) -> dict[str, Any]:
    """A CSL item for the article itself, from its front matter (the title is set by resolve)."""
    given: dict[str, Any] = {}
    for source in (meta.extra_citation_fields, meta.citation or {}):
        for key, value in source.items():
            name = ALIASES.get(str(key).lower(), str(key))
            if name in PASSED_ON and isinstance(value, (str, int, float)) and not isinstance(value, bool):
                given[name] = str(value).strip()
    if meta.doi and "DOI" not in given:
        given["DOI"] = meta.doi
    record: dict[str, Any] = {
        "id": slug,
        "title": meta.title,  # resolve puts pandoc's reading of the title in its place
        "type": str((meta.citation or {}).get("type") or ("article-journal" if "container-title" in given else "webpage")),
        "author": [
            {"family": author.family, "given": author.given} if author.family else {"literal": author.name}
            for author in meta.authors
        ],
        **given,
    }
    if meta.date_iso:
        record["issued"] = meta.date_iso
    return record


def citation_record(meta: Metadata, slug: str) -> dict[str, Any]:
    """What "Cite this article" and its downloads cite: the original publication when there is one."""
    return meta.original_record or own_record(meta, slug)
