"""Math, one source and three renderings: MathML with its TeX in the web and EPUB editions, SVG
drawn by MathJax from the same TeX in the PDF, with the TeX as its alternative text; never raw
TeX in any edition; and a formula that cannot be typeset stops the build with its line."""

from __future__ import annotations

import html
import re
import shutil
import statistics
import zipfile

import pytest

from conftest import CANONICAL, FIXTURES, SOURCE, build_into, write_article
from pubpipe.check.read_epub import read_epub
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pdf import _figures, _runs, read_pdf
from untrusted import VICTIM_BODY, article_text

ARTICLE, UNSAFE = 3, 6
RAW_TEX = re.compile(r"\\(frac|begin|end|label|alpha|mathrm|lambda|int|left|ln)\b|\$")

# The math fixture's formulas, by their TeX as the editions carry it (white space folded).
FIXTURE_FORMULAS = [
    r"N(t)", r"\frac{\mathrm{d}N}{\mathrm{d}t} = -\lambda N", r"N(0) = N_0",
    r"N(t) = N_0 \, e^{-\lambda t}, \qquad t \geq 0.", r"t_{1/2} = \ln 2 / \lambda", r"N_0", r"K",
    r"\frac{\mathrm{d}P}{\mathrm{d}t} = r P \left( 1 - \frac{P}{K} \right)",
    r"\begin{align} \int \frac{K\,\mathrm{d}P}{P (K - P)} &= \int r \,\mathrm{d}t \\ \ln \frac{P}{K - P} &= r t + C \end{align}",
    r"P(t) = \frac{K}{1 + \left( \frac{K - P_0}{P_0} \right) e^{-r t}}",
    r"\begin{gather*} r > 0, \quad K > 0, \\ 0 < P_0 < K. \end{gather*}",
    r"K", r"0", r"K",
    r"\lambda",  # in the note, after the body
]


def test_web_and_epub_carry_mathml_with_its_tex(math_article):
    html = math_article.edition("html").read_text(encoding="utf-8")
    assert html.count("<math ") == len(FIXTURE_FORMULAS)
    assert len(re.findall(r'<math [^>]*display="block"', html)) == 6
    for summary in (read_html(math_article.edition("html")), read_epub(math_article.edition("epub"))):
        assert [f.text for f in summary.formulas] == FIXTURE_FORMULAS, summary.edition
    assert 'alttext="N(t) = N_0 \\, e^{-\\lambda t}, \\qquad t \\geq 0."' in html


def test_the_epub_declares_its_mathml(math_article):
    with zipfile.ZipFile(math_article.edition("epub")) as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        page = archive.read("EPUB/article.xhtml").decode("utf-8")
    item = re.search(r'<item [^>]*href="article.xhtml"[^>]*/>', opf).group(0)
    assert "mathml" in item.split('properties="')[1].split('"')[0]
    assert '<math alttext=' in page and 'xmlns="http://www.w3.org/1998/Math/MathML"' in page
    titlepage = re.search(r'<item [^>]*href="titlepage.xhtml"[^>]*/>', opf).group(0)
    assert "mathml" not in titlepage, "only documents that show MathML say so"


def test_the_pdf_draws_each_formula_with_its_tex_as_alternative_text(math_article):
    summary = read_pdf(math_article.edition("pdf"))
    images = [alt.text for alt in summary.figure_alts if alt.text.startswith("A curve that")]
    assert len(images) == 2, "the two figures' images, with their own alt texts"
    assert [alt.text for alt in summary.figure_alts if alt.text not in images] == FIXTURE_FORMULAS
    text = " ".join(block.text for block in summary.body + summary.notes)
    assert not RAW_TEX.search(text), RAW_TEX.search(text)


def test_no_edition_shows_raw_tex(math_article):
    for reader, edition in ((read_html, "html"), (read_epub, "epub")):
        summary = reader(math_article.edition(edition))
        text = " ".join(block.text for block in summary.body + summary.notes)
        assert not RAW_TEX.search(text), (edition, RAW_TEX.search(text))


