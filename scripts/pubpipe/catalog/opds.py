"""The OPDS 1.2 catalog of everything built: `build/opds/catalog.xml`, an Atom acquisition feed
with one entry for every article and every course pack, so that an e-reader's catalogue browser
(KOReader, Thorium, Aldiko, Calibre's server clients) can list them and download them.

Each entry describes a publication as built, read from its EPUB's package metadata (title,
creators, language, identifier, description, dates, subjects, rights): the catalog cannot
describe a book other than the one it serves. Its acquisition links point at the EPUB and the
PDF (with their media types), its artwork links at the cover and thumbnail the EPUB build wrote
beside the book (editions/epub.py), and an article in a pack links to the pack's feed as its
`collection`. Links are relative, so the catalog works wherever build/ is served.

When there are more than a few entries, two navigation feeds are written as well, by pack and by
author, each leading to an acquisition feed of its own. Every feed is written atomically and
every date comes from the publications (SOURCE_DATE_EPOCH), so the same build gives the same
catalog, byte for byte. The rules of OPDS 1.2 this follows are tested with feedparser
(tests/test_catalog.py).
"""

from __future__ import annotations

import os
import posixpath
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from pubpipe.runtime.output import write_bytes_atomic

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/terms/"
OPDS = "http://opds-spec.org/2010/catalog"
NSMAP = {None: ATOM, "dc": DC, "opds": OPDS}
ACQUISITION_FEED = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION_FEED = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUIRE = "http://opds-spec.org/acquisition/open-access"  # free, no sign-in: what these are
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"
MEDIA_TYPES = {".epub": "application/epub+zip", ".pdf": "application/pdf", ".html": "text/html", ".png": "image/png"}
FEW = 5  # more entries than this, and the catalog also offers navigation by pack and by author
CATALOG_TITLE = "Articles and course packs"
FOLDER = "opds"
NOT_ARTICLES = {"packs", FOLDER, "bench"}


@dataclass
class Publication:
    kind: str  # "article" or "pack"
    key: str  # slug or pack name
    epub: Path
    title: str
    creators: list[str]
    lang: str
    identifier: str
    modified: str  # W3C date-time, from dcterms:modified
    issued: str | None
    summary: str | None
    rights: str | None
    subjects: list[str]
    members: list[str] = field(default_factory=list)  # a pack's articles, in order
    packs: list[str] = field(default_factory=list)  # the packs an article is in

    def sibling(self, suffix: str) -> Path:
        return self.epub.with_name(self.epub.stem + suffix)


_OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
        "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_MEMBER = re.compile(r"^a\d{3}-(.+)\.xhtml$")  # a pack's article documents (packs/epub.py)


def read_publication(kind: str, key: str, epub: Path) -> Publication:
    """What the EPUB's package says about itself."""
    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//c:rootfile", _OPF).get("full-path")
        opf = etree.fromstring(archive.read(opf_path))

    def values(name: str) -> list[str]:
        return [" ".join("".join(e.itertext()).split()) for e in opf.iterfind(f".//dc:{name}", _OPF)]

    unique = opf.get("unique-identifier")
    identifier = next((" ".join("".join(e.itertext()).split()) for e in opf.iterfind(".//dc:identifier", _OPF)
                       if e.get("id") == unique), (values("identifier") or [key])[0])
    modified = next((e.text.strip() for e in opf.iterfind(".//opf:meta[@property='dcterms:modified']", _OPF) if e.text), None)
    members = []
    if kind == "pack":
        manifest = {item.get("id"): item.get("href") for item in opf.iterfind(".//opf:manifest/opf:item", _OPF)}
        for itemref in opf.iterfind(".//opf:spine/opf:itemref", _OPF):
            match = _MEMBER.match(posixpath.basename(manifest.get(itemref.get("idref"), "")))
            if match:
                members.append(match.group(1))
    first = lambda items: items[0] if items else None  # noqa: E731
    return Publication(
        kind=kind, key=key, epub=epub, title=first(values("title")) or key, creators=values("creator"),
        lang=first(values("language")) or "und", identifier=identifier,
        modified=modified or "1980-01-01T00:00:00Z", issued=first(values("date")), summary=first(values("description")),
        rights=first(values("rights")), subjects=values("subject"), members=members,
    )


