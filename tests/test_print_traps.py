"""What real articles bring that tripped the PDF reader or the print layout (issue 12, items 3, 4
and 8): read back out of real builds of the `science` fixture, and of small articles made here.

Each test failed before its fix: numbers at the start of a PDF line were stripped as list or page
numbers, sub- and superscripts gained a space or were dropped as note calls, a note's second
paragraph and its code fell into the body, words in linked bibliography titles broke without a
hyphen, the EPUB's deliberately missing date was reported (every edition now carries the date
that load/dates.py reads, in ISO form, or none), PDF figures were refused, Japanese text and
emoji stopped the build, and PDF/A-3b was untagged.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.html
import pypdfium2 as pdfium
from pypdf import PdfReader

from conftest import Built, build_into
from pubpipe.check.read_pdf import read_pdf
from pubpipe.check.summary import SOFT_HYPHEN
from pubpipe.check.run import check_article
from test_check import copy_build, rerender_pdf, rewrite_epub_member

MM = 72 / 25.4


def findings(built: Built, build_root: Path | None = None):
    found, _report = check_article(built.source, build_root or built.build, {"validators": False})
    return found


def pdf_text(summary) -> str:
    """The body's text, without the soft hyphens that mark where the layout broke a word."""
    return " ".join(block.text for block in summary.body).replace(SOFT_HYPHEN, "")


def test_science_editions_agree(science):
    assert findings(science) == []


def test_numbers_that_start_a_pdf_line_are_text(science):
    summary = read_pdf(science.edition("pdf"))
    assert "30." in [note.text for note in summary.notes], "a note that is just a number"
    text = pdf_text(summary)
    assert "1. open the valve 2019. the valve was replaced 30" in text, "code lines that start with numbers"
    labels = [entry.text.split(" ", 1)[0] for entry in summary.bibliography]
    assert labels[:3] == ["1.", "2.", "3."], "a numbered bibliography keeps its numbers, as the HTML does"
    # What the medium adds is still left out: list numbers, running heads, page numbers, note calls.
    assert "calibrated against a standard. Then they were lowered" in text
    assert not re.search(r"\d of 3", text) and "Small Numbers in a Lowland River" not in text
    assert "all. Concentrations" in text and "protocol. The field season" in text


def test_sub_and_superscripts_read_without_a_space(science):
    text = pdf_text(read_pdf(science.edition("pdf")))
    for written in ("CO2 and H2O", "θ1 and θ2", "grid of 2563 cells", "as e−kt for", "(r2 = 0.81)", "13C and 15N", "sediment3–5."):
        assert written in text, written


def test_a_changed_subscript_is_still_caught(science, tmp_path):
    build = copy_build(science, tmp_path)
    rerender_pdf(science, build, lambda markup: markup.replace("CO<sub>2</sub>", "CO<sub>3</sub>", 1))
    found = [f for f in findings(science, build) if f.code == "X-001" and "pdf" in f.editions]
    assert found and "CO3" in found[0].found, found


def test_a_note_of_several_paragraphs_stays_in_the_note(science):
    summary = read_pdf(science.edition("pdf"))
    note = summary.notes[0].text
    assert note.startswith("The grid size was chosen in 2019")
    assert "a reviewer asked. for cell in grid: fit(cell) A last paragraph follows the code." in note
    assert "fit(cell)" not in pdf_text(summary)


def _lines(pdf: Path) -> list[tuple[int, str]]:
    document = pdfium.PdfDocument(str(pdf))
    found = []
    for index in range(len(document)):
        text = document[index].get_textpage().get_text_range()
        found += [(index + 1, line.strip()) for line in text.splitlines() if line.strip()]
    return found


