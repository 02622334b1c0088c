"""Cross-references: numbered once in the resolve step (resolve/lua/crossref.lua), the same numbers
and links in every edition, and a clear error for a label that is missing, defined twice or given
twice to one formula."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from conftest import FIXTURES, build_into, write_article
from test_pipeline import project_copy  # noqa: F401 (a fixture, used by name)
from make_harness import run_make
from pubpipe.check.compare import compare, dangling_references, joined_references
from pubpipe.check.summary import SOFT_HYPHEN
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import read_pdf
from untrusted import VICTIM_BODY, article_text

ARTICLE = 3
READERS = {"html": read_html, "epub": read_epub, "pdf": read_pdf}

# What the math fixture's references read and where they lead, in order: both syntaxes, several
# at once, the number alone, \ref, \eqref and \autoref, and one inside a note (read after the body).
EXPECTED_REFERENCES = [
    ("Equation (1)", "eq:decay"),
    ("Figure 1", "fig:decay"), ("Table 1", "tbl:halflives"),
    ("(3)", "eq:logistic"), ("Figure 2", "fig-growth"),
    ("(1)", "eq:decay"), ("(3)", "eq:logistic"),  # \ref inside the Quarto table
    ("Section “Two simple laws”", "sec:laws"), ("Equation (1)", "eq:decay"), ("Equation (2)", "eq-solution"),
    ("Section “Growth that levels off”", "sec-growth"), ("(3)", "eq:logistic"), ("(4)", "eq:steps"),
    ("1", "fig:decay"), ("2", "fig-growth"), ("1", "tbl:halflives"), ("Table 2", "tbl-compare"),
    ("Equation (1)", "eq:decay"),  # in the note
]


def test_captions_and_formulas_are_numbered_in_order(math_article):
    summary = read_html(math_article.edition("html"))
    assert [n.text for n in summary.numbered] == [
        "eq:decay (1)", "eq-solution (2)", "fig:decay Figure 1", "tbl:halflives Table 1",
        "eq:logistic (3)", "eq:steps (4)", "fig-growth Figure 2", "tbl-compare Table 2",
    ]
    captions = [c.text for c in summary.captions]
    assert "Figure 1: Exponential decay of a quantity over time." in captions
    assert "Table 2: The two laws side by side" in captions
    assert any(c.startswith("Figure 2: Logistic growth towards the limit") for c in captions), captions


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_every_reference_is_a_link_to_its_target_in_every_edition(math_article, edition):
    summary = READERS[edition](math_article.edition(edition))
    references = summary.references
    if edition == "pdf":  # a link broken at a line end is two annotations there, joined as check joins them
        references = joined_references(references)
    found = [(" ".join(r.text.replace(SOFT_HYPHEN, "").split()), r.target) for r in references]
    assert found == EXPECTED_REFERENCES
    assert dangling_references(summary) == []


def test_references_never_reach_citeproc(math_article, capsys):
    """@fig:x and @eq-x would be reported as missing citation keys; the build gives no warning."""
    from pubpipe.cli import main

    status = main(["build", "math", "--source", str(FIXTURES), "--build", str(math_article.build), "--formats", "html"])
    err = capsys.readouterr().err
    assert status == 0 and "citation" not in err and "not found" not in err, err


def test_a_bibliography_key_that_looks_like_a_label_stays_a_citation(tmp_path):
    folder = tmp_path / "source" / "keys"
    folder.mkdir(parents=True)
    (folder / "refs.yaml").write_text(
        "references:\n- id: fig-2019\n  type: book\n  title: Figures of Speech\n  issued: 2019\n", encoding="utf-8")
    (folder / "article.md").write_text(
        "---\ntitle: Keys\nauthor: A. Writer\nbibliography: refs.yaml\n---\n\nAs argued in [@fig-2019].\n\n"
        "# References\n\n::: {#refs}\n:::\n", encoding="utf-8")
    built = build_into(folder.parent, "keys", tmp_path / "build", "--formats", "html")
    summary = read_html(built.edition("html"))
    assert summary.references == []
    assert [e.text for e in summary.bibliography] and "Figures of Speech" in summary.bibliography[0].text


def test_a_label_inside_a_caption_names_its_figure_or_table(tmp_path, capsys):
    """JOSS's template labels a figure with \\label{…} inside its caption and cites it with \\autoref;
    the label is honoured (not reported as raw TeX left out) and shows in no caption or alt text."""
    from pubpipe.cli import main

    folder = tmp_path / "source" / "joss"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "features" / "chart.png", folder)
    (folder / "paper.md").write_text(
        "---\ntitle: Labels in captions\nauthors:\n  - name: A. Writer\n    affiliation: 1\naffiliations:\n"
        " - name: Somewhere\n   index: 1\ndate: 3 March 2024\n---\n\n# Summary\n\n"
        "As \\autoref{fig:chart} and Table \\ref{tab:counts} show.\n\n"
        "![A chart of counts.\\label{fig:chart}](chart.png)\n\n"
        "  Site   Count\n  ------ -------\n  A          3\n\n  : Counts by site. \\label{tab:counts}\n",
        encoding="utf-8")
    status = main(["build", "joss", "--source", str(folder.parent), "--build", str(tmp_path / "build"), "--formats", "html"])
    err = capsys.readouterr().err
    assert status == 0, err
    assert "raw tex" not in err and "label" not in err, err
    html_file = tmp_path / "build" / "joss" / "joss.html"
    summary = read_html(html_file)
    assert [(r.text, r.target) for r in summary.references] == [("Figure 1", "fig:chart"), ("1", "tab:counts")]
    assert [c.text for c in summary.captions] == ["Figure 1: A chart of counts.", "Table 1: Counts by site."]
    assert "\\label" not in html_file.read_text(encoding="utf-8")


def _math_article_in(lang: str, tmp_path, slug: str = "math"):
    """A fixture's web edition (the math fixture's unless `slug` says), built with `lang:` changed."""
    folder = tmp_path / "source" / slug
    shutil.copytree(FIXTURES / slug, folder)
    article = folder / "article.md"
    article.write_text(re.sub(r"(?m)^lang: .*$", f"lang: {lang}", article.read_text(encoding="utf-8")), encoding="utf-8")
    return build_into(folder.parent, slug, tmp_path / "build", "--formats", "html").edition("html")


def test_labels_in_a_language_with_its_own_words(tmp_path):
    summary = read_html(_math_article_in("de", tmp_path))
    texts = [r.text for r in summary.references]
    assert texts[:3] == ["Gleichung (1)", "Abbildung 1", "Tabelle 1"]
    assert "Abbildungen 1 und 2" in " ".join(block.text for block in summary.body)
    assert any(c.text.startswith("Abbildung 1: ") for c in summary.captions)


def test_english_words_in_another_language_are_marked(tmp_path):
    html = _math_article_in("pl", tmp_path).read_text(encoding="utf-8")
    assert '<span class="caption-label"><span lang="en">Figure</span>\u00a01</span>' in html


# --- bad input -------------------------------------------------------------------------------

def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(text.split("\n"), start=1) if needle in line]
    return lines[occurrence - 1]


LABELLED = VICTIM_BODY.replace("![A small chart.](chart.png)", "![A small chart.](chart.png){#fig:chart}")


@pytest.mark.parametrize("reference, shown", [
    ("@fig:chrat", "@fig:chrat"),
    ("[@fig:chart; @fig-chrat]", "@fig-chrat"),
    ("\\ref{fig:chrat}", "\\ref{fig:chrat}"),
])
def test_a_reference_to_a_missing_label_names_the_line_and_the_nearest_label(case, reference, shown):
    text = article_text(body=LABELLED + f"\nAs {reference} shows.\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, f"the reference {shown} names no figure", "nearest label is 'fig:chart'",
                        f"article.md:{line_of(text, 'As ')}")
    assert "citation" not in case.capfd.readouterr().err


def test_a_label_defined_twice_names_the_second(case):
    body = LABELLED.replace("# References", "![Again.](chart.png){#fig:chart}\n\n# References")
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "the label 'fig:chart' is defined twice",
                        f"article.md:{line_of(text, '{#fig:chart}', 2)}", f"first defined on line {line_of(text, '{#fig:chart}')}")


def test_a_formula_label_defined_twice_across_syntaxes(case):
    body = VICTIM_BODY + "\n$$ a = b $$ {#eq:one}\n\n\\begin{equation}\nc = d \\label{eq:one}\n\\end{equation}\n"
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "'eq:one' is defined twice", f"article.md:{line_of(text, 'label{eq:one}')}")


def test_one_formula_with_two_labels_is_refused(case):
    """The other problems are named too, not counted ("and 1 more")."""
    body = VICTIM_BODY + "\n\\begin{align}\na &= b \\label{eq:a} \\\\\nc &= d \\label{eq:c}\n\\end{align}\n\nSee @eq:nowhere.\n"
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "several labels", "(also '@eq:nowhere' names nothing)",
                        f"article.md:{line_of(text, 'label{eq:a}')}")


def test_a_number_typed_into_a_labelled_caption_is_pointed_out(tmp_path, capsys):
    folder = tmp_path / "source" / "typed"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "features" / "chart.png", folder)
    (folder / "article.md").write_text(
        "---\ntitle: Typed\nauthor: A. Writer\n---\n\nText.\n\n![Figure 1: A chart.](chart.png){#fig:chart}\n", encoding="utf-8")
    build_into(folder.parent, "typed", tmp_path / "build", "--formats", "html")
    err = capsys.readouterr().err
    assert "article.md:8: the caption labelled fig:chart starts with 'Figure 1" in err and "remove the number" in err


# --- the check catches what differs ------------------------------------------------------------

def _copy_build(built, tmp_path):
    target = tmp_path / "build"
    shutil.copytree(built.build / built.slug, target / built.slug)
    return target


def _plant_in_html(built, tmp_path, old: str, new: str, occurrences: int = 1):
    """A copy of the built editions whose web page has `new` in place of the first `old`, which the
    page has `occurrences` times (so that the difference is planted where the test means it)."""
    build = _copy_build(built, tmp_path)
    html = build / built.slug / f"{built.slug}.html"
    text = html.read_text(encoding="utf-8")
    assert text.count(old) == occurrences, (old, text.count(old))
    html.write_text(text.replace(old, new, 1), encoding="utf-8")
    return build


def _rewrite_epub(epub, change):
    with zipfile.ZipFile(epub) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(epub, "w") as out:
        for info, data in items:
            if info.filename == "EPUB/article.xhtml":
                data = change(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)


def _findings(built, build_root):
    from pubpipe.check.run import check_article

    findings, _ = check_article(built.source, build_root, {"validators": False})
    return findings


def test_untouched_math_article_agrees(math_article):
    assert _findings(math_article, math_article.build) == []


def test_a_reference_leading_elsewhere_in_the_html_is_x010(math_article, tmp_path):
    build = _plant_in_html(math_article, tmp_path, 'href="#tbl:halflives"', 'href="#tbl-compare"', occurrences=2)
    found = [f for f in _findings(math_article, build) if f.code == "X-010"]
    assert found and all("html" in f.editions for f in found), found
    assert any({"#tbl-compare", "#tbl:halflives"} <= set(re.findall(r"#[\w:-]+", f.found + " " + f.expected)) for f in found)


def test_a_renumbered_figure_in_the_epub_is_x010(math_article, tmp_path):
    build = _copy_build(math_article, tmp_path)
    _rewrite_epub(build / "math" / "math.epub",
                  lambda text: text.replace('<span class="caption-label">Figure\u00a02</span>', '<span class="caption-label">Figure\u00a03</span>'))
    findings = _findings(math_article, build)
    x010 = [f for f in findings if f.code == "X-010" and "epub" in f.editions]
    assert x010 and any("fig-growth Figure 3" in f.found for f in x010), findings


def test_a_reference_to_nowhere_is_x010(math_article, tmp_path):
    """A target removed from one edition: its references lead nowhere there."""
    build = _copy_build(math_article, tmp_path)
    _rewrite_epub(build / "math" / "math.epub", lambda text: text.replace('id="fig:decay"', 'id="fig-decay-gone"'))
    findings = _findings(math_article, build)
    dangling = [f for f in findings if f.code == "X-010" and f.editions == ("epub",)]
    assert dangling and "#fig:decay does not exist" in dangling[0].message


def test_a_pdf_link_to_another_target_is_x010(math_article, tmp_path):
    from test_check import rerender_pdf

    build = _copy_build(math_article, tmp_path)
    rerender_pdf(math_article, build, lambda markup: markup.replace('href="#eq:steps"', 'href="#eq:decay"', 1))
    found = [f for f in _findings(math_article, build) if f.code in ("X-010", "F-002") and "pdf" in f.editions]
    assert found and any("eq:steps" in f.expected and "eq:decay" in f.found for f in found), found


def test_the_compare_of_references_joins_a_link_broken_at_a_line_end():
    from pubpipe.check.summary import Reference, Summary

    html = Summary("html", references=[Reference("Section “Growth that levels off”", "sec-growth")])
    pdf = Summary("pdf", references=[Reference("Section “Growth", "sec-growth"), Reference("that levels off”", "sec-growth")],
                  formulas_marked=False)
    assert [f for f in compare(html, pdf) if f.code == "X-010"] == []


def test_a_missing_label_through_make_is_named_with_its_line(project_copy):
    """What users run: `make` fails with the line, the nearest label and the article's exit status
    in its summary. (That make keeps the editions built before is the Makefile's own test, for
    every failure.)"""
    shutil.copytree(FIXTURES / "math", project_copy / "source" / "formulas")
    assert run_make(project_copy, "ARTICLE=formulas").returncode == 0
    article = project_copy / "source" / "formulas" / "article.md"
    text = article.read_text(encoding="utf-8").replace("@tbl:halflives lists", "@tbl:halflifes lists")
    article.write_text(text, encoding="utf-8")
    result = run_make(project_copy, "ARTICLE=formulas")
    assert result.returncode == 2 and "make: 1 failed: formulas (exit 3)" in result.stderr, result.stderr
    assert f"article.md:{line_of(text, '@tbl:halflifes')}: the reference @tbl:halflifes names no figure" in result.stderr
    assert "nearest label is 'tbl:halflives'" in result.stderr


# --- code listings (pandoc-crossref's {#lst:x}, Quarto's {#lst-x}) ---------------------------

# The conventions fixture's listings, in order: pandoc-crossref's caption attribute and its
# "Listing:" paragraph (codeBlockCaptions: true), Quarto's lst-cap and its listing div.
# Last, a Quarto code chunk labelled by its `#| lst-label:` option (test_notebook_forms has the chunks).
EXPECTED_LISTINGS = ["lst:parse Listing 1", "lst:tally Listing 2", "lst-shell Listing 3", "lst-sorted Listing 4",
                     "lst-totals Listing 5", "tbl:visits Table 1"]
EXPECTED_LISTING_REFERENCES = [
    ("Listing 1", "lst:parse"), ("1", "lst:parse"), ("2", "lst:tally"), ("2", "lst:tally"),
    ("Listing 1", "lst:parse"), ("Listing 3", "lst-shell"), ("Listing 4", "lst-sorted"), ("Listing 5", "lst-totals"),
    ("Table 1", "tbl:visits"),
]


def test_code_listings_are_numbered_with_their_captions(conventions_article):
    html = conventions_article.edition("html")
    summary = read_html(html)
    assert [n.text for n in summary.numbered] == EXPECTED_LISTINGS
    assert [c.text for c in summary.captions] == [
        "Listing 1: Reading one line of the feeder log", "Listing 2: Adding up the visits of one morning",
        "Listing 3: Counting visits per species with standard tools", "Listing 4: The five most frequent visitors",
        "Listing 5: The totals in R", "Table 1: Visits and arrival rates on 12 January.",
    ]
    text = html.read_text(encoding="utf-8")
    # The caption paragraph and the caption attributes are taken, not shown twice; the code stays.
    assert "Listing: Adding" not in text and "data-caption" not in text and "lst-cap" not in text
    body = " ".join(block.text for block in summary.body)
    assert "counts[species] += count" in body and 'print("no number here")' in body
    assert "Listings 1 and 2 turn" in body.replace("\u00a0", " ")  # [@lst:parse; @lst:tally]


@pytest.mark.parametrize("edition", ["html", "epub", "pdf"])
def test_every_listing_reference_is_a_link_in_every_edition(conventions_article, edition):
    """(A link broken at a PDF line end is two annotations, joined as check joins them, in every
    edition alike; pandoc's empty anchors of code lines are no references.)"""
    from pubpipe.check.summary import Reference

    summary = READERS[edition](conventions_article.edition(edition))
    found = [(" ".join(r.text.split()), r.target) for r in joined_references(summary.references) if r.text.strip()]
    expected = [(r.text, r.target) for r in joined_references([Reference(*item) for item in EXPECTED_LISTING_REFERENCES])]
    assert found == expected
    assert dangling_references(summary) == []


def test_listings_in_the_articles_language(tmp_path):
    summary = read_html(_math_article_in("es", tmp_path, slug="conventions"))
    assert [r.text for r in summary.references][:3] == ["Listado 1", "1", "2"]
    assert summary.captions[0].text.startswith("Listado 1: ")


def test_the_conventions_article_agrees(conventions_article):
    assert _findings(conventions_article, conventions_article.build) == []


def test_a_renumbered_listing_in_the_epub_is_x010(conventions_article, tmp_path):
    build = _copy_build(conventions_article, tmp_path)
    _rewrite_epub(build / "conventions" / "conventions.epub",
                  lambda text: text.replace('<span class="caption-label">Listing\u00a03</span>', '<span class="caption-label">Listing\u00a05</span>'))
    found = [f for f in _findings(conventions_article, build) if f.code == "X-010" and "epub" in f.editions]
    assert found and any("lst-shell Listing 5" in f.found for f in found), found


def test_a_listing_reference_leading_elsewhere_in_the_pdf_is_x010(conventions_article, tmp_path):
    from test_check import rerender_pdf

    build = _copy_build(conventions_article, tmp_path)
    rerender_pdf(conventions_article, build, lambda markup: markup.replace('href="#lst-sorted"', 'href="#lst-shell"', 1))
    found = [f for f in _findings(conventions_article, build) if f.code in ("X-010", "F-002") and "pdf" in f.editions]
    assert found and any("lst-sorted" in f.expected and "lst-shell" in f.found for f in found), found


def test_a_reference_to_a_missing_listing_names_the_line(case):
    text = article_text(body=VICTIM_BODY + "\n```{#lst:demo .python caption=\"A demo\"}\nx = 1\n```\n\nSee @lst:dmeo.\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "the reference @lst:dmeo names no figure, table, equation, listing",
                        "nearest label is 'lst:demo'", f"article.md:{line_of(text, 'See @lst:dmeo')}")


def test_pandoc_output_kept_for_check_is_not_reused_once_the_filters_change(monkeypatch, tmp_path):
    """check and the packs reuse pandoc's output for unchanged inputs; the filters (crossref.lua,
    which numbers listings now) and the Python that sets them up are inputs too: a stale output
    made check compare new editions with an old reading of the source (F-002 everywhere)."""
    from pubpipe.load.article import load_article
    from pubpipe.resolve.styles import installed_styles_folder
    from pubpipe.runtime import cache as cache_module

    article = load_article(FIXTURES / "conventions")
    style = next(installed_styles_folder().glob("*.csl"))
    store, runs = cache_module.OutputCache(tmp_path), []

    def run():
        runs.append(1)
        return ("out", "")

    for code in ("code as it was", "code as it was", "code changed"):
        monkeypatch.setattr(cache_module, "code_digest", lambda code=code: code)
        store.pandoc_output(article, style, ["pandoc"], run)
    assert len(runs) == 2


def test_a_reference_to_a_code_chunks_label_says_that_the_chunk_is_not_run(case):
    """In Quarto `#| label: fig-rain` labels the figure the chunk draws when it runs; pubpipe runs
    no code, so @fig-rain names nothing. The hint said "the article defines no label"."""
    body = "```{r}\n#| label: fig-rain\n#| fig-cap: Rain by month.\nplot(rain)\n```\n\nSee @fig-rain.\n\n" + VICTIM_BODY
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, f"article.md:{line_of(text, 'See @fig-rain')}",
                        f"'fig-rain' labels a code chunk (line {line_of(text, '#| label: fig-rain')})", "runs no code")