def find_publications(build_root: Path) -> list[Publication]:
    """Every article (build/<slug>/<slug>.epub) and pack (build/packs/<name>/<name>.epub) built."""
    found = []
    for folder in sorted(path for path in build_root.iterdir() if path.is_dir() and not path.name.startswith(".")):
        epub = folder / f"{folder.name}.epub"
        if folder.name not in NOT_ARTICLES and epub.is_file():
            found.append(read_publication("article", folder.name, epub))
    for folder in sorted((build_root / "packs").glob("*/")) if (build_root / "packs").is_dir() else []:
        epub = folder / f"{folder.name}.epub"
        if epub.is_file():
            found.append(read_publication("pack", folder.name, epub))
    by_key = {p.key: p for p in found if p.kind == "article"}
    for pack in (p for p in found if p.kind == "pack"):
        for member in pack.members:
            if member in by_key:
                by_key[member].packs.append(pack.key)
    return found


def entry_id(publication: Publication) -> str:
    """The entry's own id, never the publication's: OPDS 1.2 §5.1.1 keeps them apart."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"pubpipe-opds-entry|{publication.identifier}"))


def _href(target: Path, feed: Path) -> str:
    return Path(os.path.relpath(target, feed.parent)).as_posix()


def _sub(parent, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def _link(parent, rel: str, href: str, kind: str, title: str | None = None) -> None:
    attributes = {"rel": rel, "href": href, "type": kind}
    if title:
        attributes["title"] = title
    etree.SubElement(parent, f"{{{ATOM}}}link", attributes)


def _entry(feed, publication: Publication, feed_path: Path, build_root: Path) -> None:
    entry = _sub(feed, f"{{{ATOM}}}entry")
    _sub(entry, f"{{{ATOM}}}title", publication.title)
    _sub(entry, f"{{{ATOM}}}id", entry_id(publication))
    _sub(entry, f"{{{ATOM}}}updated", publication.modified)
    for name in publication.creators:
        _sub(_sub(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", name)
    _sub(entry, f"{{{DC}}}identifier", publication.identifier)
    _sub(entry, f"{{{DC}}}language", publication.lang)
    if publication.issued:
        _sub(entry, f"{{{DC}}}issued", publication.issued)
    if publication.rights:
        _sub(entry, f"{{{ATOM}}}rights", publication.rights)
    for subject in publication.subjects:
        etree.SubElement(entry, f"{{{ATOM}}}category", {"term": subject, "label": subject})
    if publication.summary:
        _sub(entry, f"{{{ATOM}}}summary", publication.summary, type="text")
    for rel, suffix in ((IMAGE, "-cover.png"), (THUMBNAIL, "-thumbnail.png")):
        if publication.sibling(suffix).is_file():
            _link(entry, rel, _href(publication.sibling(suffix), feed_path), MEDIA_TYPES[".png"])
    for suffix in (".epub", ".pdf"):
        if publication.sibling(suffix).is_file():
            _link(entry, ACQUIRE, _href(publication.sibling(suffix), feed_path), MEDIA_TYPES[suffix])
    if publication.sibling(".html").is_file():
        _link(entry, "alternate", _href(publication.sibling(".html"), feed_path), MEDIA_TYPES[".html"], "Read on the web")
    for pack in publication.packs:
        _link(entry, "collection", _href(pack_feed(build_root, pack), feed_path), ACQUISITION_FEED)


def _feed(title: str, feed_id: str, path: Path, kind: str, build_root: Path, updated: str, up: bool = True):
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=NSMAP)
    _sub(feed, f"{{{ATOM}}}id", feed_id)
    _sub(feed, f"{{{ATOM}}}title", title)
    _sub(feed, f"{{{ATOM}}}updated", updated)
    _sub(_sub(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", "pubpipe")
    _link(feed, "self", path.name, kind)
    root = catalog_path(build_root)
    _link(feed, "start", _href(root, path), ACQUISITION_FEED)
    if up and path != root:
        _link(feed, "up", _href(root, path), ACQUISITION_FEED)
    return feed


def catalog_path(build_root: Path) -> Path:
    return build_root / FOLDER / "catalog.xml"


def pack_feed(build_root: Path, name: str) -> Path:
    return build_root / FOLDER / "packs" / f"{name}.xml"


def author_key(name: str) -> str:
    """A file name for an author's feed: readable, and unique by a digest of the whole name."""
    readable = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:40] or "author"
    return f"{readable}-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:8]}"