def test_no_word_in_the_bibliography_breaks_without_a_hyphen(science):
    """Linked titles that end in italics (species names) used to break as "Gammaru|s pulex"."""
    html = lxml.html.parse(str(science.edition("html"))).getroot()
    letters = r"[^\W\d_]+"  # words, not the digits and letters of an address, which may break anywhere
    vocabulary = set(re.findall(letters, html.text_content()))
    lines = _lines(science.edition("pdf"))
    broken = []
    for (page, line), (_, following) in zip(lines, lines[1:]):
        if re.search(r"://|[/=&?]", (line.split() or [""])[-1]):
            continue  # the line ends inside an address (a URL's query), which may break anywhere
        end, start = re.search(rf"(?<![\w]){letters}$", line), re.match(rf"{letters}(?!\d)", following)
        if end and start and end.group(0) not in vocabulary and end.group(0) + start.group(0) in vocabulary:
            broken.append(f"page {page}: {line[-25:]!r} / {following[:25]!r}")
    assert not broken, broken


def test_a_long_url_still_breaks_inside_the_margin(science):
    document = pdfium.PdfDocument(str(science.edition("pdf")))
    last = document[len(document) - 1]
    width, _height = last.get_size()
    text = last.get_textpage()
    found = text.search("checksum=").get_next()
    assert found, "the long URL is on the last page"
    right_margin = width - 20 * MM
    for index in range(found[0], text.count_chars()):  # glyphs may overhang their advance by a point or two
        left, _bottom, right, _top = text.get_charbox(index)
        assert right <= right_margin + 3, f"character {index} ends at {right:.1f} pt, past the margin at {right_margin:.1f}"