def test_a_formula_with_angle_brackets_is_drawn_not_replaced_by_its_alt_text(math_article):
    """MathJax's SVG once carried the TeX's `<` unescaped in an attribute; WeasyPrint then could
    not read the image and printed its alt text instead, with no error."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(math_article.edition("pdf"))
    try:
        words = " ".join(run.text for run in _runs(pdf))
    finally:
        pdf.close()
    assert "\\begin{gather" not in words and "P_0" not in words


def test_malformed_svg_stops_the_build():
    from pubpipe.editions.math_svg import Formula, _well_formed
    from pubpipe.errors import ToolError

    with pytest.raises(ToolError, match="not well-formed"):
        _well_formed('<svg data-latex="0 < x"></svg>', Formula("0 < x", False))


def _formula_boxes(pdf_path):
    from pypdf import PdfReader

    return {run.text: run for run in _figures(PdfReader(pdf_path))}


def test_inline_formulas_sit_on_the_baseline_at_text_size(math_article):
    """$N_0$ in a line of text: its N stands on the line's baseline as tall as the text's capitals,
    and only its subscript hangs below."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    inline = _formula_boxes(math_article.edition("pdf"))["N_0"]
    middle = (inline.top + inline.bottom) / 2
    pdf = pdfium.PdfDocument(math_article.edition("pdf"))
    try:
        texts = list(pdf[inline.page].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]))
        line = [obj for obj in texts if obj.get_bounds()[1] < middle < obj.get_bounds()[3]]
        baselines = [obj.get_matrix().get()[5] for obj in line]
        size = statistics.median(run.size for run in _runs(pdf))  # in points, as the PDF reader gives them
    finally:
        pdf.close()
    assert line, "the formula shares a line with body text"
    baseline = statistics.mode(baselines)
    assert 0.08 * size < baseline - inline.bottom < 0.35 * size, (inline, baseline)  # the subscript's depth
    assert 0.6 * size < inline.top - baseline < 0.9 * size, (inline, baseline)  # a capital's height


def test_display_formulas_are_centred_and_numbered_at_the_margin(math_article):
    import pypdfium2 as pdfium

    boxes = _formula_boxes(math_article.edition("pdf"))
    pdf = pdfium.PdfDocument(math_article.edition("pdf"))
    try:
        runs = _runs(pdf)
        width = pdf[0].get_width()
    finally:
        pdf.close()
    text_left = min(run.left for run in runs)
    text_right = width - text_left  # the page's margins are even
    for tex, number in ((FIXTURE_FORMULAS[1], "(1)"), (FIXTURE_FORMULAS[9], None)):
        box = boxes[tex]
        centre = (box.left + box.right) / 2
        assert abs(centre - (text_left + text_right) / 2) < 6, (tex, centre, text_left, text_right, width)
        if number:
            label = [run for run in runs if run.text.strip() == number and run.page == box.page]
            assert label and abs(label[0].right - text_right) < 2
            assert label[0].bottom < (box.top + box.bottom) / 2 < label[0].top + 4


def test_an_article_without_math_starts_no_renderer(canonical, math_article, tmp_path):
    from pubpipe.editions import math_svg

    before = math_svg.renderer_starts
    build_into(SOURCE, CANONICAL, tmp_path / "plain", "--formats", "pdf")
    assert math_svg.renderer_starts == before
    math_svg._drawn.clear()
    build_into(FIXTURES, "math", tmp_path / "math")
    assert math_svg.renderer_starts == before + 1, "one renderer for all the formulas of a build"


def test_a_rebuild_draws_only_the_formulas_that_are_new(tmp_path, monkeypatch):
    """MathJax's drawings are kept in the build's cache: the same article again starts no renderer
    and gives the same PDF; an edited formula is the only one drawn again."""
    from pubpipe.editions import math_svg

    folder = tmp_path / "source" / "cached"
    folder.mkdir(parents=True)
    article = folder / "article.md"
    article.write_text("---\ntitle: Cached\nauthor: A. Writer\n---\n\nFirst $a + b$, then\n\n$$c = d$$\n", encoding="utf-8")
    asked: list[list] = []
    real = math_svg._run_renderer
    monkeypatch.setattr(math_svg, "_run_renderer", lambda formulas, *rest: asked.append(formulas) or real(formulas, *rest))
    math_svg._drawn.clear()  # what this test process drew for other tests is not the build's cache
    first = build_into(folder.parent, "cached", tmp_path / "build", "--formats", "pdf").edition("pdf").read_bytes()
    math_svg._drawn.clear()
    again = build_into(folder.parent, "cached", tmp_path / "build", "--formats", "pdf").edition("pdf").read_bytes()
    assert again == first
    article.write_text(article.read_text(encoding="utf-8").replace("$a + b$", "$a - b$"), encoding="utf-8")
    math_svg._drawn.clear()
    build_into(folder.parent, "cached", tmp_path / "build", "--formats", "pdf")
    assert asked == [[math_svg.Formula("a + b", False), math_svg.Formula("c = d", True)], [math_svg.Formula("a - b", False)]]


