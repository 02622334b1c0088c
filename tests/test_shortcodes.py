"""Quarto's two shortcodes that run nothing and mean the same in every edition, {{< pagebreak >}}
and {{< meta key >}}, are expanded (resolve/lua/shortcodes.lua); any other shortcode, or a meta key
with no text behind it, stays as written and is reported with its line, through pubpipe and make."""

from __future__ import annotations

import zipfile
from pathlib import Path

import lxml.html
from pypdf import PdfReader

from conftest import build_into
from make_harness import link_project, run_make
from pubpipe.check.run import check_article
from pubpipe.load.article import load_article

SLUG = "shortcodes"
ARTICLE = """\
---
title: Waders on the Tidal Flats
lang: en
citation:
  container-title: Keta Lagoon Notes
place:
  site: the lagoon's north shore
unused-key: nowhere in the text
---

We counted at {{< meta citation.container-title >}} for {{< meta title >}}, on {{< meta place.site >}}.

{{< pagebreak >}}

After the break the counts follow, as {{< meta nothing.here >}} says.

A break inside a paragraph {{< pagebreak >}} stays as written.

`{{< meta title >}}` in code is code.
"""


def write(root: Path) -> Path:
    folder = root / "source" / SLUG
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(ARTICLE, encoding="utf-8")
    return folder


def test_pagebreak_and_meta_are_expanded_alike_in_every_edition_and_the_pdf_turns_the_page(tmp_path):
    folder = write(tmp_path)
    built = build_into(folder.parent, SLUG, tmp_path / "build")
    html = lxml.html.parse(str(built.edition("html"))).getroot()
    with zipfile.ZipFile(built.edition("epub")) as book:
        xhtml = lxml.html.fromstring(book.read("EPUB/article.xhtml"))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(built.edition("pdf")).pages]
    texts = [" ".join(page.xpath("//*[local-name()='body']")[0].text_content().split()) for page in (html, xhtml)]
    texts.append(" ".join(pages))
    for text in texts:
        before, after = text.split("A break inside")
        assert "We counted at Keta Lagoon Notes for Waders on the Tidal Flats, on the lagoon\u2019s north shore." in before, text
        assert "{{< pagebreak" not in before and "{{< meta title" not in before, text
        assert "as {{< meta nothing.here >}} says" in before and "{{< pagebreak >}} stays as written" in after, text
        assert "{{< meta title >}} in code" in after, text  # a code span is code
    assert xhtml.xpath("//*[local-name()='div'][@class='pagebreak']")
    # The page break: the paragraph after it begins the second page.
    assert "After the break" not in pages[0] and pages[1].startswith("After the break"), pages
    assert check_article(folder, built.build, {"validators": False})[0] == []


def test_what_is_not_expanded_is_reported_with_its_line(tmp_path):
    notices = load_article(write(tmp_path)).metadata.notices
    assert [(line, message.split(" is shown")[0].split(" is ignored")[0]) for line, message in notices] == [
        (8, "unknown front matter key 'unused-key'"),  # a key of no convention that the text does not show
        (15, "the Quarto shortcode {{< meta nothing.here >}}"),
        (17, "the Quarto shortcode {{< pagebreak >}}"),
    ]
    assert "no text at 'nothing.here'" in notices[1][1]


def test_through_make_the_expansion_builds_and_the_rest_is_named(tmp_path):
    root = link_project(tmp_path / "project")
    write(root)
    made = run_make(root, f"ARTICLE={SLUG}", "html")
    assert made.returncode == 0, made.stderr
    assert f"source/{SLUG}/article.md:15: the Quarto shortcode {{{{< meta nothing.here >}}}}" in made.stderr
    assert "article.md:11:" not in made.stderr and "article.md:13:" not in made.stderr and "'place'" not in made.stderr
    html = (root / "build" / SLUG / f"{SLUG}.html").read_text(encoding="utf-8")
    assert "Keta Lagoon" in html


def test_a_meta_shortcode_never_shows_what_the_build_gives_pandoc(tmp_path, capsys):
    """pandoc's metadata holds what the build's command line sets: the absolute paths of the style
    and the bibliography on the editor's machine, and pubpipe's own data. A meta shortcode showed
    them in every edition; they stay as written, reported with their line."""
    folder = tmp_path / "source" / "paths"
    folder.mkdir(parents=True)
    (folder / "refs.bib").write_text("@book{doe, title={A Book}, author={Doe, Jane}, year={2001}}\n", encoding="utf-8")
    (folder / "article.md").write_text(
        "---\ntitle: Paths\nlang: en\nbibliography: refs.bib\nplace: the shore\n---\n\n"
        "A {{< meta bibliography >}} B {{< meta csl >}} C {{< meta pubpipe-front >}} D {{< meta place >}} [@doe].\n",
        encoding="utf-8")
    built = build_into(folder.parent, "paths", tmp_path / "build")
    err = capsys.readouterr().err
    for key in ("bibliography", "csl", "pubpipe-front"):
        assert f"article.md:8: the Quarto shortcode {{{{< meta {key} >}}}} is shown as text, not expanded: pandoc's '{key}' is set by the build" in err, err
    pages = [built.edition("html").read_text(encoding="utf-8")]
    with zipfile.ZipFile(built.edition("epub")) as book:
        pages.append(book.read("EPUB/article.xhtml").decode("utf-8"))
    pages.append(" ".join(page.extract_text() for page in PdfReader(built.edition("pdf")).pages))
    for page in pages:
        for secret in (str(tmp_path), str(Path(__file__).resolve().parent.parent), "own_record"):
            assert secret not in page, secret  # the article's folder, the checkout (styles, .venv), pubpipe's data
        assert "D the shore" in " ".join(page.split()), page
