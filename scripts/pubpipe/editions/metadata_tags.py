"""Metadata for the HTML <head>: description, Dublin Core, Highwire Press `citation_*` tags
(read by Zotero and Google Scholar) and schema.org JSON-LD.

Where each value comes from:
- title, authors, description, keywords, language, rights: the article's front matter, as
  rendered to plain text by the resolve step;
- citation_inbook_title, pages, publisher, publication date: `original.record`, the CSL item of
  the original publication, so the tags describe the same work the "Cite this article" box does.
"""

from __future__ import annotations

import json

from pubpipe.editions.parts import esc
from pubpipe.resolve import ResolvedDocument


def _meta(name: str, content: str | None, attribute: str = "name") -> str:
    if not content:
        return ""
    return f'<meta {attribute}="{esc(name)}" content="{esc(content)}">\n'


def _record_year(record: dict) -> str | None:
    issued = record.get("issued")
    if isinstance(issued, dict):
        parts = (issued.get("date-parts") or [[None]])[0]
        return str(parts[0]) if parts and parts[0] else None
    return str(issued)[:4] if issued else None


def _person(name: dict | str) -> str:
    if isinstance(name, str):
        return name
    return ", ".join(part for part in (name.get("family"), name.get("given")) if part) or name.get("literal", "")


def head_metadata(doc: ResolvedDocument) -> str:
    meta = doc.article.metadata
    record = meta.original_record or {}
    pages = str(record.get("page", "")).replace("–", "-").split("-")
    citation_authors = [_person(name) for name in record.get("author") or []] or [a.text for a in doc.authors]
    tags = [
        _meta("description", doc.description.text if doc.description else None),
        _meta("keywords", ", ".join(k.text for k in doc.keywords)),
        _meta("DC.title", doc.title.text),
        *(_meta("DC.creator", author.text) for author in doc.authors),
        _meta("DC.language", meta.lang),
        _meta("DC.identifier", meta.identifier),
        _meta("DC.rights", doc.rights.text if doc.rights else None),
        _meta("DC.description", doc.description.text if doc.description else None),
        *(_meta("DC.subject", keyword.text) for keyword in doc.keywords),
        _meta("DC.date", doc.date.text if doc.date else None),
        _meta("citation_title", doc.title.text),
        *(_meta("citation_author", name) for name in citation_authors),
        _meta("citation_publication_date", _record_year(record) or (doc.date.text if doc.date else None)),
        _meta("citation_inbook_title", record.get("container-title")),
        _meta("citation_firstpage", pages[0] if pages[0] else None),
        _meta("citation_lastpage", pages[-1] if len(pages) > 1 else None),
        _meta("citation_publisher", record.get("publisher")),
        _meta("citation_language", meta.lang),
    ]
    json_ld = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": doc.title.text,
        "name": doc.title.text,
        "author": [{"@type": "Person", "name": author.text} for author in doc.authors],
        "inLanguage": meta.lang,
        "identifier": meta.identifier,
        "keywords": [k.text for k in doc.keywords],
    }
    if doc.description:
        json_ld["description"] = doc.description.text
    if doc.rights:
        json_ld["copyrightNotice"] = doc.rights.text
    if doc.date:
        json_ld["datePublished"] = doc.date.text
    if record:
        json_ld["isPartOf"] = {
            "@type": "Book",
            "name": record.get("container-title"),
            "publisher": {"@type": "Organization", "name": record.get("publisher")},
        }
        if record.get("page"):
            json_ld["pagination"] = str(record["page"])
    script = json.dumps(json_ld, ensure_ascii=False, indent=1, sort_keys=True).replace("</", "<\\/")
    return "".join(tags) + f'<script type="application/ld+json">\n{script}\n</script>\n'