# --- pandoc's own math cases, in our words ----------------------------------------------------

# The constructs of the LaTeX section of pandoc's test suite (test/testsuite.txt), written anew:
# plain inline formulas, symbols and Greek letters, digits alone, a formula glued to a word, a
# display formula in a list item, a formula broken over two lines, and dollar signs that are not
# math (in code, in prices, escaped).
PANDOC_CASES = r"""# Formulas in running text

- $1+1=2$
- $a \notin B$
- $\beta \vee \gamma$
- $314$
- $k$-means
- A display formula inside a list item:
  $$\frac{\partial}{\partial t} u(x, t) = \lim_{s \to 0} \frac{u(x, t + s) - u(x, t)}{s}$$
- One that is broken over two lines: $\beta - \gamma \div
  y^3$.

None of these are formulas:

- Write `$a^2 + b^2 = c^2$` to get the theorem.
- $12,000 is *plenty* of money. So is $45,000.
- Pens ($3) and paper ($8).
- An escaped dollar: $61 *still emphasised* 17\$.
"""
PANDOC_FORMULAS = [
    "1+1=2", r"a \notin B", r"\beta \vee \gamma", "314", "k",
    r"\frac{\partial}{\partial t} u(x, t) = \lim_{s \to 0} \frac{u(x, t + s) - u(x, t)}{s}",
    r"\beta - \gamma \div y^3",
]


def test_pandocs_math_cases_build_without_raw_tex(tmp_path):
    folder = tmp_path / "source" / "cases"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\ntitle: Math cases\nauthor: A. Writer\nlang: en\n---\n\n" + PANDOC_CASES,
                                       encoding="utf-8")
    built = build_into(folder.parent, "cases", tmp_path / "build")
    html, epub, pdf = (read_html(built.edition("html")), read_epub(built.edition("epub")), read_pdf(built.edition("pdf")))
    assert [f.text for f in html.formulas] == PANDOC_FORMULAS
    assert [f.text for f in epub.formulas] == PANDOC_FORMULAS
    assert [alt.text for alt in pdf.figure_alts] == PANDOC_FORMULAS
    for summary in (html, epub, pdf):
        text = " ".join(block.text for block in summary.body)
        assert "\\" not in text, (summary.edition, text)
        assert "-means" in text.replace("\u00ad", "")
        assert "$12,000 is plenty of money. So is $45,000." in text
        assert "Pens ($3) and paper ($8)." in text
        assert "$61 still emphasised 17$." in text
        assert "$a^2 + b^2 = c^2$" in text  # code keeps its dollars
    from pubpipe.check.run import check_article

    findings, _ = check_article(folder, built.build, {"validators": False})
    assert findings == [], findings


def test_accents_are_operators_in_spacing_form_not_marks_on_nothing(tmp_path):
    """pandoc writes \\hat x as <mo>U+0302</mo>: a combining mark with nothing to sit on, which the
    Nu checker reports ("Text run starts with a composing character") and fonts draw on a dotted
    circle. The web and EPUB editions carry the spacing accent instead; the TeX stays as written."""
    import unicodedata

    folder = tmp_path / "source" / "accents"
    folder.mkdir(parents=True)
    accents = r"$\hat N$, $\tilde x$, $\dot x$, $\ddot x$, $\check a$, $\breve a$, $\acute a$, $\grave a$, $\widehat{AB}$"
    (folder / "article.md").write_text(f"---\ntitle: Accents\nauthor: A. Writer\nlang: en\n---\n\nEstimates {accents}.\n",
                                       encoding="utf-8")
    built = build_into(folder.parent, "accents", tmp_path / "build", "--formats", "html,epub")
    with zipfile.ZipFile(built.edition("epub")) as epub:
        chapters = [epub.read(name).decode("utf-8") for name in epub.namelist() if name.endswith(".xhtml")]
    for markup in [built.edition("html").read_text(encoding="utf-8"), *chapters]:
        operators = re.findall(r"<mo\b[^>]*>([^<]+)</mo>", markup)
        assert not [o for o in operators if unicodedata.combining(o[0])], operators
    assert [f.text for f in read_html(built.edition("html")).formulas][:2] == [r"\hat N", r"\tilde x"]


