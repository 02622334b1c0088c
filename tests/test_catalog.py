"""The OPDS catalog and the read-only server, tested as an e-reader uses them: feedparser (the
client library many readers' catalogue browsers are built like) reads the feeds over HTTP from
`pubpipe serve`, and every link it finds is followed and must give the file it names, with the
media type it announces. The OPDS 1.2 rules that can be checked mechanically are checked on every
feed written (opds_problems below), and a planted breach of each is caught.
"""

from __future__ import annotations

import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from conftest import CANONICAL, FIXTURES, SOURCE, build_into

ATOM = "{http://www.w3.org/2005/Atom}"
ACQUISITION = "http://opds-spec.org/acquisition"
FEED_TYPES = {"application/atom+xml;profile=opds-catalog;kind=acquisition",
              "application/atom+xml;profile=opds-catalog;kind=navigation"}
PACK = """\
title: A Shelf of Two
editor: Ada Editor
date: 2026-03-01
description: Both test articles in one volume.
articles:
  - soviet-relations-with-pakistan
  - features
"""


def opds_problems(path: Path) -> list[str]:
    """What breaks OPDS 1.2 (and the Atom rules it requires) in one feed document."""
    problems = []
    feed = etree.parse(str(path)).getroot()
    links = feed.findall(f"{ATOM}link")
    for rel in ("self", "start"):
        if not any(link.get("rel") == rel and link.get("type") in FEED_TYPES for link in links):
            problems.append(f"{path.name}: no '{rel}' link with a catalog media type")
    for required in ("id", "title", "updated", "author"):
        if feed.find(f"{ATOM}{required}") is None:
            problems.append(f"{path.name}: the feed has no atom:{required}")
    entries = feed.findall(f"{ATOM}entry")
    acquisition = [any((link.get("rel") or "").startswith(ACQUISITION) for link in entry.findall(f"{ATOM}link")) for entry in entries]
    if any(acquisition) and not all(acquisition):
        problems.append(f"{path.name}: a feed is either acquisition or navigation, not both (§2)")
    kind = "acquisition" if any(acquisition) else "navigation"
    if any(link.get("rel") == "self" and not link.get("type", "").endswith(kind) for link in links):
        problems.append(f"{path.name}: its self link does not say kind={kind}")
    for entry in entries:
        title = entry.findtext(f"{ATOM}title") or "?"
        for required in ("id", "title", "updated"):
            if not (entry.findtext(f"{ATOM}{required}") or "").strip():
                problems.append(f"{title}: no atom:{required}")
        if entry.find("{http://purl.org/dc/terms/}title") is not None:
            problems.append(f"{title}: dc:title instead of atom:title (§5.1.1)")
        identifier = entry.findtext("{http://purl.org/dc/terms/}identifier")
        if identifier and identifier == entry.findtext(f"{ATOM}id"):
            problems.append(f"{title}: dc:identifier names the entry, not the publication (§5.1.1)")
        summary = entry.find(f"{ATOM}summary")
        if summary is not None and (summary.get("type", "text") != "text" or len(summary)):
            problems.append(f"{title}: atom:summary must be type text without child elements (§5.1.3)")
        for link in entry.findall(f"{ATOM}link"):
            rel, kind_of = link.get("rel") or "", link.get("type") or ""
            if not kind_of:
                problems.append(f"{title}: link {rel} has no type")
            if rel.startswith(ACQUISITION) and kind_of not in ("application/epub+zip", "application/pdf"):
                problems.append(f"{title}: acquisition link of type {kind_of}")
            if rel.startswith("http://opds-spec.org/image") and kind_of not in ("image/png", "image/jpeg", "image/gif"):
                problems.append(f"{title}: artwork link of type {kind_of} (§5.2.2)")
            if rel in ("subsection", "collection") and kind_of not in FEED_TYPES:
                problems.append(f"{title}: link to a feed with type {kind_of} (§2.2, §2.3)")
        if kind == "acquisition" and not any(link.get("rel") == "http://opds-spec.org/image/thumbnail" for link in entry.findall(f"{ATOM}link")):
            problems.append(f"{title}: no thumbnail")
    return problems


@pytest.fixture(scope="session")
def shelf(tmp_path_factory) -> Path:
    """Two articles and a pack of both, built for real, and their catalog."""
    from pubpipe.catalog.opds import write_catalog
    from pubpipe.cli import main

    root = tmp_path_factory.mktemp("shelf")
    source, build = root / "source", root / "build"
    shutil.copytree(SOURCE / CANONICAL, source / CANONICAL)
    shutil.copytree(FIXTURES / "features", source / "features")
    for slug in (CANONICAL, "features"):
        build_into(source, slug, build)
    (root / "packs").mkdir()
    (root / "packs" / "shelf.yaml").write_text(PACK, encoding="utf-8")
    assert main(["-q", "pack", "shelf", "--formats", "pdf,epub,html", "--root", str(root), "--source", str(source),
                 "--build", str(build)]) == 0
    write_catalog(build, few=1)  # three entries: with navigation by pack and by author
    return build


@pytest.fixture(scope="session")
def server(shelf):
    from pubpipe.catalog.serve import make_server

    httpd = make_server(shelf, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, method: str = "GET") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), b""


def test_every_feed_follows_the_opds_rules(shelf):
    feeds = sorted((shelf / "opds").rglob("*.xml"))
    assert {path.name for path in feeds} >= {"catalog.xml", "by-pack.xml", "by-author.xml", "shelf.xml"}
    for feed in feeds:
        assert opds_problems(feed) == [], feed