@pytest.mark.parametrize("panels, left, right", [("fig-panels", "fig-left", "fig-right"), ("fig:panels", "fig:left", "fig:right")])
def test_subfigures_are_lettered_after_their_figure_in_every_edition(tmp_path, panels, left, right):
    """Quarto's and pandoc-crossref's figure of figures: the parts are 1a and 1b of Figure 1, not
    Figures 2 and 3 printed before Figure 1, and the next figure is Figure 2."""
    from PIL import Image

    from pubpipe.check.run import check_article

    folder = write_article(tmp_path, "panels", f"---\ntitle: Panels\nauthor: A. Writer\n---\n\n"
                           f"See @{panels}, @{left} and @{right}.\n\n::: {{#{panels}}}\n\n![The left part.](a.png){{#{left}}}\n\n"
                           f"![The right part.](b.png){{#{right}}}\n\nBoth parts.\n:::\n\n![Another.](a.png){{#fig-next}}\n\n"
                           "And @fig-next.\n")
    for name in ("a", "b"):
        Image.new("RGB", (300, 200), (40, 90, 160)).save(folder / f"{name}.png")
    built = build_into(folder.parent, "panels", tmp_path / "build")
    for reader, edition in ((read_html, "html"), (read_epub, "epub"), (read_pdf, "pdf")):
        summary = reader(built.edition(edition))
        references = joined_references(summary.references) if edition == "pdf" else summary.references
        assert [(" ".join(r.text.split()), r.target) for r in references] == [
            ("Figure 1", panels), ("Figure 1a", left), ("Figure 1b", right), ("Figure 2", "fig-next")], edition
        text = " ".join(" ".join(block.text for block in summary.body).split())
        assert text.index("(a) The left part.") < text.index("(b) The right part.") < text.index("Figure 1: Both parts.") \
            < text.index("Figure 2: Another."), text
    assert check_article(folder, built.build, {"validators": False})[0] == []