def test_a_header_cell_that_is_only_a_formula_is_named_in_the_web_and_epub_editions(conventions_article):
    """axe's and Ace's empty-table-header rule reads no MathML, nor an aria-label on the <th>: the
    formulas of a header cell that has nothing else get an aria-label of what they show (the
    session's `validated` run proves that axe and Ace accept it, test_accessibility). A header
    cell with words of its own, and formulas elsewhere, are left as they are; the editions still
    agree (test_crossref's test_the_conventions_article_agrees)."""
    with zipfile.ZipFile(conventions_article.edition("epub")) as epub:
        chapter = epub.read("EPUB/article.xhtml").decode("utf-8")
    for markup in [conventions_article.edition("html").read_text(encoding="utf-8"), chapter]:
        headers = re.findall(r"<th\b[^>]*>(.*?)</th>", markup, re.DOTALL)
        assert len(headers) == 3
        assert re.match(r'<math aria-label="N" alttext="N"', headers[0]), headers[0]
        assert re.match(r'<math aria-label="λ" alttext="\\lambda"', headers[1]), headers[1]
        assert headers[2] == "Species"
        assert markup.count("aria-label=\"N\"") == 1  # the $N$ in the paragraph gets none


# --- bad input ------------------------------------------------------------------------------

def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


def test_tex_that_pandoc_cannot_read_names_its_line(case):
    text = article_text(body=VICTIM_BODY + "\nThe rate is $\\frac{a}{b + \\foo{c}}$ here.\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "is not TeX that can be typeset", "unexpected control sequence \\foo",
                        f"article.md:{line_of(text, 'foo')}")


def test_tex_that_mathjax_rejects_names_its_line(case):
    """pandoc's texmath knows \\Digamma; MathJax does not, so the PDF cannot draw it."""
    text = article_text(body=VICTIM_BODY + "\nA letter:\n\n$$ \\Digamma + 1 $$\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "MathJax cannot typeset the formula $\\Digamma + 1$",
                        "Undefined control sequence \\Digamma", f"article.md:{line_of(text, 'Digamma')}")


def test_raw_mathml_is_refused(case):
    text = article_text(body=VICTIM_BODY + "\nInline <math><mi>x</mi></math> markup.\n")
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "raw HTML <math> is refused", f"article.md:{line_of(text, '<math>')}")


def test_an_unknown_tex_environment_is_still_reported_not_dropped(case, capfd):
    text = article_text(body=VICTIM_BODY + "\n\\begin{tikzpicture}\n\\draw (0,0) -- (1,1);\n\\end{tikzpicture}\n")
    case.article(text)
    result = case.build()
    assert result.status == 0, result.text
    assert f"article.md:{line_of(text, 'tikzpicture')}: raw tex" in result.err and "left out of every edition" in result.err


def test_a_formula_in_the_title_is_drawn_in_every_edition(tmp_path):
    folder = tmp_path / "source" / "titled"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\ntitle: The $\\lambda$ calculus\nauthor: A. Writer\n---\n\nText.\n", encoding="utf-8")
    built = build_into(folder.parent, "titled", tmp_path / "build")
    assert '<math alttext="\\lambda"' in built.edition("html").read_text(encoding="utf-8")
    with zipfile.ZipFile(built.edition("epub")) as archive:
        assert b"<math " in archive.read("EPUB/titlepage.xhtml")
    alts = [alt.text for alt in read_pdf(built.edition("pdf")).figure_alts]
    assert alts and set(alts) == {"\\lambda"}  # the title block, and the "Cite this article" box


