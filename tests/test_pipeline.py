"""Issue 2's promises, end to end on real editions: three editions per article, one resolve,
the original's every word in every edition, and the Makefile's two commands."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import CANONICAL, SOURCE, build_into
from make_harness import link_project, run_make
from pubpipe.check.fidelity import check_original
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import read_pdf

READERS = {"html": read_html, "epub": read_epub, "pdf": read_pdf}


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_every_word_of_the_original_is_in_each_edition(canonical, edition):
    summary = READERS[edition](canonical.edition(edition))
    findings = check_original(SOURCE / CANONICAL / "original.txt", summary)
    assert findings == [], [f"{f.message}: {f.expected} / {f.found}" for f in findings]


def test_every_word_of_the_original_is_in_the_canonical_source():
    from pubpipe.load.article import load_article
    from pubpipe.check.read_source import read_source
    from pubpipe.resolve import resolve

    source = read_source(resolve(load_article(SOURCE / CANONICAL)))
    assert check_original(SOURCE / CANONICAL / "original.txt", source) == []
    assert len(source.bibliography) == 4


def test_the_fidelity_check_can_fail(canonical, tmp_path):
    """A word missing from an edition is reported (the check above is not vacuous)."""
    original = tmp_path / "original.txt"
    text = (SOURCE / CANONICAL / "original.txt").read_text(encoding="utf-8")
    original.write_text(text.replace("Pakistan accommodated", "Pakistan generously accommodated"), encoding="utf-8")
    findings = check_original(original, read_html(canonical.edition("html")))
    assert findings and "generously" in findings[0].expected


def test_bibliography_comes_from_citeproc_in_chicago_by_default(canonical):
    html = canonical.edition("html").read_text(encoding="utf-8")
    assert 'class="references csl-bib-body' in html
    assert "Hershberg, Eric, and Kevin W. Moore, eds. <em>Critical Views of September 11" in html
    assert "New Haven, Conn.: Yale University Press, 2002." in html


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_original_publication_and_cite_this_in_every_edition(canonical, edition):
    summary = READERS[edition](canonical.edition(edition))
    entries = {" ".join(c.text.split()) for c in summary.self_citations}
    assert len(summary.self_citations) == 2, summary.self_citations
    (entry,) = entries
    assert entry.startswith("Granville, Johanna. “Pakistan, Relations with.” In The Encyclopedia of Russian History")
    assert "edited by James R. Millar, 1129–30. New York: Macmillan Reference USA, 2004." in entry


def test_fixture_article_carries_every_construct(features):
    html = features.edition("html").read_text(encoding="utf-8")
    summary = read_html(features.edition("html"))
    assert len(summary.notes) == 5
    assert any("12–15" in note.text for note in summary.notes), "locator of [@smith2019, 12–15]"
    assert any("45" in note.text for note in summary.notes), "locator of @tolstoy1869 [45]"
    assert "<blockquote>" in html
    assert "Table 1: Refugees in Pakistan by year" in [c.text for c in summary.captions]
    assert summary.alt_texts and summary.alt_texts[0].text.startswith("A bar chart")
    assert "data:image/png;base64," in html, "the image is embedded in the self-contained HTML"
    assert "<ol" in html and "https://citationstyles.org/" in summary.links
    assert any("Толстой, Лев Николаевич. Война и мир" in e.text for e in summary.bibliography)
    assert any("Русский текст" in block.text for block in summary.body)


def test_cyrillic_survives_into_the_pdf(features):
    summary = read_pdf(features.edition("pdf"))
    text = " ".join(block.text for block in summary.body)
    assert "Русский текст: «Война и мир» — роман Льва Толстого" in text
    assert any("Война и мир" in entry.italics for entry in summary.bibliography)


def test_epub_is_a_zip_with_mimetype_first(canonical):
    with zipfile.ZipFile(canonical.edition("epub")) as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"


def test_html_is_self_contained(features):
    html = features.edition("html").read_text(encoding="utf-8")
    assert not re.search(r'<link[^>]+rel="stylesheet"', html)
    assert not re.search(r'<(img|script)[^>]+src="(?!data:)', html)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("apa", "Jones, O. B. (2002). <em>Pakistan: Eye of the Storm</em>. Yale University Press."),
        ("modern-language-association", "Jones, Owen Bennett. <em>Pakistan: Eye of the Storm</em>. Yale University Press, 2002."),
    ],
)
def test_style_override_by_name(tmp_path, style, expected):
    built = build_into(SOURCE, CANONICAL, tmp_path, "--style", style, "--formats", "html")
    assert expected in built.edition("html").read_text(encoding="utf-8")


def test_style_from_front_matter_and_from_a_file(article_copy, tmp_path):
    import pubpipe.resolve.styles as styles

    folder = article_copy(SOURCE, CANONICAL)
    shutil.copy(styles.style_by_name("apa"), folder / "house.csl")
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("---\ntitle:", "---\ncsl: house.csl\ntitle:", 1), encoding="utf-8")
    built = build_into(folder.parent, CANONICAL, tmp_path / "build", "--formats", "html")
    assert "Jones, O. B. (2002)" in built.edition("html").read_text(encoding="utf-8")


def test_unknown_style_names_the_nearest(capsys):
    from pubpipe.cli import main

    status = main(["build", CANONICAL, "--source", str(SOURCE), "--build", "/nonexistent-never-written", "--style", "chicago-notes-bibliograpy"])
    err = capsys.readouterr().err
    assert status == 4
    assert "unknown CSL style 'chicago-notes-bibliograpy'" in err and "chicago-notes-bibliography" in err


@pytest.fixture()
def project_copy(tmp_path) -> Path:
    """A project that builds the canonical article with this checkout's Makefile and tools."""
    copy = link_project(tmp_path / "project")
    shutil.copytree(SOURCE / CANONICAL, copy / "source" / CANONICAL)
    return copy


