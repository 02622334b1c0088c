"""The EPUB edition: package metadata, accessibility claims true to the content, navigation, cover,
title page, colophon, pop-up footnotes, a reproducible zip, and EPUBCheck and the Nu checker with
nothing to report. Runs on the canonical article and on the features fixture (figure, table,
footnotes, Cyrillic)."""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from conftest import CANONICAL, FIXTURES, build_into
from pubpipe.load.article import load_article
from pubpipe.check import validators

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"


class Book:
    """An EPUB read back: its OPF and its XHTML documents, parsed."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.infos = archive.infolist()
            self.files = {name: archive.read(name) for name in archive.namelist()}
        self.opf = etree.fromstring(self.files["EPUB/content.opf"])
        self.manifest = {item.get("id"): item for item in self.opf.iterfind(".//opf:manifest/opf:item", NS)}
        self.spine = [self.manifest[ref.get("idref")].get("href") for ref in self.opf.iterfind(".//opf:spine/opf:itemref", NS)]

    def document(self, href: str) -> etree._Element:
        return etree.fromstring(self.files[posixpath.join("EPUB", href)])

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f".//dc:{name}", NS)]

    def meta(self, prop: str) -> list[str]:
        return [e.text for e in self.opf.iterfind(f".//opf:meta[@property='{prop}']", NS)]


@pytest.fixture(scope="module", params=["canonical", "features"])
def built(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def book(built) -> Book:
    return Book(built.edition("epub"))


def test_package_metadata_comes_from_the_article(built, book):
    article = load_article(built.source)
    meta = article.metadata
    uuid = meta.identifier.removeprefix("urn:uuid:")
    assert book.dc("identifier") == [meta.identifier, f"pubpipe:{uuid}"]  # the second for calibre
    assert book.opf.get("unique-identifier") == book.opf.find(".//dc:identifier", NS).get("id")
    assert book.dc("title") == [meta.title]  # both articles' titles are plain text
    assert book.dc("language") == [meta.lang]
    assert book.opf.get("{http://www.w3.org/XML/1998/namespace}lang") == meta.lang
    assert book.dc("creator") == meta.author_names
    for creator in book.opf.iterfind(".//dc:creator", NS):
        roles = book.opf.xpath(f".//opf:meta[@refines='#{creator.get('id')}'][@property='role']", namespaces=NS)
        assert [(r.text, r.get("scheme")) for r in roles] == [("aut", "marc:relators")]
    assert book.dc("subject") == meta.keywords
    assert book.dc("rights") and book.dc("description")
    source = book.dc("source")
    assert len(source) == 1 and meta.original_record["container-title"] in source[0]
    assert len(book.meta("dcterms:modified")) == 1


def test_identifier_is_derived_from_the_metadata_when_the_article_has_none(features):
    # The features fixture gives no `identifier:`; the derived one is a name-based UUID.
    book = Book(features.edition("epub"))
    assert book.dc("identifier")[0].startswith("urn:uuid:")
    assert book.dc("identifier")[0] == load_article(features.source).metadata.identifier


def test_accessibility_metadata_is_true_to_the_content(built, book):
    has_images = any(b"<img" in data for name, data in book.files.items() if name.endswith(".xhtml"))
    modes = book.meta("schema:accessMode")
    assert ("visual" in modes) == has_images
    assert "textual" in modes and "textual" in book.meta("schema:accessModeSufficient")
    features = book.meta("schema:accessibilityFeature")
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(features)
    assert ("alternativeText" in features) == has_images
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0]
    assert book.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    for name, data in book.files.items():
        if name.endswith(".xhtml"):
            for img in etree.fromstring(data).iter(f"{{{NS['x']}}}img"):
                assert img.get("alt", "").strip(), f"{name}: an image without alt text"
    assert ("visual" in modes) == (built.slug == "features")


def test_navigation_has_a_nested_toc_and_landmarks_and_every_link_resolves(book):
    nav_href = next(item.get("href") for item in book.manifest.values() if "nav" in (item.get("properties") or "").split())
    nav = book.document(nav_href)
    navs = {n.get(EPUB_TYPE): n for n in nav.iter(f"{{{NS['x']}}}nav")}
    assert set(navs) == {"toc", "landmarks"}  # no page-list: the article has no print pages of its own
    landmark_types = [a.get(EPUB_TYPE) for a in navs["landmarks"].iter(f"{{{NS['x']}}}a")]
    assert {"toc", "bodymatter", "titlepage", "colophon"} <= set(landmark_types)
    ids = {href: {e.get("id") for e in book.document(href).iter() if e.get("id")} for href in book.spine}
    for link in nav.iter(f"{{{NS['x']}}}a"):
        target, _, fragment = link.get("href").partition("#")
        assert target in book.spine, link.get("href")
        assert not fragment or fragment in ids[target], link.get("href")
    toc_texts = [" ".join(a.itertext()) for a in navs["toc"].iter(f"{{{NS['x']}}}a")]
    assert toc_texts[0] == "Title page" and toc_texts[-1] == "Colophon"


def test_cover_is_typeset_from_the_metadata_and_stays_out_of_the_spine(book):
    cover = [item for item in book.manifest.values() if "cover-image" in (item.get("properties") or "")]
    assert len(cover) == 1
    image = Image.open(io.BytesIO(book.files["EPUB/" + cover[0].get("href")]))
    assert image.format == "PNG" and image.size == (1600, 2400)
    # Not a blank page: the title is drawn in the ink colour on the background.
    assert len(image.convert("L").getcolors(1 << 16) or []) > 20
    assert cover[0].get("href") not in book.spine


def test_title_page_and_colophon_say_where_the_text_comes_from(book):
    assert book.spine[0] == "titlepage.xhtml" and book.spine[-1] == "colophon.xhtml"
    title_page = book.document("titlepage.xhtml")
    assert title_page.find(".//x:body", NS).get(EPUB_TYPE) == "frontmatter"
    assert title_page.find(".//x:h1", NS) is not None
    colophon = book.document("colophon.xhtml")
    section = colophon.find(".//x:section", NS)
    assert section.get(EPUB_TYPE) == "colophon" and section.get("role") == "doc-colophon"
    entries = ["".join(e.itertext()) for e in colophon.iterfind(".//x:p[@class='csl-entry']", NS)]
    assert len(entries) == 1 and entries[0] in book.dc("source")[0]


def test_footnotes_are_epub_footnotes_with_backlinks(built, book):
    article = book.document("article.xhtml")
    refs = [a for a in article.iter(f"{{{NS['x']}}}a") if a.get(EPUB_TYPE) == "noteref"]
    notes = {aside.get("id"): aside for aside in article.iter(f"{{{NS['x']}}}aside") if aside.get(EPUB_TYPE) == "footnote"}
    # As many as the web edition has (notes and, in a notes style, citations); the fixture has some.
    expected = built.edition("html").read_text(encoding="utf-8").count('class="footnote-back"')
    assert len(refs) == len(notes) == expected
    assert expected > 0 or built.slug == CANONICAL
    for ref in refs:
        note = notes[ref.get("href").lstrip("#")]
        assert note.get("role") == "doc-footnote"
        backlinks = [a for a in note.iter(f"{{{NS['x']}}}a") if a.get("role") == "doc-backlink"]
        assert [a.get("href") for a in backlinks] == [f"#{ref.get('id')}"]
        assert backlinks[0].get("aria-label")


def test_the_style_sheet_leaves_font_size_and_colour_to_the_reader(book):
    css = book.files["EPUB/styles/epub.css"].decode("utf-8")
    body_rule = css.split("body {", 1)[1].split("}", 1)[0]
    assert "font-size" not in body_rule and "font-family" not in body_rule and "color" not in body_rule
    assert "px" not in css.replace("1px solid", "")  # only relative sizes, but for hairlines


def test_the_zip_is_an_ocf_container(book):
    first = book.infos[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.files["mimetype"] == b"application/epub+zip"
    assert len({info.date_time for info in book.infos}) == 1
    assert [i.filename for i in book.infos[1:]] == sorted(i.filename for i in book.infos[1:])


def test_two_builds_are_byte_identical_and_modified_is_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1234567890")
    first = build_into(FIXTURES, "features", tmp_path / "one", "--formats", "html,epub")
    second = build_into(FIXTURES, "features", tmp_path / "two", "--formats", "html,epub")
    for suffix in ("epub", "html"):
        assert first.edition(suffix).read_bytes() == second.edition(suffix).read_bytes(), suffix
    book = Book(first.edition("epub"))
    assert book.meta("dcterms:modified") == ["2009-02-13T23:31:30Z"]
    assert book.infos[0].date_time == dt.datetime(2009, 2, 13, 23, 31, 30).timetuple()[:6]


def test_epubcheck_reports_nothing(built, validated):
    check = validated[built.slug]
    assert "V-EPUBCHECK" in check.checks_run and check.validated["V-EPUBCHECK"] == []


def _without_epub_attributes(data: bytes) -> bytes:
    """The Nu checker knows HTML, not EPUB's epub:type vocabulary (EPUBCheck validates that);
    everything else in the document is checked as it is."""
    root = etree.fromstring(data)
    for element in root.iter():
        for name in [n for n in element.attrib if n.startswith(f"{{{NS['epub']}}}")]:
            del element.attrib[name]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


@pytest.fixture(scope="module")
def nu_on_xhtml(canonical, features, tmp_path_factory) -> dict:
    """The Nu checker once, on the XHTML of both EPUBs and on a page built to fail:
    {slug or "bad": {file: findings}}."""
    folder = tmp_path_factory.mktemp("xhtml")
    files: dict[str, list[Path]] = {}
    for built in (canonical, features):
        book = Book(built.edition("epub"))
        (folder / built.slug).mkdir()
        for href in book.spine:
            (folder / built.slug / href).write_bytes(_without_epub_attributes(book.files["EPUB/" + href]))
        files[built.slug] = [folder / built.slug / href for href in book.spine]
    bad = folder / "bad.xhtml"
    bad.write_bytes(b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
                    b"<head><title>t</title></head><body><section><p>x</p></section><img src='a.png'/></body></html>")
    files["bad"] = [bad]
    results = validators.run_nu_many([path for paths in files.values() for path in paths], edition="epub")
    return {name: {path: results[path] for path in paths} for name, paths in files.items()}


def test_nu_checker_reports_nothing_on_the_xhtml(built, book, nu_on_xhtml):
    results = nu_on_xhtml[built.slug]
    assert len(results) == len(book.spine) == 4
    assert all(findings == [] for findings in results.values()), results


def test_the_nu_check_does_fail_on_bad_xhtml(nu_on_xhtml):
    ((path, findings),) = nu_on_xhtml["bad"].items()
    assert findings and all(f.code == "V-NU" and f.editions == ("epub",) for f in findings)
    assert all(f.where["epub"].startswith("bad.xhtml:") for f in findings)


def test_an_image_without_alt_text_stops_the_build(article_copy, tmp_path):
    folder = article_copy(FIXTURES, "features")
    source = folder / "article.md"
    text, count = re.subn(r"!\[[^\]]*\]\(chart\.png\)(\{[^}]*\})?", "![](chart.png)", source.read_text(encoding="utf-8"))
    assert count == 1
    source.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(Path(__file__).parent.parent / ".venv/bin/pubpipe"), "build", "features", "--source", str(folder.parent),
         "--build", str(tmp_path / "out"), "--formats", "epub"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 3, result.stderr
    assert "no alt text" in result.stderr and "article.md:" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_right_to_left_article_is_set_right_to_left(article_copy, tmp_path):
    from pubpipe.cli import main
    from pubpipe.editions.cover import font_file
    from pubpipe.editions.direction import direction

    assert [direction(tag) for tag in ("ar", "he-IL", "fa", "en-GB", "az-Arab", "ru", "ug-Cyrl")] == \
        ["rtl", "rtl", "rtl", "ltr", "rtl", "ltr", "ltr"]
    folder = article_copy(FIXTURES, "features")
    source = folder / "article.md"
    source.write_text(source.read_text(encoding="utf-8").replace("lang: en-GB", "lang: ar"), encoding="utf-8")
    assert main(["-q", "build", "features", "--source", str(folder.parent), "--build", str(tmp_path / "out"),
                 "--formats", "html,epub"]) == 0
    book = Book(tmp_path / "out" / "features" / "features.epub")
    assert book.opf.find(".//opf:spine", NS).get("page-progression-direction") == "rtl"
    assert all(book.document(href).get("dir") == "rtl" for href in book.spine)
    html = (tmp_path / "out" / "features" / "features.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    # The cover falls back to a font that has the letters when Source Serif 4 lacks them.
    assert "SourceSerif4" in font_file("Война и мир", False)
    assert "SourceSerif4" not in font_file("العلاقات", False)