def test_the_catalog_lists_every_article_and_pack_as_a_client_reads_it(server, shelf):
    feed = feedparser.parse(f"{server}/opds/catalog.xml")  # over HTTP, as a client fetches it
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert not feed.bozo, feed.bozo_exception
    titles = {entry.title for entry in feed.entries}
    assert titles == {"Soviet Relations with Pakistan", "Features: a Test Article for Every Construct", "A Shelf of Two"}
    for entry in feed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.updated and entry.authors and entry.summary
        assert entry.get("dcterms_language") and entry.get("dcterms_identifier", "").startswith("urn:") and entry.published
        acquisitions = {link.type: link.href for link in entry.links if link.rel.startswith(ACQUISITION)}
        assert set(acquisitions) == {"application/epub+zip", "application/pdf"}
    pack = next(entry for entry in feed.entries if entry.title == "A Shelf of Two")
    assert [author.name for author in pack.authors] == ["Ada Editor"]


def test_every_link_resolves_to_the_file_it_names(server, shelf):
    seen, queue = set(), [f"{server}/opds/catalog.xml"]
    followed = 0
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        feed = feedparser.parse(url)
        assert feed.status == 200 and not feed.bozo, (url, feed.get("bozo_exception"))
        for link in [*feed.feed.get("links", []), *(link for entry in feed.entries for link in entry.links)]:
            if link.type in FEED_TYPES or link.type.startswith("application/atom+xml"):
                queue.append(link.href.split("#")[0])
                continue
            status, served_type, body = fetch(link.href)
            assert status == 200, link.href
            assert served_type.split(";")[0] == link.type, (link.href, served_type, link.type)
            local = shelf / urllib.request.url2pathname(link.href[len(server) + 1:])
            assert body == local.read_bytes(), link.href
            followed += 1
    assert followed >= 3 * 5  # epub, pdf, cover, thumbnail, web page of each entry
    assert any(url.endswith("/by-author.xml") for url in seen) and any(url.endswith("/packs/shelf.xml") for url in seen)


def test_the_server_is_read_only_and_serves_nothing_outside_or_hidden(server, shelf, tmp_path):
    assert fetch(f"{server}/opds/catalog.xml", method="POST")[0] == 405
    assert fetch(f"{server}/opds/catalog.xml", method="DELETE")[0] == 405
    assert fetch(f"{server}/.options")[0] == 404 or not (shelf / ".options").exists()
    (shelf / ".cache").mkdir(exist_ok=True)
    (shelf / ".cache" / "secret.txt").write_text("not for readers")
    assert fetch(f"{server}/.cache/secret.txt")[0] == 404
    outside = tmp_path / "outside.txt"
    outside.write_text("outside")
    (shelf / "link-out.txt").symlink_to(outside)
    assert fetch(f"{server}/link-out.txt")[0] == 404
    assert fetch(f"{server}/%2e%2e/{tmp_path.name}/outside.txt")[0] == 404
    assert fetch(f"{server}/opds/")[0] == 404  # no folder listings
    status, _kind, _body = fetch(f"{server}/")
    assert status == 200  # the root leads to the catalog


@pytest.mark.parametrize("plant, problem", [
    (lambda xml: xml.replace('type="application/epub+zip"', "", 1), "has no type"),
    (lambda xml: xml.replace('rel="self"', 'rel="myself"', 1), "no 'self' link"),
    (lambda xml: xml.replace('<summary type="text">', '<summary type="html">', 1), "atom:summary"),
    (lambda xml: xml.replace("<updated>", "<published>", 2).replace("</updated>", "</published>", 2), "atom:updated"),
    (lambda xml: xml.replace('rel="http://opds-spec.org/image/thumbnail"', 'rel="icon"'), "no thumbnail"),
])
def test_a_planted_breach_of_the_rules_is_caught(shelf, tmp_path, plant, problem):
    planted = tmp_path / "catalog.xml"
    planted.write_text(plant((shelf / "opds" / "catalog.xml").read_text(encoding="utf-8")), encoding="utf-8")
    assert any(problem in found for found in opds_problems(planted)), opds_problems(planted)


def test_the_catalog_is_reproducible_and_drops_stale_feeds(shelf):
    from pubpipe.catalog.opds import write_catalog

    before = {path: path.read_bytes() for path in (shelf / "opds").rglob("*.xml")}
    write_catalog(shelf, few=1)
    assert {path: path.read_bytes() for path in (shelf / "opds").rglob("*.xml")} == before
    write_catalog(shelf)  # three entries are "a few": no navigation feeds
    assert not (shelf / "opds" / "by-author.xml").exists() and (shelf / "opds" / "packs" / "shelf.xml").exists()
    assert opds_problems(shelf / "opds" / "catalog.xml") == []
    write_catalog(shelf, few=1)


@pytest.mark.parametrize("host, everywhere", [("0", True), ("0.0.0.0", True), ("127.0.0.1", False)])
def test_every_spelling_of_every_interface_is_told_as_such(tmp_path, host, everywhere):
    """`HOST=0` shares the editions with the network as `HOST=0.0.0.0` does, and must say so."""
    from pubpipe.catalog.serve import listens_everywhere, make_server

    server = make_server(tmp_path, host, 0)
    try:
        assert listens_everywhere(server) is everywhere
    finally:
        server.server_close()