def test_a_formula_in_a_notes_later_paragraphs_and_lists_is_drawn_in_print(tmp_path):
    """A note's blocks after its first become spans in print (notes float into the text); the
    formula's MathML inside them was turned into spans too, and printed its symbols and TeX."""
    from pubpipe.check.run import check_article

    folder = write_article(tmp_path, "noted", "---\ntitle: Noted\nauthor: A. Writer\n---\n\nThe flow was measured.[^flow]\n\n"
                           "[^flow]: At the gauge, $h$ in metres.\n\n    The median was $Q_{50} = 1.3$.\n\n"
                           "    - a listed $\\sqrt{2}$\n")
    built = build_into(folder.parent, "noted", tmp_path / "build", "--formats", "html,epub,pdf")
    summary = read_pdf(built.edition("pdf"))
    assert [alt.text for alt in summary.figure_alts] == ["h", "Q_{50} = 1.3", "\\sqrt{2}"]
    notes = " ".join(note.text for note in summary.notes)
    assert "Q_{50}" not in notes and "sqrt" not in notes, notes
    assert check_article(folder, built.build, {"validators": False})[0] == []


def test_a_formula_in_the_title_is_unicode_text_where_only_text_may_stand(tmp_path):
    """The page's <title>, its meta tags, the EPUB's dc:title, the PDF's /Title, XMP title and
    running head take a title as text: a formula there is written in Unicode, the same in every
    edition, never as raw TeX; the title block still draws it, as it draws a subtitle's and an
    abstract's formulas, and the check reads them all (a changed one is X-009)."""
    import json

    from pypdf import PdfReader

    folder = tmp_path / "source" / "decay"
    folder.mkdir(parents=True)
    body = "\n\n".join(f"Paragraph {n} on the decay chain, long enough to fill a page or two. " * 6 for n in range(40))
    (folder / "article.md").write_text("---\ntitle: 'The $\\alpha$-decay of $^{238}$U'\nsubtitle: 'Half-lives near $10^{9}$ years'\n"
                                       "abstract: 'We measure $\\lambda$.'\nauthor: A. Writer\ndate: 2024-01-01\n---\n\n"
                                       + body + "\n", encoding="utf-8")
    built = build_into(folder.parent, "decay", tmp_path / "build")
    text = "The \u03b1-decay of \u00b2\u00b3\u2078U"  # α, superscript 2 3 8
    page = built.edition("html").read_text(encoding="utf-8")
    assert f"<title>{text}</title>" in page
    assert f'<meta name="citation_title" content="{text}">' in page and f'<meta name="DC.title" content="{text}">' in page
    linked = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1))
    assert linked["headline"] == text
    with zipfile.ZipFile(built.edition("epub")) as archive:
        assert f"<dc:title>{text}</dc:title>" in archive.read("EPUB/content.opf").decode("utf-8")
    pdf = PdfReader(built.edition("pdf"))
    assert pdf.metadata.title == text and pdf.xmp_metadata.dc_title == {"x-default": text}
    assert len(pdf.pages) >= 3 and text in pdf.pages[2].extract_text()  # a right-hand page's running head
    assert [alt.text for alt in read_pdf(built.edition("pdf")).figure_alts] == ["\\alpha", "^{238}", "10^{9}", "\\lambda",
                                                                               "\\alpha", "^{238}"]  # and Cite this article
    assert_epub_change_caught(built, tmp_path, "EPUB/titlepage.xhtml", ('alttext="\\alpha"', 'alttext="\\beta"'),
                              "X-009", "\\beta")


def test_a_formula_in_the_original_records_titles_is_unicode_text_in_the_metadata(tmp_path):
    """The original publication's record is a CSL item whose titles may hold TeX: the citation_*
    tags, DC.source, the JSON-LD, the EPUB's dc:source and the RIS download take its text form (pandoc's plain
    writer, as for the article's own title), neither the TeX as written nor MathML's characters
    run together with its TeX annotation ("α\\alpha")."""
    import json
    from urllib.parse import unquote

    folder = tmp_path / "source" / "record"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Reprinted\nauthor: A. Writer\noriginal:\n  record:\n    type: article-journal\n"
        "    title: 'Counting $\\beta$ rays from $^{40}$K'\n    container-title: 'Letters on $\\gamma$ physics'\n"
        "    author: [{family: Meitner, given: Lise}]\n    issued: 1921\n---\n\nText.\n", encoding="utf-8")
    built = build_into(folder.parent, "record", tmp_path / "build", "--formats", "html,epub")
    title, journal = "Counting \u03b2 rays from \u2074\u2070K", "Letters on \u03b3 physics"
    page = built.edition("html").read_text(encoding="utf-8")
    assert f'<meta name="citation_title" content="{title}">' in page
    assert f'<meta name="citation_journal_title" content="{journal}">' in page
    source = re.search(r'<meta name="DC.source" content="([^"]*)">', page).group(1)
    assert title.split()[1] in source and "K" in source and "\\" not in source and "^" not in source, source
    linked = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL).group(1))
    assert linked["isBasedOn"]["name"] == title and linked["isBasedOn"]["description"] == source
    assert linked["isPartOf"]["name"] == journal
    with zipfile.ZipFile(built.edition("epub")) as archive:
        assert f"<dc:source>{source}</dc:source>" in archive.read("EPUB/content.opf").decode("utf-8")
    # RIS, the "Cite this article" download that holds only text, takes the same text form
    ris = unquote(re.search(r'href="data:application/x-research-info-systems;charset=utf-8,([^"]*)"', page).group(1))
    assert f"TI  - {title}\r\n" in ris and f"T2  - {journal}\r\n" in ris, ris


