"""The words of captions and cross-references that an article sets for pandoc-crossref
(`figureTitle`, `figPrefix`, `titleDelim` …) or in Quarto's `crossref:` map (`fig-title`,
`fig-prefix`, `title-delim` …): every edition shows them, the check still compares them, a value
of the wrong shape is refused with its line, and a setting that is not followed is reported with
its line (pubpipe.load.crossref_words, resolve/lua/crossref.lua)."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import FIXTURES, build_into
from pubpipe.check.compare import joined_references
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import read_pdf
from pubpipe.check.summary import SOFT_HYPHEN
from test_crossref import _copy_build, _findings, _plant_in_html, _rewrite_epub, line_of
from untrusted import article_text

ARTICLE = 3
READERS = {"html": read_html, "epub": read_epub, "pdf": read_pdf}
NBSP = "\u00a0"

# What each fixture's references read and where they lead, in order. `words` sets pandoc-crossref's
# keys: a prefix list (one reference, several), a capitalised one for @Fig:x, a one-word prefix;
# `quartowords` is a Polish Quarto document with its crossref map.
EXPECTED_REFERENCES = {
    "words": [
        ("plate 1", "fig:slice"), ("2", "fig:widths"), ("1", "fig:slice"), ("2", "fig:widths"),
        ("part “Measuring the bands”", "sec:measuring"), ("Plate 1", "fig:slice"),
        ("(1)", "eq:mean"), ("(2)", "eq:change"), ("program 1", "lst:mean"), ("chart 1", "tbl:widths"),
        ("part “Counting the rings”", "sec:counting"),
    ],
    "quartowords": [
        ("ryc. 1", "fig-plaster"), ("zestawienie 1", "tbl-szerokosci"), ("wzór (1)", "eq-srednia"),
        ("kod 1", "lst-srednia"), ("rozdział “Liczenie słojów”", "sec-liczenie"),
    ],
}
# The captions, and words that only the body's text shows (the plural stands outside the links).
EXPECTED_TEXT = {
    "words": ["Plate 1. A slice of the trunk, its bark outermost.", "Plate 2. The widths of five rings, in millimetres.",
              "Chart 1. Ring widths of the last three seasons", "Program 1. The mean width of the last rings",
              "plates 1 and 2 together", "Both formulas (1) and (2) are computed"],
    "quartowords": ["Rycina 1— Plaster pnia, kora na zewnątrz.", "Zestawienie 1— Szerokości słojów",
                    "Kod 1— Średnia szerokość ostatnich słojów"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Both fixtures, each in all three editions."""
    return {slug: build_into(FIXTURES, slug, tmp_path_factory.mktemp(f"build-{slug}")) for slug in EXPECTED_REFERENCES}


def _normal(text: str) -> str:
    return " ".join(text.replace(SOFT_HYPHEN, "").split())


@pytest.mark.parametrize("slug", sorted(EXPECTED_REFERENCES))
@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_every_edition_says_the_authors_words(built, slug, edition):
    summary = READERS[edition](built[slug].edition(edition))
    references = joined_references(summary.references) if edition == "pdf" else summary.references
    found = [(_normal(r.text), r.target) for r in references if not r.target.startswith("cb")]  # not code lines
    assert found == EXPECTED_REFERENCES[slug]
    text = _normal(" ".join(block.text for block in summary.body))
    for expected in EXPECTED_TEXT[slug]:
        assert expected in text, (expected, text)


def test_the_articles_with_their_own_words_agree(built):
    for article in built.values():
        assert _findings(article, article.build) == []


def test_the_authors_words_are_not_marked_as_english_standing_in(built):
    """Polish has no words of ours: "and" would be English, marked so; the author's words are Polish."""
    html = built["quartowords"].edition("html").read_text(encoding="utf-8")
    assert f'<span class="caption-label">Rycina{NBSP}1</span>' in html
    assert f">ryc.{NBSP}1</a>" in html and 'lang="en">Figure' not in html


def test_a_caption_word_changed_in_the_epub_is_x010(built, tmp_path):
    article = built["words"]
    build = _copy_build(article, tmp_path)
    _rewrite_epub(build / "words" / "words.epub",
                  lambda text: text.replace(f'<span class="caption-label">Chart{NBSP}1</span>',
                                            f'<span class="caption-label">Table{NBSP}1</span>'))
    x010 = [f for f in _findings(article, build) if f.code == "X-010" and "epub" in f.editions]
    assert x010 and any("tbl:widths Table 1" in f.found for f in x010), x010


