"""Metadata for the HTML <head>: description, Dublin Core, Highwire Press `citation_*` tags
(read by Zotero and Google Scholar) and schema.org JSON-LD.

Where each value comes from:
- title, authors, description, keywords, language, rights: the article's front matter, as
  rendered to plain text by the resolve step; DC.date, citation_publication_date and JSON-LD
  datePublished: the date read into ISO 8601 (pubpipe.load.dates), never the words as written;
- every citation_* tag (title, authors, journal or book title, volume, issue, pages, publisher,
  date, DOI): `original.record`, the CSL item of the original publication, so that Zotero and
  Google Scholar save the same work the "Cite this article" box and the downloads cite; without
  one, the article's own record (pubpipe.load.citation) and its authors, each followed by
  citation_author_institution and citation_author_orcid as Highwire orders them;
- JSON-LD authors: name, given and family name, affiliations and the ORCID record (`sameAs`);
- DC.source and JSON-LD isBasedOn: that record as formatted by the CSL style.
"""

from __future__ import annotations

import json

from pubpipe.editions.citation_formats import date_parts, names, page_range, record_text
from pubpipe.editions.parts import ORCID_URL, esc
from pubpipe.resolve import ResolvedDocument


def _meta(name: str, content, attribute: str = "name") -> str:
    if content is None or str(content).strip() == "":
        return ""
    return f'<meta {attribute}="{esc(name)}" content="{esc(" ".join(str(content).split()))}">\n'


JOURNAL_TYPES = ("article-journal", "article-magazine", "article-newspaper")


def _container_tags(doc: ResolvedDocument, record: dict) -> list[str]:
    """Highwire names the container by the kind of work: a journal, or the book it is part of."""
    container = record.get("container-title") and _record_text(doc, record, "container-title")
    kind = record.get("type")
    if not container:
        return []
    if kind in JOURNAL_TYPES:
        return [_meta("citation_journal_title", container)]
    if kind == "paper-conference":
        return [_meta("citation_conference_title", container)]
    return [_meta("citation_inbook_title", container)]


def _record_text(doc: ResolvedDocument, record: dict, key: str) -> str:
    """A title of the cited record as text: pandoc's reading of it, its formulas in Unicode (a CSL
    title may hold `$\\alpha$`, which would stay TeX)."""
    return record_text(record, key, doc.cite_titles)


def _author_tags(doc: ResolvedDocument) -> list[str]:
    """citation_author for each author, followed by their institutions and ORCID iD."""
    record = doc.article.metadata.original_record
    if record and names(record, "author"):
        return [_meta("citation_author", f"{family}, {given}" if given else family) for family, given in names(record, "author")]
    tags = []
    for name, author in zip(doc.authors, doc.article.metadata.authors):
        tags.append(_meta("citation_author", name.text))
        tags += [_meta("citation_author_institution", doc.affiliations[index].text)
                 for index, place in enumerate(doc.article.metadata.affiliations) if place in author.affiliations]
        if author.orcid:
            tags.append(_meta("citation_author_orcid", ORCID_URL + author.orcid))
    return tags


def _publication_date(doc: ResolvedDocument, record: dict) -> str | None:
    """Highwire's form: 2019/10/11, 2019/10 or 2019."""
    parts = date_parts(record.get("issued")) if doc.article.metadata.original_record else None
    if parts:
        return "/".join(str(part) for part in parts)
    iso = doc.article.metadata.date_iso
    return iso.replace("-", "/") if iso else None


def dublin_core(title, creators, lang: str, identifier: str, rights, description, subjects, date: str | None,
                kind: str) -> list[str]:
    """The description and Dublin Core tags of any page we make (an article, a course pack's
    index); the values are resolve.Field. The checker reads them back (check/read_html.py)."""
    return [
        _meta("description", description.text if description else None),
        _meta("keywords", ", ".join(k.text for k in subjects)),
        '<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">\n',
        _meta("DC.title", title.text),
        *(_meta("DC.creator", creator.text) for creator in creators),
        _meta("DC.language", lang),
        _meta("DC.identifier", identifier),
        _meta("DC.rights", rights.text if rights else None),
        _meta("DC.description", description.text if description else None),
        *(_meta("DC.subject", subject.text) for subject in subjects),
        _meta("DC.date", date),
        _meta("DC.type", kind),
        _meta("DC.format", "text/html"),
    ]