def _newest(publications: list[Publication]) -> str:
    return max((p.modified for p in publications), default="1980-01-01T00:00:00Z")


def _feed_id(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "pubpipe-opds|" + "|".join(parts)))


def _write(feed, path: Path, written: set[Path]) -> None:
    write_bytes_atomic(path, etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True))
    written.add(path)


def _navigation(build_root: Path, name: str, title: str, items: list[tuple[str, Path, str, str]], written: set[Path]) -> Path:
    """A navigation feed: one entry per (title, acquisition feed, summary, updated)."""
    path = build_root / FOLDER / name
    feed = _feed(title, _feed_id(name), path, NAVIGATION_FEED, build_root, max((i[3] for i in items), default=_newest([])))
    for item_title, target, summary, updated in items:
        entry = _sub(feed, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{ATOM}}}title", item_title)
        _sub(entry, f"{{{ATOM}}}id", _feed_id(name, item_title, target.name))
        _sub(entry, f"{{{ATOM}}}updated", updated)
        _sub(entry, f"{{{ATOM}}}content", summary, type="text")
        _link(entry, "subsection", _href(target, path), ACQUISITION_FEED, item_title)
    _write(feed, path, written)
    return path


def _acquisition(build_root: Path, path: Path, title: str, feed_id: str, publications: list[Publication],
                 written: set[Path], extra_links: list[tuple[str, Path, str, str]] = ()) -> None:
    feed = _feed(title, feed_id, path, ACQUISITION_FEED, build_root, _newest(publications))
    for rel, target, kind, link_title in extra_links:
        _link(feed, rel, _href(target, path), kind, link_title)
    for publication in publications:
        _entry(feed, publication, path, build_root)
    _write(feed, path, written)


def write_catalog(build_root: Path, few: int = FEW) -> tuple[Path, int]:
    """Write every feed; remove feeds left from an earlier catalog. Returns (root feed, entries).

    Each pack has a feed of its own (the pack and its articles: the `collection` its articles link
    to); with more than `few` entries the catalog also offers navigation by pack and by author."""
    publications = find_publications(build_root)
    # Most recently updated first (OPDS 1.2 §2.5), ties in a stable order.
    publications.sort(key=lambda p: (p.modified, p.kind, p.key), reverse=True)
    written: set[Path] = set()
    root = catalog_path(build_root)
    articles = {p.key: p for p in publications if p.kind == "article"}
    pack_items = []
    for pack in sorted((p for p in publications if p.kind == "pack"), key=lambda p: p.title.casefold()):
        members = [pack, *(articles[m] for m in pack.members if m in articles)]
        path = pack_feed(build_root, pack.key)
        _acquisition(build_root, path, pack.title, _feed_id("pack", pack.identifier), members, written)
        pack_items.append((pack.title, path, f"The pack and its {len(members) - 1} articles", pack.modified))
    navigation = []
    if len(publications) > few:
        by_author: dict[str, list[Publication]] = {}
        for publication in publications:
            for name in publication.creators:
                by_author.setdefault(name, []).append(publication)
        author_items = []
        for name in sorted(by_author, key=str.casefold):
            path = build_root / FOLDER / "authors" / f"{author_key(name)}.xml"
            _acquisition(build_root, path, name, _feed_id("author", name), by_author[name], written)
            author_items.append((name, path, f"{len(by_author[name])} publications", _newest(by_author[name])))
        if pack_items:
            navigation.append(("subsection", _navigation(build_root, "by-pack.xml", "By pack", pack_items, written),
                               NAVIGATION_FEED, "By pack"))
        navigation.append(("subsection", _navigation(build_root, "by-author.xml", "By author", author_items, written),
                           NAVIGATION_FEED, "By author"))
    _acquisition(build_root, root, CATALOG_TITLE, _feed_id("catalog"), publications, written, navigation)
    for stale in (build_root / FOLDER).rglob("*.xml"):
        if stale not in written:
            stale.unlink()
    return root, len(publications)