def test_make_builds_then_does_nothing(project_copy):
    first = run_make(project_copy, "ARTICLE=" + CANONICAL)
    assert first.returncode == 0, first.stderr
    for suffix in ("html", "epub", "pdf"):
        assert (project_copy / "build" / CANONICAL / f"{CANONICAL}.{suffix}").is_file()
    second = run_make(project_copy, "ARTICLE=" + CANONICAL)
    assert second.returncode == 0
    assert "every edition asked for is up to date" in second.stdout
    assert "pubpipe" not in second.stdout


def test_make_html_builds_only_the_html(project_copy):
    result = run_make(project_copy, "html")
    assert result.returncode == 0, result.stderr
    built = sorted(path.name for path in (project_copy / "build").rglob("*.*") if path.suffix in (".html", ".epub", ".pdf"))
    assert built == sorted(f"{folder.parent.name}.html" for folder in (project_copy / "source").glob("*/article.md"))


def test_make_stops_on_an_unknown_article(project_copy):
    result = run_make(project_copy, "ARTICLE=no-such-article")
    assert result.returncode != 0
    assert "no article 'no-such-article'" in result.stderr


def test_make_ignores_the_editors_own_articles(project_copy, tmp_path):
    """An article the editor added to the real source/ (here: a broken one) does not reach the
    test's project copy, so `make test` does not depend on what the editor is writing."""
    assert sorted(path.name for path in (project_copy / "source").iterdir()) == [CANONICAL]


def test_sections_that_are_all_level_two_stay_side_by_side(tmp_path):
    """`##` for every section: all become h2 (the shallowest level), none nests under the first."""
    folder = tmp_path / "source" / "flat"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Flat\nauthor: A. Writer\n---\n\n## One\n\nText.\n\n## Two\n\nMore.\n\n### Two and a half\n\n"
        "Still more.\n\n## Three\n\nEnd.\n",
        encoding="utf-8",
    )
    built = build_into(folder.parent, "flat", tmp_path / "build")
    html = built.edition("html").read_text(encoding="utf-8")
    assert re.findall(r"<h([1-6])[ >]", html)[:5] == ["1", "2", "2", "3", "2"]
    for edition in ("epub", "pdf"):
        headings = [(h.level, h.text) for h in READERS[edition](built.edition(edition)).headings]
        assert headings == [(1, "One"), (1, "Two"), (2, "Two and a half"), (1, "Three")], (edition, headings)


def test_skipped_heading_levels_are_closed(tmp_path):
    """### straight after the title becomes h2 in every edition: no level is skipped."""
    folder = tmp_path / "source" / "levels"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Levels\nauthor: A. Writer\n---\n\n### Deep\n\nText.\n\n##### Deeper\n\nMore.\n\n# Top\n\nEnd.\n",
        encoding="utf-8",
    )
    built = build_into(folder.parent, "levels", tmp_path / "build")
    html = built.edition("html").read_text(encoding="utf-8")
    assert re.findall(r"<h([1-6])[ >]", html)[:4] == ["1", "2", "3", "2"]
    for edition in ("epub", "pdf"):
        headings = [(h.level, h.text) for h in READERS[edition](built.edition(edition)).headings]
        assert headings == [(1, "Deep"), (2, "Deeper"), (1, "Top")], (edition, headings)
