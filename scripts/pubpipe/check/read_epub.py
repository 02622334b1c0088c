"""Reads the EPUB, as built: the OPF's metadata and the spine's XHTML documents, in spine order."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree

from pubpipe.check.read_markup import read_abstract, read_article_document, read_subtitle
from pubpipe.check.summary import Summary, normalise_text

NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def opf_metadata(opf) -> dict:
    def values(name: str) -> list[str]:
        return [normalise_text("".join(e.itertext())) for e in opf.iterfind(f".//dc:{name}", NS)]

    first = lambda items: items[0] if items else None  # noqa: E731
    unique = opf.get("unique-identifier")
    identifier = next((normalise_text("".join(e.itertext())) for e in opf.iterfind(".//dc:identifier", NS)
                       if e.get("id") == unique), first(values("identifier")))
    return {
        "title": first(values("title")),
        "authors": values("creator"),
        "language": first(values("language")),
        "date": first(values("date")),
        "identifier": identifier,
        "rights": first(values("rights")),
        "description": first(values("description")),
        "keywords": values("subject"),
    }


def spine_documents(archive: zipfile.ZipFile) -> tuple[etree._Element, list[tuple[str, etree._Element]]]:
    container = etree.fromstring(archive.read("META-INF/container.xml"))
    opf_path = container.find(".//c:rootfile", NS).get("full-path")
    opf = etree.fromstring(archive.read(opf_path))
    base = posixpath.dirname(opf_path)
    manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", NS)}
    documents = []
    for itemref in opf.iterfind(".//opf:spine/opf:itemref", NS):
        href = posixpath.normpath(posixpath.join(base, manifest[itemref.get("idref")]))
        documents.append((href, etree.fromstring(archive.read(href))))
    return opf, documents


def read_epub(path: Path) -> Summary:
    with zipfile.ZipFile(path) as archive:
        opf, documents = spine_documents(archive)
    summary = Summary(edition="epub", metadata={**opf_metadata(opf), "abstract": None})
    for href, root in documents:
        abstract = read_abstract(root)
        if abstract is not None:
            summary.metadata["abstract"] = abstract
        subtitle = read_subtitle(root)
        if subtitle is not None:
            summary.metadata["subtitle"] = subtitle
        read_article_document(summary, root, href)
    return summary
