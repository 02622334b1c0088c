"""The article's own citation record: how a reader should cite this edition.

An article that was published elsewhere first names that publication in `original.record`, and
that record is cited. Any other article is cited from its own metadata: title, authors, date, and
what Quarto's `citation:` map (or the top-level `publisher:`, `container-title:`, `doi:` and
`url:`) adds. Nothing is invented: a field the front matter does not give is left out.

A name written as one string ("Ada Lovelace", "Ludwig van Beethoven") is split into given name,
particle and family name by BibTeX's rule ("First von Last", or "Last, First"), as Quarto also
reads such names, through bibtexparser: without the split a style that inverts the first author
cannot, and prints "Ada Lovelace, and …". A name stays whole where that rule does not apply: a
single word, a script written without spaces between names (Chinese, Japanese, Korean, Thai), a
name with Markdown in it, and a name written as `literal:` (how an organisation is given).
"""

from __future__ import annotations

import re
from typing import Any

from bibtexparser.middlewares.names import parse_single_name_into_parts

from pubpipe.load.authors import Author
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
        "author": [csl_name(author) for author in meta.authors],
        **given,
    }
    if meta.date_iso:
        record["issued"] = meta.date_iso
    return record


# Scripts whose names are not written as space-separated given and family names.
UNSPACED_SCRIPTS = re.compile(r"[\u0E00-\u0E7F\u1100-\u11FF\u3040-\u30FF\u3100-\u312F\u3400-\u4DBF"
                              r"\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF]")
MARKDOWN = re.compile(r"[*_`\[\]\\<>^~{}$]")
# "Martin Luther King, Jr.", "Henry Ford III": how people write a suffix; BibTeX would read the
# first as "Last, First" and the second as a family name "III".
SUFFIX = re.compile(r"(?:Jr|Sr|Jnr|Snr)\.?|II|III|IV")


def _without_written_suffix(name: str) -> str | None:
    """The name before a suffix written at its end ("Martin Luther King, Jr." -> "Martin Luther
    King"), or None. Word by word: one pattern over the name (`^[^,]+?,?\s+…$`) took time in the
    square of a long run of spaces."""
    words = name.split()
    if len(words) < 2 or not SUFFIX.fullmatch(words[-1]):
        return None
    head = name.rstrip()[:-len(words[-1])]
    if not head[-1:].isspace():
        return None
    head = head.rstrip()
    head = head[:-1] if head.endswith(",") else head
    return head if head and "," not in head else None


def csl_name(author: Author) -> dict[str, str]:
    """The author as a CSL name: the parts the front matter gives, else the BibTeX split of the
    name, else the whole name as one literal."""
    if author.family:
        parts = {"family": author.family, "given": author.given, "dropping-particle": author.dropping_particle,
                 "non-dropping-particle": author.non_dropping_particle, "suffix": author.suffix}
        return {key: value for key, value in parts.items() if value}
    name = author.name
    if author.literal or len(name.split()) < 2 or UNSPACED_SCRIPTS.search(name) or MARKDOWN.search(name):
        return {"literal": name}
    before_suffix = _without_written_suffix(name)
    try:
        parts = parse_single_name_into_parts(before_suffix or name, strict=False)
    except Exception:  # an unbalanced brace or the like: the name is kept whole
        return {"literal": name}
    if not parts.first or not parts.last:
        return {"literal": name}
    split = {"given": " ".join(parts.first), "family": " ".join(parts.last)}
    if parts.von:
        split["non-dropping-particle"] = " ".join(parts.von)
    suffix = " ".join(parts.jr) or (name.split()[-1] if before_suffix else "")
    if suffix:
        split["suffix"] = suffix
    return split


def citation_record(meta: Metadata, slug: str) -> dict[str, Any]:
    """What "Cite this article" and its downloads cite: the original publication when there is one."""
    return meta.original_record or own_record(meta, slug)