def head_metadata(doc: ResolvedDocument) -> str:
    meta = doc.article.metadata
    record = doc.cite_record
    first_page, last_page = page_range(record)
    source = doc.original_entry_text
    tags = [
        *dublin_core(doc.title, doc.authors, meta.lang, meta.identifier, doc.rights, doc.description, doc.keywords,
                     meta.date_iso, "Text"),
        _meta("DC.source", source),
        _meta("citation_title", _record_text(doc, record, "title") if meta.original_record and record.get("title") else doc.title.text),
        *_author_tags(doc),
        _meta("citation_publication_date", _publication_date(doc, record)),
        _meta("citation_abstract", doc.abstract.text if doc.abstract else None),
        *_container_tags(doc, record),
        _meta("citation_volume", record.get("volume")),
        _meta("citation_issue", record.get("issue")),
        _meta("citation_firstpage", first_page),
        _meta("citation_lastpage", last_page),
        _meta("citation_publisher", record.get("publisher")),
        _meta("citation_doi", record.get("DOI")),
        _meta("citation_isbn", record.get("ISBN")),
        _meta("citation_public_url", record.get("URL")),
        _meta("citation_issn", record.get("ISSN")),
        _meta("citation_language", meta.lang),
    ]
    return "".join(tags) + json_ld(doc, meta.original_record or {}, first_page, last_page)


def json_ld(doc: ResolvedDocument, record: dict, first_page: str | None, last_page: str | None) -> str:
    meta = doc.article.metadata
    data: dict = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": doc.title.text,
        "name": doc.title.text,
        "author": [_person(doc, name, author) for name, author in zip(doc.authors, meta.authors)],
        "inLanguage": meta.lang,
        "identifier": meta.identifier,
        "keywords": [k.text for k in doc.keywords],
    }
    if doc.description:
        data["description"] = doc.description.text
    if doc.rights:
        data["copyrightNotice"] = doc.rights.text
    if meta.date_iso:
        data["datePublished"] = meta.date_iso
    if doc.abstract:
        data["abstract"] = doc.abstract.text
    if meta.doi:
        data["sameAs"] = "https://doi.org/" + meta.doi.removeprefix("https://doi.org/")
    if record:
        container = {
            "@type": "Periodical" if record.get("type") in JOURNAL_TYPES else "Book",
            "name": _record_text(doc, record, "container-title") or _record_text(doc, record, "title"),
        }
        if record.get("publisher"):
            container["publisher"] = {"@type": "Organization", "name": record["publisher"]}
        data["isPartOf"] = container
        if first_page:
            data["pageStart"] = first_page
        if last_page:
            data["pageEnd"] = last_page
        if record.get("page"):
            data["pagination"] = str(record["page"])
        if doc.original_entry_html:
            data["isBasedOn"] = {"@type": "CreativeWork", "name": _record_text(doc, record, "title") or doc.title.text,
                                 "description": doc.original_entry_text}
    script = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    # "</" (any case) would end the script element early; "<!--" would open a comment in it.
    script = script.replace("<", "\\u003c")
    return f'<script type="application/ld+json">\n{script}\n</script>\n'


def _person(doc: ResolvedDocument, name, author) -> dict:
    person: dict = {"@type": "Person", "name": name.text}
    if author.given:
        person["givenName"] = author.given
    if author.family:
        person["familyName"] = " ".join(part for part in (author.non_dropping_particle, author.family) if part)
    if author.suffix:
        person["honorificSuffix"] = author.suffix
    places = [doc.affiliations[index].text for index, place in enumerate(doc.article.metadata.affiliations)
              if place in author.affiliations]
    if places:
        person["affiliation"] = [{"@type": "Organization", "name": place} for place in places]
    if author.orcid:
        person["identifier"] = {"@type": "PropertyValue", "propertyID": "ORCID", "value": author.orcid}
        person["sameAs"] = ORCID_URL + author.orcid
    return person

