"""The web edition: one self-contained file with the metadata Zotero, Google Scholar and search
engines read, the same citation as the other editions with downloads of it, footnotes with
backlinks, a layout that works from 360 px to 1440 px and on paper, and the Nu HTML Checker with
nothing to report. Runs on the canonical article and on the features fixture."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import lxml.html
import pytest

from browser import probe_pages
from conftest import CANONICAL, build_into, write_article
from pubpipe.editions.citation_formats import ris


@pytest.fixture(scope="module", params=["canonical", "features"])
def built(request):
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def page(built):
    return lxml.html.document_fromstring(built.edition("html").read_text(encoding="utf-8"))


def metas(page, name: str) -> list[str]:
    return [m.get("content") for m in page.iter("meta") if m.get("name") == name]


def test_one_self_contained_file(page):
    for element in page.iter("img", "script", "link", "iframe", "source", "video", "audio"):
        for attribute in ("src", "href"):
            value = element.get(attribute)
            assert value is None or value.startswith("data:") or element.get("rel") == "schema.DC", value
    assert not page.xpath("//link[@rel='stylesheet']") and page.xpath("//style")


def test_head_metadata(built, page):
    assert page.get("lang")
    assert page.find(".//title").text_content().strip()
    assert metas(page, "description")[0]
    for name in ("DC.title", "DC.creator", "DC.language", "DC.identifier", "DC.rights", "DC.source"):
        assert metas(page, name), name
    required = ["citation_title", "citation_author", "citation_publication_date", "citation_firstpage",
                "citation_lastpage"]
    if built.slug == CANONICAL:  # an encyclopedia entry: the book it is in, and its publisher
        required += ["citation_inbook_title", "citation_publisher"]
        assert metas(page, "citation_inbook_title") == ["The Encyclopedia of Russian History"]
        assert (metas(page, "citation_firstpage"), metas(page, "citation_lastpage")) == (["1129"], ["1130"])
    else:  # a journal article
        required += ["citation_journal_title", "citation_volume", "citation_issue"]
    for name in required:
        assert metas(page, name), name
    (script,) = page.xpath("//script[@type='application/ld+json']")
    data = json.loads(script.text)
    assert data["@type"] == "ScholarlyArticle" and data["@context"] == "https://schema.org"
    assert data["headline"] == page.find(".//title").text_content().strip()


def test_cite_box_carries_the_same_entry_as_the_title_block_and_the_epub(built, page):
    from test_epub import Book, NS

    cite = page.get_element_by_id("cite-this")
    entry = cite.find_class("csl-entry")[0].text_content()
    assert page.find_class("original-publication")[0].find_class("csl-entry")[0].text_content() == entry
    colophon = Book(built.edition("epub")).document("colophon.xhtml")
    assert "".join(colophon.find(".//x:p[@class='csl-entry']", NS).itertext()) == entry


def downloads_of(page) -> dict[str, str]:
    files = {}
    for link in page.get_element_by_id("cite-this").xpath(".//a[@download]"):
        head, _, payload = link.get("href").partition(",")
        assert head.startswith("data:") and head.endswith(";charset=utf-8")
        files[link.get("download").rsplit(".", 1)[-1]] = unquote(payload)
    return files


def parsed_bibtex(text: str):
    import bibtexparser

    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [] and len(library.entries) == 1, text
    return library.entries[0]


def test_citation_downloads(built, page):
    from pubpipe.load.article import load_article

    record = load_article(built.source).metadata.original_record
    files = downloads_of(page)
    assert set(files) == {"bib", "ris", "json"}
    entry = parsed_bibtex(files["bib"])
    assert entry.key == record["id"] and entry["year"] == str(record["issued"])[:4]
    assert files["ris"].startswith("TY  - ") and files["ris"].endswith("ER  - \r\n")
    (item,) = json.loads(files["json"])
    assert item["type"] == record["type"] and item["issued"]["date-parts"][0][0] == int(str(record["issued"])[:4])


def test_citation_downloads_keep_a_hostile_record_in_its_fields(case):
    """pandoc writes the BibTeX and CSL-JSON: braces, percent signs and line breaks in a title stay
    inside the field, and each file still reads back as one record."""
    from untrusted import article_text

    title = "Braces } and { 100% & \\end [Case]{.nocase}"
    record = {"id": "x y}", "type": "book", "title": title,
              "author": [{"family": "O'Brien", "given": "Ann"}, {"literal": "UN & Co"}], "issued": "1999-04"}
    case.article(article_text(original={"record": record}))
    assert case.build("--formats", "html").status == 0
    files = downloads_of(lxml.html.document_fromstring(case.edition("html").read_text(encoding="utf-8")))
    entry = parsed_bibtex(files["bib"])
    assert entry.key == "xy" and "100" in entry["title"] and "Case" in entry["title"] and entry["year"] == "1999"
    (item,) = json.loads(files["json"])
    assert item["issued"] == {"date-parts": [[1999, 4]]} and item["title"].startswith("Braces } and { 100% & ")
    assert item["author"][1] == {"literal": "UN & Co"}


def test_ris_keeps_each_value_on_its_line():
    record = {"type": "book", "title": "Two\nlines [Case]{.nocase}", "author": [{"literal": "UN & Co"}], "issued": "1999-04"}
    lines = ris(record, {}).split("\r\n")
    assert "TI  - Two lines Case" in lines and "AU  - UN & Co" in lines
    assert all(not line or line[2:6] == "  - " for line in lines)


def test_footnotes_have_backlinks_and_a_heading(built, page):
    refs = page.find_class("footnote-ref")
    for ref in refs:
        note = page.get_element_by_id(ref.get("href").lstrip("#"))
        backlinks = note.find_class("footnote-back")
        assert [b.get("href") for b in backlinks] == [f"#{ref.get('id')}"]
        assert backlinks[0].get("aria-label")
    if refs:
        assert page.get_element_by_id("footnotes-heading").text_content() == "Notes"
    assert refs or built.slug == CANONICAL


def test_landmarks_skip_link_and_heading_order(page):
    skip = page.find_class("skip-link")[0]
    assert page.get_element_by_id(skip.get("href").lstrip("#")).tag == "main"
    assert len(page.xpath("//main")) == 1 and len(page.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert levels[0] == 1
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), levels


def test_nu_checker_reports_nothing(built, validated):
    check = validated[built.slug]
    assert "V-NU" in check.checks_run and check.validated["V-NU"] == []


LINE = ("(() => { const p = document.querySelector('.article-body p'); const size = parseFloat(getComputedStyle(p).fontSize);"
        " return [p.getBoundingClientRect().width / size, size]; })()")
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
BACKGROUND = "getComputedStyle(document.documentElement).backgroundColor"
SKIP_LINK = "getComputedStyle(document.querySelector('.skip-link')).display"
VIEWS = {  # name: (width, dark, media, expressions)
    "360": (360, False, "", {"overflow": OVERFLOW, "line": LINE}),
    "1440": (1440, False, "", {"overflow": OVERFLOW, "line": LINE}),
    "light": (1024, False, "", {"background": BACKGROUND}),
    "dark": (1024, True, "", {"background": BACKGROUND}),
    "print": (1024, False, "print", {"skip_link": SKIP_LINK}),
}


@pytest.fixture(scope="module")
def rendered(canonical, features, tmp_path_factory) -> dict:
    """Both web editions in every view, measured in one browser (tests/page_probe.js):
    {(slug, view): {name: value}}."""
    probes = [{"slug": built.slug, "view": view, "file": str(built.edition("html")), "width": width, "height": 800,
               "dark": dark, "media": media, "expressions": expressions}
              for built in (canonical, features) for view, (width, dark, media, expressions) in VIEWS.items()]
    return {(probe["slug"], probe["view"]): probe["values"]
            for probe in probe_pages(probes, tmp_path_factory.mktemp("rendered"))}


@pytest.mark.parametrize("width", [360, 1440])
def test_readable_from_phone_to_wide_screen(built, rendered, width):
    values = rendered[(built.slug, str(width))]
    assert values["overflow"] == 0, f"the page scrolls sideways by {values['overflow']} px at {width} px"
    ems, font_size = values["line"]
    assert 16 <= font_size <= 24
    assert 15 <= ems <= 40, f"a line is {ems:.0f} em long at {width} px"


def test_print_and_dark_styles_apply(built, rendered):
    assert rendered[(built.slug, "dark")]["background"] != rendered[(built.slug, "light")]["background"]
    assert rendered[(built.slug, "print")]["skip_link"] == "none"


def test_an_image_without_alt_text_stops_the_web_build_too(article_copy, tmp_path):
    from pubpipe.cli import main

    folder = article_copy(__import__("conftest").FIXTURES, "features")
    source = folder / "article.md"
    text = source.read_text(encoding="utf-8")
    text, count = re.subn(r"!\[[^\]]*\]\(chart\.png\)(\{[^}]*\})?", "![](chart.png)", text)
    assert count == 1
    source.write_text(text, encoding="utf-8")
    status = main(["-q", "build", "features", "--source", str(folder.parent), "--build", str(tmp_path / "out"),
                   "--formats", "html"])
    assert status == 3
    assert not (tmp_path / "out" / "features" / "features.html").exists()


def test_adjacent_note_references_are_marked_for_a_separating_comma():
    from pubpipe.editions.noterefs import mark_adjacent_refs

    body = lxml.html.fragment_fromstring(
        '<p>a<span class="citation"><a class="footnote-ref"><sup>3</sup></a></span>'
        '<a class="footnote-ref"><sup>4</sup></a> text <a class="footnote-ref">5</a>.</p>'
        '<p><a class="footnote-ref">6</a></p>', create_parent="div")
    mark_adjacent_refs(body)
    marked = [a.text_content() for a in body.find_class("after-ref")]
    assert marked == ["4"]  # not 5 (text between) nor 6 (a new paragraph)
    assert body.text_content() == "a34 text 5.6"  # the text itself is untouched


def test_cover_shrinks_then_cuts_a_title_that_cannot_fit():
    from pubpipe.editions.cover import Block, ELLIPSIS, fit

    font, lines, size = fit(Block("word " * 400, False, 650, 150, 60, 7), 1300)
    assert size == 60 and len(lines) == 7 and lines[-1].endswith(ELLIPSIS)
    assert all(font.getlength(line) <= 1300 for line in lines)
    font, lines, size = fit(Block("Short", False, 650, 150, 60, 7), 1300)
    assert (lines, size) == (["Short"], 150)


def test_an_abstract_of_several_paragraphs_keeps_them_apart_in_the_metadata(tmp_path):
    """Scholar's citation_abstract and the JSON-LD take the abstract as text: its paragraphs were
    run together ("…one season.A sandbar…")."""
    folder = write_article(tmp_path, "two", "---\ntitle: Two\nauthor: A. Writer\nabstract: |\n  Counted for one season.\n\n"
                           "  A sandbar formed.\n---\n\nText.\n")
    built = build_into(folder.parent, "two", tmp_path / "build", "--formats", "html")
    page = lxml.html.parse(str(built.edition("html"))).getroot()
    assert [meta.get("content") for meta in page.xpath("//meta[@name='citation_abstract']")] == [
        "Counted for one season. A sandbar formed."]
    data = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["abstract"] == "Counted for one season.\n\nA sandbar formed."