def test_a_reference_word_changed_in_the_html_is_x010(built, tmp_path):
    article = built["words"]
    build = _plant_in_html(article, tmp_path, f">chart{NBSP}1</a>", f">table{NBSP}1</a>")
    x010 = [f for f in _findings(article, build) if f.code == "X-010" and "html" in f.editions]
    assert x010 and any({f.found, f.expected} == {"table 1 -> #tbl:widths", "chart 1 -> #tbl:widths"} for f in x010), x010


# --- bad values and settings not followed ----------------------------------------------------

@pytest.mark.parametrize("changes, key, message", [
    ({"figPrefix": {"one": "fig."}}, "figPrefix", "'figPrefix:' must be text or a list of texts"),
    ({"crossref": {"fig-title": "Fig.", "title-delim": [":", "."]}}, "title-delim", "'crossref: title-delim:' must be text"),
    ({"crossref": "fig-title: Fig."}, "crossref", "'crossref:' must be a map"),
    ({"language": {"callout-note-title": {"pl": "Uwaga"}}}, "callout-note-title",
     "'language: callout-note-title:' must be text (a callout's caption)"),
])
def test_a_word_of_the_wrong_shape_is_refused_with_its_line(case, changes, key, message):
    text = article_text(**changes)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, message, f"article.md:{line_of(text, key + ':')}")


def test_settings_not_followed_are_reported_with_their_lines(tmp_path, capsys):
    folder = tmp_path / "source" / "settings"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "words" / "rings.svg", folder)
    text = ("---\ntitle: Settings\nauthor: A. Writer\nchapters: true\nfigPrefix: Fig.\nlinkReferences: true\n"
            "autoSectionLabels: false\nnumberSections: false\n"
            "figureTemplate: $$i$$ $$t$$\ncref: true\ncrossref:\n  fig-prefix: Figure\n  labels: roman\n"
            "  ref-hyperlink: true\nlanguage:\n  crossref-ch-prefix: Chapter\n  section-title-references: Works\n"
            "  pl:\n    crossref-fig-title: Rycina\n"
            "---\n\n# One\n\nSee @fig:ring.\n\n![A ring.](rings.svg){#fig:ring alt=\"Rings.\"}\n")
    (folder / "article.md").write_text(text, encoding="utf-8")
    built = build_into(folder.parent, "settings", tmp_path / "build", "--formats", "html")
    err = capsys.readouterr().err
    where = f"{folder / 'article.md'}:"
    assert f"{where}{line_of(text, 'chapters:')}: pandoc-crossref's 'chapters:' is not honoured: figures" in err, err
    assert f"{where}{line_of(text, 'figureTemplate:')}: pandoc-crossref's 'figureTemplate:' is not honoured" in err
    assert f"{where}{line_of(text, 'labels:')}: Quarto's 'crossref: labels:' is not honoured: numbers" in err
    assert f"{where}{line_of(text, 'fig-prefix:')}: 'crossref: fig-prefix' is not used: 'figPrefix' sets" in err
    assert f"{where}{line_of(text, 'crossref-ch-prefix:')}: Quarto's 'language: crossref-ch-prefix:' is not honoured" in err
    # what every edition does anyway (links), and LaTeX's own settings, are no news
    assert "linkReferences" not in err and "ref-hyperlink" not in err and "cref:" not in err and "unknown" not in err
    assert "autoSectionLabels" not in err and "numberSections" not in err  # pandoc-crossref's defaults, ours too
    # Quarto's other words (a section's title, a map for one language) are not taken either, and said so
    assert f"{where}{line_of(text, 'section-title-references:')}: Quarto's 'language: section-title-references:' is not honoured: the editions take" in err
    assert f"{where}{line_of(text, 'pl:')}: Quarto's 'language: pl:' is not honoured: a map of one language's words" in err
    assert [(_normal(r.text), r.target) for r in read_html(built.edition("html")).references] == [("Fig. 1", "fig:ring")]


def test_quartos_translations_in_a_file_of_their_own_are_reported(tmp_path):
    from pubpipe.load.article import load_article

    folder = tmp_path / "translated"
    folder.mkdir()
    (folder / "article.md").write_text("---\ntitle: Translated\nauthor: A. Writer\nlanguage: custom-language.yml\n---\n\nText.\n",
                                       encoding="utf-8")
    notices = load_article(folder).metadata.notices
    assert [(line, message.split(":")[0]) for line, message in notices] == [(4, "'language")], notices