def test_a_figure_of_figures_that_the_pdf_moves_is_read_where_the_source_has_it(tmp_path):
    """The parts of a figure were floats of their own inside it: when the PDF moved the figure
    to the next page, the check read its parts elsewhere and failed X-001, X-006 and F-002."""
    from PIL import Image
    from pypdf import PdfReader

    from pubpipe.check.run import check_article

    prose = ("The kiln was fired twice, and each firing was logged at the door and at the flue, "
             "so that the two ramps could be set side by side afterwards. ") * 6
    folder = write_article(tmp_path, "kiln", "---\ntitle: Kiln\nauthor: A. Writer\n---\n\n" + (prose + "\n\n") * 5
                           + "::: {#fig-firings}\n\n![The first firing.](a.png){#fig-first}\n\n"
                           "![The second firing.](b.png){#fig-second}\n\nTwo firings, see @fig-second.\n:::\n\n"
                           + (prose + "\n\n") * 4)
    for name in ("a", "b"):
        Image.new("RGB", (600, 400), (160, 90, 40)).save(folder / f"{name}.png")
    built = build_into(folder.parent, "kiln", tmp_path / "build", "--formats", "html,epub,pdf")
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(built.edition("pdf")).pages]
    moved = next(n for n, page in enumerate(pages) if "Figure 1:" in page)
    assert any(prose.split(",")[0] in page for page in pages[:moved + 1]), "text before the figure"
    assert check_article(folder, built.build, {"validators": False})[0] == []