def test_a_formula_in_a_table_caption_names_its_scrolling_box_by_its_tex(tmp_path):
    """The web page's scrolling box around a table is named by the caption: a formula there by its
    alternative text, not by MathML's characters run together with its TeX annotation."""
    folder = tmp_path / "source" / "boxed"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\ntitle: Boxed\nauthor: A. Writer\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                                       ": Rates $\\lambda$ by site\n", encoding="utf-8")
    page = build_into(folder.parent, "boxed", tmp_path / "build", "--formats", "html").edition("html").read_text(encoding="utf-8")
    assert 'role="region" aria-label="Rates \\lambda by site"' in page, re.findall(r'aria-label="[^"]*"', page)


def test_a_title_formula_without_a_unicode_form_is_reported_with_its_line(tmp_path, capfd):
    folder = tmp_path / "source" / "halving"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\nauthor: A. Writer\ntitle: 'Halving at $\\frac{\\pi}{2}$'\n---\n\nText.\n",
                                       encoding="utf-8")
    capfd.readouterr()
    built = build_into(folder.parent, "halving", tmp_path / "build", "--formats", "html")
    err = capfd.readouterr().err
    assert "article.md:3: the formula $\\frac{\\pi}{2}$ has no plain-text form" in err, err
    assert "Could not convert" not in err, err  # pandoc's own words, which name no line, are replaced
    assert "<title>Halving at \\frac{\\pi}{2}</title>" in built.edition("html").read_text(encoding="utf-8")


HEADING_FORMULAS = """---
title: Cases
author: A. Writer
---

Opening words.

## The case $n = 0$

First case.

## Solving $\\frac{a}{b}$ by hand

Second case.

### The $\\alpha$-decay of $^{238}$U

A subsection.

## Growth near $t_0$ {#sec:growth}

As @sec:growth says.
"""


def test_a_formula_in_a_heading_is_text_in_the_bookmarks_and_the_contents(tmp_path, capfd):
    """A heading is text only in the PDF's bookmarks, the EPUB's contents and a section reference:
    its formulas are written there in Unicode as the title's are, or as TeX with a warning and
    line when they have no Unicode form; they were left out (bookmarks) or printed as MathML's
    characters followed by the TeX (the EPUB's contents: "The case n=0n = 0")."""
    from pypdf import PdfReader

    from pubpipe.check.summary import normalise_text

    folder = tmp_path / "source" / "cases"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(HEADING_FORMULAS, encoding="utf-8")
    capfd.readouterr()
    built = build_into(folder.parent, "cases", tmp_path / "build")
    err = capfd.readouterr().err
    assert f"article.md:{line_of(HEADING_FORMULAS, 'Solving')}: the formula $\\frac{{a}}{{b}}$ has no plain-text form" in err
    headings = ["The case n = 0", "Solving \\frac{a}{b} by hand", "The \u03b1-decay of \u00b2\u00b3\u2078U", "Growth near t\u2080"]

    def titles(items):
        return [title for item in items for title in (titles(item) if isinstance(item, list) else [item.title])]

    assert titles(PdfReader(built.edition("pdf")).outline) == ["Cases", *headings, "Cite this article"]
    with zipfile.ZipFile(built.edition("epub")) as archive:
        contents = re.findall(r'<a href="article.xhtml#[^"]+">([^<]*)</a>', archive.read("EPUB/nav.xhtml").decode("utf-8"))
    assert [html.unescape(text) for text in contents] == headings
    page = built.edition("html").read_text(encoding="utf-8")
    assert 'class="crossref">Section\u00a0\u201cGrowth near t\u2080\u201d</a>' in page
    assert [h.text for h in read_html(built.edition("html")).headings] == [normalise_text(h) for h in headings]
    assert_epub_change_caught(built, tmp_path, "EPUB/article.xhtml", ('aria-label="\u03b1"', 'aria-label="\u03b2"'),
                              "X-002", "\u03b2")