def test_a_callouts_caption_from_quartos_language_map_is_in_every_edition_and_not_marked_english(tmp_path, capsys):
    """Polish has no callout words of ours, so a callout without a title is captioned in English and
    marked so; the author's `language: callout-note-title:` replaces that word, as the author's."""
    from pubpipe.check.run import check_article

    folder = tmp_path / "source" / "uwagi"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Uwagi\nauthor: A. Pisarz\nlang: pl\nlanguage:\n  callout-note-title: Uwaga\n---\n\n"
        "::: {.callout-note}\nPomiary zrobiono o świcie.\n:::\n\n::: {.callout-tip}\nLiczyć dwa razy.\n:::\n",
        encoding="utf-8")
    built = build_into(folder.parent, "uwagi", tmp_path / "build")
    assert "callout-note-title" not in capsys.readouterr().err
    html = built.edition("html").read_text(encoding="utf-8")
    captions = re.findall(r'<div class="callout-title">\s*(.*?)\s*</div>', html, re.S)
    assert captions == ["Uwaga", '<span lang="en">Tip</span>'], captions
    epub = " ".join(" ".join(block.text for block in read_epub(built.edition("epub")).body).split())
    pdf = " ".join(" ".join(block.text for block in read_pdf(built.edition("pdf")).body).split())
    for text in (epub, pdf):
        assert "Uwaga Pomiary zrobiono o świcie." in text and "Tip Liczyć dwa razy." in text, text
    assert check_article(folder, built.build, {"validators": False})[0] == []


HEADED = """---
title: Słoje
author: A. Pisarz
lang: pl
abstract: Krótko o słojach.
toc-title: Spis treści
language:
  section-title-footnotes: Przypisy
  section-title-citation: Jak cytować
  section-title-abstract: Streszczenie
---

Słoje liczono o świcie.[^1]

[^1]: Dwa razy.
"""


def _headed(tmp_path, text: str = HEADED):
    folder = tmp_path / "source" / "sloje"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(text, encoding="utf-8")
    return folder


def test_the_headings_words_set_by_pandocs_and_quartos_keys_are_in_every_edition_and_the_check_reads_them(tmp_path, capsys):
    """Polish has no labels of ours: "Abstract", "Notes", "Cite this article" and "Contents" would
    be English, marked so; pandoc's `abstract-title`/`toc-title` and Quarto's `language:` words
    replace them in every edition, as the author's."""
    import zipfile

    from pubpipe.check.run import check_article
    from pubpipe.labels import article_labels
    from pubpipe.load.article import load_article

    folder = _headed(tmp_path, HEADED.replace("lang: pl\n", "lang: pl\nabstract-title: Abstrakt\n"))
    built = build_into(folder.parent, "sloje", tmp_path / "build")
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].endswith(
        f"article.md:{line_of(HEADED, 'section-title-abstract:') + 1}: 'language: section-title-abstract' is not used: "
        "'abstract-title' sets the same words"), err
    html = built.edition("html").read_text(encoding="utf-8")
    for own in ('id="article-abstract-label">Abstrakt<', 'id="footnotes-heading">Przypisy<', 'id="cite-this-heading">Jak cytować<'):
        assert own in html, own
    assert 'lang="en">Skip to the article' in html  # our words still stand in, marked English
    with zipfile.ZipFile(built.edition("epub")) as book:
        xhtml = "".join(book.read(f"EPUB/{name}.xhtml").decode("utf-8") for name in ("titlepage", "article", "nav", "colophon"))
    for own in ("Abstrakt", "Przypisy", "Jak cytować", 'id="toc-heading">Spis treści<'):
        assert own in xhtml, own
    # The PDF (its notes stand at the page's foot, without a heading): the checker reads the
    # abstract and the citation box by the author's words, which it must be given.
    assert read_pdf(built.edition("pdf")).metadata["abstract"] == "Abstrakt Krótko o słojach."  # by ours: not found
    pdf = read_pdf(built.edition("pdf"), labels=article_labels(load_article(folder).metadata))
    assert pdf.metadata["abstract"] == "Krótko o słojach."
    assert [citation.text for citation in pdf.self_citations] == ["Pisarz, A. „Słoje”."]
    assert check_article(folder, built.build, {"validators": False})[0] == []


@pytest.mark.parametrize("changes, key", [({"abstract-title": ["A", "B"]}, "abstract-title"),
                                          ({"language": {"section-title-footnotes": {"pl": "Przypisy"}}}, "section-title-footnotes")])
def test_a_headings_words_of_the_wrong_shape_are_refused_with_their_line(case, changes, key):
    text = article_text(**changes)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "must be text (a heading's words)", f"article.md:{line_of(text, key + ':')}")