def _small_article(folder: Path, front_matter: str, body: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(f"---\n{front_matter}\n---\n\n{body}\n", encoding="utf-8")
    return folder


def test_a_date_the_epub_cannot_carry_is_no_difference(tmp_path):
    """An unreadable date is left out of the EPUB's dc:date (and warned about at build time)."""
    _small_article(tmp_path / "src" / "season", "title: A Season\nauthor: Jo Writer\ndate: Spring 2019\nlang: en",
                   "Rain fell for most of the spring.")
    built = build_into(tmp_path / "src", "season", tmp_path / "out")
    with zipfile.ZipFile(built.edition("epub")) as epub:
        assert "<dc:date>" not in epub.read("EPUB/content.opf").decode("utf-8")
    assert [f for f in findings(built) if f.code in ("X-007", "F-002")] == []


def test_a_changed_date_is_still_x007(features, tmp_path):
    build = copy_build(features, tmp_path)
    epub = build / "features" / "features.epub"
    rewrite_epub_member(epub, "EPUB/content.opf", lambda text: text.replace(">2021-03-15<", ">2021-03-16<"))
    assert any(f.code == "X-007" and "date" in f.message and "epub" in f.editions for f in findings(features, build))


def test_the_archival_variant_is_tagged_and_checks_clean(tmp_path):
    """PDF/A-3b does not require tags; we keep them, for screen readers and for the checker."""
    from conftest import FIXTURES

    built = build_into(FIXTURES, "science", tmp_path / "out", "--pdf-variant", "pdf/a-3b")
    root = PdfReader(built.edition("pdf")).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfaid:part" in root["/Metadata"].get_object().get_data()
    assert findings(built) == []


# --- PDF figures (issue 12, item 6) ----------------------------------------------------------------

def test_a_pdf_figure_is_the_same_picture_in_every_edition(science):
    """`![…](discharge.pdf)` was refused as a raw <embed>; now its page is rendered once, to PNG at
    the documented resolution, and all three editions show those pixels with the alt text."""
    import base64
    import io

    from PIL import Image

    from pubpipe.resolve.pdf_figures import RESOLUTION

    alt = "A line chart of daily discharge, high each winter and low each summer."
    page = lxml.html.parse(str(science.edition("html"))).getroot()
    img = page.xpath(f'//img[@alt="{alt}"]')[0]
    png = base64.b64decode(img.get("src").split(",", 1)[1])
    picture = Image.open(io.BytesIO(png))
    width_pt, height_pt = pdfium.PdfDocument(str(science.source / "discharge.pdf"))[0].get_size()
    expected = (width_pt * RESOLUTION / 72, height_pt * RESOLUTION / 72)
    assert all(abs(got - want) <= 1 for got, want in zip(picture.size, expected)), (picture.size, expected)

    with zipfile.ZipFile(science.edition("epub")) as epub:
        article = epub.read("EPUB/article.xhtml").decode("utf-8")
        src = re.search(rf'<img src="([^"]+)" alt="{re.escape(alt)}"', article).group(1)
        assert epub.read("EPUB/" + src) == png

    in_pdf = [image.image for pdf_page in PdfReader(science.edition("pdf")).pages for image in pdf_page.images]
    assert any(image.size == picture.size and image.convert("RGB").tobytes() == picture.convert("RGB").tobytes()
               for image in in_pdf), "the PDF shows the same pixels"
    tagged = PdfReader(science.edition("pdf")).trailer["/Root"]["/StructTreeRoot"]
    assert alt in _alt_texts(tagged), "the PDF's Figure element carries the alt text"


def _alt_texts(node) -> list[str]:
    found, stack = [], [node]
    while stack:
        item = stack.pop()
        item = item.get_object() if hasattr(item, "get_object") else item
        if isinstance(item, dict):
            if "/Alt" in item:
                found.append(str(item["/Alt"]))
            kids = item.get("/K")
            stack.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
        elif isinstance(item, list):
            stack.extend(item)
    return found


# --- Chinese, Japanese and emoji (issue 12, item 6) ------------------------------------------------

# One line per paragraph: pandoc makes a line break in the source a space, which Japanese does not use.
JAPANESE = """---
title: 川の小さな数
author:
  - name: 山田 花子
date: 2023-04-01
lang: ja
---

# はじめに 🌊

この記事は、低地の川で2011年から2015年まで測った水質の記録をまとめたものです。観測所は川の堰のすぐ上にあり、10分ごとに水温と電気伝導度を記録しました。冬には流量が増え、夏には減りました。観測の結果は、前の調査で報告された傾向とよく一致していました。

# 結果 🎉

流量の季節変化は、上流の雪解けと梅雨の時期に強く影響されていました。特に六月の後半には、一日のうちに流量が二倍になる日が何度もありました。^[この注は、測定の方法について補足するためのものです。]"""


def test_japanese_text_and_emoji_headings_build_and_check_clean(tmp_path):
    """Both stopped the build for want of glyphs; now Noto Serif CJK and Noto Color Emoji are
    our fallbacks (editions/fonts.py), embedded, and the PDF still passes our PDF checks and the
    validators. The digits stay in the book typeface (the emoji font has digits too, which the
    check would read back as nothing)."""
    from test_pdf import pdffonts
    from pubpipe.editions.fonts import is_declared

    (tmp_path / "a" / "kawa").mkdir(parents=True)
    (tmp_path / "a" / "kawa" / "article.md").write_text(JAPANESE, encoding="utf-8")
    built = build_into(tmp_path / "a", "kawa", tmp_path / "out-a")
    rows = pdffonts(built.edition("pdf"))
    names = [row[0] for row in rows]
    assert any("Noto-Serif-CJK-JP" in name for name in names) and any("Noto-Color-Emoji" in name for name in names), names
    for row in rows:
        assert row[-5] == "yes" and is_declared(row[0]) and "Type 3" not in " ".join(row), row
    found, _report = check_article(built.source, built.build, {"validators": True})
    assert found == []

    # The paragraphs wrap between characters (the check above read them back whole), never
    # before a closing mark (kinsoku).
    lines = [line for _page, line in _lines(built.edition("pdf"))]
    assert len(lines) > 8 and not [line for line in lines if line.startswith(("。", "、"))], lines

    # The same bytes from another folder.
    (tmp_path / "b" / "kawa").mkdir(parents=True)
    (tmp_path / "b" / "kawa" / "article.md").write_text(JAPANESE, encoding="utf-8")
    again = build_into(tmp_path / "b", "kawa", tmp_path / "out-b")
    assert again.edition("pdf").read_bytes() == built.edition("pdf").read_bytes()