# --- the check catches what differs ----------------------------------------------------------

def _copy_build(built, tmp_path):
    target = tmp_path / "build"
    shutil.copytree(built.build / built.slug, target / built.slug)
    return target


def _findings(built, build_root):
    from pubpipe.check.run import check_article

    findings, _ = check_article(built.source, build_root, {"validators": False})
    return findings


def assert_epub_change_caught(built, tmp_path, member: str, change: tuple[str, str], code: str, shown: str) -> None:
    """The editions agree as built; with one change in one EPUB document, the check reports
    `code`, showing `shown`."""
    from test_check import rewrite_epub_member

    assert _findings(built, built.build) == []
    build = _copy_build(built, tmp_path / "tampered")
    rewrite_epub_member(build / built.slug / f"{built.slug}.epub", member, lambda text: text.replace(*change, 1))
    found = [f for f in _findings(built, build) if f.code == code]
    assert found and any(shown in f.found + f.expected for f in found), found


def test_a_changed_formula_in_the_epub_is_x009(math_article, tmp_path):
    from test_check import rewrite_epub_member

    build = _copy_build(math_article, tmp_path)
    rewrite_epub_member(build / "math" / "math.epub", "EPUB/article.xhtml",
                        lambda text: text.replace('alttext="N_0"', 'alttext="M_0"', 1))
    found = [f for f in _findings(math_article, build) if f.code == "X-009"]
    assert found and all("epub" in f.editions for f in found), found
    assert any("M_0" in f.found + f.expected for f in found)


def test_a_formula_missing_from_the_html_is_x009(math_article, tmp_path):
    build = _copy_build(math_article, tmp_path)
    html = build / "math" / "math.html"
    text = html.read_text(encoding="utf-8")
    text, count = re.subn(r'<math alttext="t_\{1/2\}.*?</math>', "", text, count=1, flags=re.S)
    assert count == 1
    html.write_text(text, encoding="utf-8")
    found = [f for f in _findings(math_article, build) if f.code in ("X-009", "F-002") and "html" in f.editions]
    assert any("t_{1/2}" in f.expected + f.found for f in found), found


def test_a_formula_drawn_from_other_tex_in_the_pdf_is_x009(math_article, tmp_path):
    from test_check import rerender_pdf

    build = _copy_build(math_article, tmp_path)
    rerender_pdf(math_article, build, lambda markup: markup.replace('alt="N_0"', 'alt="N_1"', 1))
    findings = _findings(math_article, build)
    x009 = [f for f in findings if f.code == "X-009" and "pdf" in f.editions]
    assert x009 and any("N_1" in f.found + f.expected for f in x009), findings
    assert not [f for f in findings if f.code == "X-001"], "the words did not change"


def test_an_image_alt_text_changed_in_the_pdf_is_x006(math_article, tmp_path):
    from test_check import rerender_pdf

    build = _copy_build(math_article, tmp_path)
    rerender_pdf(math_article, build, lambda markup: markup.replace('alt="A curve that falls', 'alt="A line that falls', 1))
    found = [f for f in _findings(math_article, build) if "pdf" in f.editions]
    assert {f.code for f in found} == {"X-006", "F-002"}, found


# --- the PDF's drawing of formulas ---------------------------------------------------------

