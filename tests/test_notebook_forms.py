"""What Quarto and Zettlr authors write besides pandoc's Markdown, in every edition alike:
callouts, highlights, wiki links and executable code chunks (the conventions fixture)."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from conftest import FIXTURES, build_into
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import read_pdf

READERS = {"html": read_html, "epub": read_epub, "pdf": read_pdf}
# The fixture's headings: the callouts' titles are none of them.
HEADINGS = ["Recording the visits", "Visits per morning", "After the count"]
CALLOUT_TITLES = ["What counts as a visit", "Warning", "Keep the log plain"]


def _build_copy(tmp_path, lang: str | None = None) -> tuple[str, object]:
    """The fixture's text and its web edition, built from a copy (in another `lang:` if given);
    the build's warnings are left for the caller's capsys."""
    folder = tmp_path / "source" / "conventions"
    shutil.copytree(FIXTURES / "conventions", folder)
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    if lang:
        text = text.replace("lang: en", f"lang: {lang}")
        article.write_text(text, encoding="utf-8")
    return text, build_into(folder.parent, "conventions", tmp_path / "build", "--formats", "html").edition("html")


def _markups(built) -> list[str]:
    with zipfile.ZipFile(built.edition("epub")) as epub:
        chapter = epub.read("EPUB/article.xhtml").decode("utf-8")
        navigation = epub.read("EPUB/nav.xhtml").decode("utf-8")
    return [built.edition("html").read_text(encoding="utf-8"), chapter, navigation]


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_a_callouts_title_is_a_caption_of_its_box_not_a_section(conventions_article, edition):
    summary = READERS[edition](conventions_article.edition(edition))
    assert [heading.text for heading in summary.headings][:len(HEADINGS)] == HEADINGS
    text = " ".join(block.text for block in summary.body)
    for title in CALLOUT_TITLES:
        assert title in text, (title, text)


def test_callouts_are_boxes_with_a_caption_in_the_web_page_and_the_epub(conventions_article):
    html, chapter, navigation = _markups(conventions_article)
    for markup in (html, chapter):
        boxes = re.findall(r'<div class="callout callout-(\w+)" role="note">\s*<div class="callout-title">\s*(.*?)\s*</div>',
                           markup, re.DOTALL)
        assert boxes == [("note", "What counts as a visit"), ("warning", "Warning"),
                         ("tip", "Keep the <strong>log</strong> plain")], boxes
        assert 'collapse="' not in markup and 'data-collapse' not in markup and "callout-title\">\n<h" not in markup
    assert "What counts" not in navigation and "Visits per morning" in navigation


def test_a_callout_without_a_title_is_captioned_with_its_kind_in_the_articles_language(tmp_path):
    _text, html = _build_copy(tmp_path, lang="de")
    assert '<div class="callout-title">\nWarnung\n</div>' in html.read_text(encoding="utf-8")


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_highlights_and_wiki_links_show_as_text_without_their_marks(conventions_article, edition):
    text = " ".join(block.text for block in READERS[edition](conventions_article.edition(edition)).body)
    assert "The first visitor of the day was nearly always a robin" in " ".join(text.split())
    assert "more in 20250110 Feeder set-up, the list of species and the camera’s notes." in " ".join(text.split())
    assert "==" not in text and "[[" not in text and "Species list" not in text and "20250111093000" not in text


def test_a_highlight_is_marked_in_the_web_page_and_the_epub(conventions_article):
    html, chapter, _navigation = _markups(conventions_article)
    for markup in (html, chapter):
        assert markup.count("<mark>first visitor of the day</mark>") == 1
        assert "wikilink" not in markup and 'href="Species' not in markup and "%5B%5B" not in markup


def test_a_wiki_link_is_reported_with_its_line(tmp_path, capsys):
    text, _html = _build_copy(tmp_path)
    err = capsys.readouterr().err
    for target, label in (("20250110 Feeder set-up", "20250110 Feeder set-up"), ("Species list", "the list of species"),
                          ("20250111093000", "the camera’s notes")):  # Zettlr's [label]([[id]])
        line = next(number for number, written in enumerate(text.split("\n"), start=1) if "[[" + target in written)
        assert f"article.md:{line}: the wiki link [[{target}]] names a note of your own vault" in err, err
        assert f"'{label}' is shown as plain text" in err


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_code_chunks_are_code_blocks_without_their_option_lines(conventions_article, edition):
    text = " ".join(" ".join(block.text.split()) for block in READERS[edition](conventions_article.edition(edition)).body)
    # (the readers space the highlighter's tokens apart, each edition alike)
    assert 'is:totals=tally(open("feeder.log"))totals<-table(log$species)Listing5' in "".join(text.split()), text
    assert "#|" not in text and "{python}" not in text and "{r}" not in text and "lst-cap" not in text


def test_a_code_chunk_is_highlighted_in_its_language(conventions_article):
    html, chapter, _navigation = _markups(conventions_article)
    for markup in (html, chapter):
        assert re.search(r'<pre class="sourceCode python"><code class="sourceCode python">.*?tally\(', markup, re.DOTALL)
        assert '<pre class="sourceCode r"><code class="sourceCode r">' in markup and "code-chunk" not in markup


def test_code_chunks_are_reported_once_with_the_first_ones_line(tmp_path, capsys):
    text, _html = _build_copy(tmp_path)
    err = capsys.readouterr().err
    line = next(number for number, written in enumerate(text.split("\n"), start=1) if written == "```{python}")
    assert err.count("code chunk") == 1, err
    assert f"article.md:{line}: 2 code chunks (Python, R; the first on this line) are shown as code" in err
    assert "not run" in err and "keep-md: true" in err


def test_numbered_code_lines_are_reported_and_leave_no_unnamed_link(tmp_path, capsys):
    """pandoc's `.numberLines` wrote every line an empty link without aria-hidden, which axe and
    Ace fail as a link without a name; the numbers themselves need pandoc's own style sheet."""
    folder = tmp_path / "source" / "numbered"
    folder.mkdir(parents=True)
    text = ("---\ntitle: Numbered\nauthor: A. Writer\n---\n\nThe loop:\n\n"
            "```{.python .numberLines startFrom=\"10\"}\nfor x in range(3):\n    print(x)\n```\n\n"
            "~~~ {#other .number-lines}\nplain\n~~~\n")
    (folder / "article.md").write_text(text, encoding="utf-8")
    built = build_into(folder.parent, "numbered", tmp_path / "build", "--formats", "html,epub")
    err = capsys.readouterr().err
    assert "article.md:8: the code's line numbers (.numberLines) are not shown" in err, err
    assert "article.md:13: the code's line numbers (.number-lines) are not shown" in err, err
    with zipfile.ZipFile(built.edition("epub")) as book:
        pages = [built.edition("html").read_text(encoding="utf-8"), book.read("EPUB/article.xhtml").decode("utf-8")]
    for page in pages:
        links = re.findall(r"<a [^>]*(?:/>|></a>)", page)  # XHTML writes an empty link as <a …/>
        assert links and all('aria-hidden="true"' in link for link in links), links
        assert "numberLines" not in page and "startfrom" not in page.lower()
