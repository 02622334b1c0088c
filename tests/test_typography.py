"""Pages a typographer would sign, measured on every page of the built PDFs (tests/typography.py
reads them back with pypdfium2): the canonical article and every fixture, as the PDF edition, each
handout (A4, Letter, the A5 booklet) and the press PDF.

- characters per full line: median at most 75 on A4 and Letter, for the text and for the notes;
- the tallest empty band of a page: at most 15 % of the text area, but on the article's last page;
- no line begins with a note number;
- no word is broken across lines without a hyphen;
- the text layer's hyphens are the article's own (U+002D), not U+2010.

Each measure is trusted only because it failed on a planted layout: the same article laid out
again with one bad rule added to the page's style sheet.
"""

from __future__ import annotations

import pytest
import lxml.html

import typography
from conftest import CANONICAL, FIXTURES, SOURCE, build_into
from generated_articles import write_article
from pubpipe.editions import default_options, pdf
from pubpipe.load.article import load_article
from pubpipe.resolve import resolve

MAX_MEASURE = 75
MAX_EMPTY = 0.15
ARTICLES = [(SOURCE, CANONICAL)] + [(FIXTURES, folder.name) for folder in sorted(FIXTURES.iterdir())
                                    if (folder / "article.md").is_file()]
FLAT = ("", "-a4", "-letter", "-press")  # the PDF edition, the A4 and Letter handouts, the press PDF


@pytest.fixture(scope="module", params=ARTICLES, ids=[slug for _root, slug in ARTICLES])
def printed(request, tmp_path_factory):
    root, slug = request.param
    built = build_into(root, slug, tmp_path_factory.mktemp(f"type-{slug}"), "--formats", "html,pdf,handout,press")
    folder = built.build / slug
    html = lxml.html.parse(str(folder / f"{slug}.html")).getroot()
    return {
        "pdfs": {suffix: folder / f"{slug}{suffix}.pdf" for suffix in FLAT},
        "booklet": folder / f"{slug}-booklet.pdf",
        "vocabulary": typography.words_of(" ".join(html.find(".//main").itertext())),
        "source": (root / slug / "article.md").read_text(encoding="utf-8"),
    }


def all_pages(printed):
    for path in printed["pdfs"].values():
        yield path, typography.read_pages(path)
    yield printed["booklet"], typography.read_pages(printed["booklet"], halves=True)


def test_measure_is_at_most_75_characters(printed):
    for path, pages in all_pages(printed):
        if path == printed["booklet"]:
            continue  # A5: its own, shorter measure
        for size, median in typography.measures(pages).items():
            assert median <= MAX_MEASURE, f"{path.name}: {median} characters a line at {size} pt"


def test_no_page_is_more_than_15_percent_empty_but_the_last(printed):
    gaps = []
    for path, pages in all_pages(printed):
        for label, share in typography.empty_shares(pages).items():
            if share > MAX_EMPTY:
                gaps.append(f"{label}: {share:.0%} of the text area empty")
    assert gaps == []


# Articles made up with figures of many heights and tables of many rows (generated_articles.py):
# these seeds left pages 21-49 % empty on Letter and A5 when a figure moved past one paragraph
# only, and none of them is tuned to.
GENERATED = (3, 5, 6)


@pytest.fixture(scope="module", params=GENERATED, ids=[f"generated-{seed}" for seed in GENERATED])
def generated_handouts(request, tmp_path_factory):
    slug = f"generated-{request.param}"
    root = tmp_path_factory.mktemp(slug)
    write_article(root / "source" / slug, request.param)
    folder = build_into(root / "source", slug, root / "build", "--formats", "handout").build / slug
    return [folder / f"{slug}-a4.pdf", folder / f"{slug}-letter.pdf", folder / f"{slug}-booklet.pdf"]


def test_generated_articles_leave_no_page_more_than_15_percent_empty(generated_handouts):
    gaps = []
    for path in generated_handouts:
        pages = typography.read_pages(path, halves=path.name.endswith("-booklet.pdf"))
        gaps += [f"{label}: {share:.0%}" for label, share in typography.empty_shares(pages).items() if share > MAX_EMPTY]
    assert gaps == []


def test_no_line_starts_with_a_note_number(printed):
    for path, pages in all_pages(printed):
        assert typography.lone_note_calls(pages) == [], path.name


def test_no_word_is_broken_without_a_hyphen(printed):
    for path, pages in all_pages(printed):
        assert typography.broken_words(pages, printed["vocabulary"]) == [], path.name


def test_text_layer_hyphens_are_the_articles_own(printed):
    """WeasyPrint's default line-end hyphen (U+2010) made every hyphen of the text layer U+2010."""
    if "\u2010" in printed["source"]:
        pytest.skip("the article itself uses U+2010")
    for path, pages in all_pages(printed):
        text = "".join(line.text for page in pages for line in page.lines)
        assert "\u2010" not in text, path.name


# --- each measure fails on a planted layout ---------------------------------------------------

@pytest.fixture(scope="module")
def features_document():
    return resolve(load_article(FIXTURES / "features"))


def planted(document, tmp_path, page_css: str, paper: str = "a4"):
    options = dict(default_options(), source_date_epoch=0, paper=paper)
    target = tmp_path / "planted.pdf"
    pdf.begin(document, target, options, pdf.Stage(page_css=page_css))()
    return typography.read_pages(target)


def test_measure_catches_a_wide_measure(features_document, tmp_path):
    pages = planted(features_document, tmp_path, "@page { margin-left: 12mm; margin-right: 12mm; }")
    assert max(typography.measures(pages).values()) > MAX_MEASURE


def test_empty_share_catches_a_page_ended_short(features_document, tmp_path):
    pages = planted(features_document, tmp_path, "h2 + p + blockquote { break-after: page; }")
    assert max(typography.empty_shares(pages).values()) > MAX_EMPTY


def test_lone_note_call_is_caught(features_document, tmp_path):
    pages = planted(features_document, tmp_path, '.footnote::footnote-call { content: "\\A" counter(footnote); white-space: pre; }')
    assert typography.lone_note_calls(pages)


def test_broken_word_is_caught(features_document, tmp_path):
    # The fault as it was: table heads that may break anywhere, in columns too narrow ("Po/int").
    pages = planted(features_document, tmp_path, "th, td { overflow-wrap: anywhere; hyphens: none; } table { table-layout: fixed; width: 24mm; }")
    vocabulary = typography.words_of(" ".join(lxml.html.fragment_fromstring(features_document.body_html, create_parent="div").itertext()))
    assert typography.broken_words(pages, vocabulary)