def test_svg_paths_become_pdf_operators():
    from pubpipe.editions.math_pdf import _path_operators

    ops, box = _path_operators("M10 20L30 20H40V50h-5v-5l-5 0Q0 0 10 20Z")
    assert ops.decode() == "10 20 m 30 20 l 40 20 l 40 50 l 35 50 l 35 45 l 30 45 l 10 15 3.333 6.667 10 20 c h f"
    assert box == pytest.approx((10 / 3, 20 / 3, 40, 50))
    ops, _ = _path_operators("m1 1 2 2c1 1 2 2 3 3z")  # relative, with an implicit lineto
    assert ops.decode() == "1 1 m 3 3 l 4 4 5 5 6 6 c h f"


def test_a_formula_beyond_glyphs_and_rules_is_drawn_from_its_svg(tmp_path):
    """A colour, a box or a struck-out term: the SVG goes to WeasyPrint as it is; the rest of the
    formulas are drawn as PDF operators; either way the PDF carries each formula's TeX."""
    from pubpipe.editions import default_options
    from pubpipe.editions.pdf import print_page
    from pubpipe.load.article import load_article
    from pubpipe.resolve import resolve

    folder = tmp_path / "source" / "colours"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Colours\nauthor: A. Writer\nlang: en\n---\n\n"
        "Plain $a + b$, red $\\color{red}{x}$, boxed $\\boxed{y}$ and struck $\\cancel{z}$.\n", encoding="utf-8")
    options = dict(default_options(), source_date_epoch=0)
    markup, _images, finisher = print_page(resolve(load_article(folder)), options)
    assert markup.count("data:image/svg+xml") == 3 and len(finisher.drawings) == 1
    built = build_into(folder.parent, "colours", tmp_path / "build")
    assert [alt.text for alt in read_pdf(built.edition("pdf")).figure_alts] == [
        "a + b", "\\color{red}{x}", "\\boxed{y}", "\\cancel{z}"]
    from pubpipe.check.run import check_article

    findings, _ = check_article(folder, built.build, {"validators": False})
    assert findings == [], findings


def test_an_inline_formula_is_drawn_whole_not_only_up_to_its_first_operator(tmp_path):
    """MathJax 4 draws an inline formula as one picture per piece between its operators, for a
    browser to wrap; the PDF took the first picture only, and showed `a` for $a = b + c$. Drawn
    whole, the inline formula is as wide as the same formula displayed."""
    folder = tmp_path / "source" / "pieces"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text("---\ntitle: Pieces\nauthor: A. Writer\n---\n\n"
                                       "The sum $a = b + c$ in the text.\n\n$$a=b+c$$\n", encoding="utf-8")
    built = build_into(folder.parent, "pieces", tmp_path / "build", "--formats", "pdf")
    boxes = _formula_boxes(built.edition("pdf"))
    inline, display = boxes["a = b + c"], boxes["a=b+c"]
    assert inline.right - inline.left == pytest.approx(display.right - display.left, rel=0.05), (inline, display)


def test_formulas_are_drawn_where_they_stand(math_article):
    """The placeholders WeasyPrint laid out are drawn over: ink inside each formula's box."""
    assert_formulas_inked(math_article.edition("pdf"), (FIXTURE_FORMULAS[1], "N_0", FIXTURE_FORMULAS[10]))


def assert_formulas_inked(pdf_path, texes) -> None:
    """Each formula of `texes` (by its TeX, its /Alt) has ink inside its box, not a blank placeholder."""
    import pypdfium2 as pdfium

    boxes = _formula_boxes(pdf_path)
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        for tex in texes:
            box = boxes[tex]
            page = pdf[box.page]
            scale = 4
            bitmap = page.render(scale=scale, crop=(box.left, box.bottom, page.get_width() - box.right,
                                                    page.get_height() - box.top), grayscale=True)
            pixels = bitmap.to_pil().getdata()
            dark = sum(1 for value in pixels if value < 128)
            assert dark > 0.04 * len(pixels), (tex, dark, len(pixels))
    finally:
        pdf.close()


def test_text_drawn_inside_a_picture_is_not_read_as_body_text():
    from pubpipe.check.read_pdf import Run, _outside_figures

    figure = Run(0, "\\text{₰}", 100, 100, 140, 120, 0.0, False)
    inside = Run(0, "₰", 110, 104, 120, 116, 14.0, False)
    beside = Run(0, "words", 150, 104, 200, 116, 14.0, False)
    elsewhere = Run(1, "₰", 110, 104, 120, 116, 14.0, False)
    assert _outside_figures([inside, beside, elsewhere], [figure]) == [beside, elsewhere]
