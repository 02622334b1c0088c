"""Issue 4's promises for the print edition, read back out of real PDFs with poppler, pypdf and
pypdfium2: embedded declared fonts, metadata, page sizes, running heads, notes on their page,
bookmarks, Cyrillic text, PDF/A-3b, and a build that fails on a glyph our fonts lack."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, SOURCE, CANONICAL, build_into, write_article
from pubpipe.editions.fonts import is_declared

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
LETTER = (612.0, 792.0)


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def pdffonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def page_size(path: Path, index: int = 0) -> tuple[float, float]:
    box = PdfReader(path).pages[index].mediabox
    return float(box.width), float(box.height)


def band_text(path: Path, index: int, top: bool, depth: float = 20 * MM) -> str:
    """The text in the top or bottom `depth` of a page: where running heads and folios live."""
    pdf = pdfium.PdfDocument(str(path))
    page = pdf[index]
    width, height = page.get_size()
    text = page.get_textpage()
    return text.get_text_bounded(0, height - depth, width, height) if top else text.get_text_bounded(0, 0, width, depth)


def page_texts(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def flat_outline(path: Path) -> list[tuple[int, str]]:
    reader = PdfReader(path)
    found: list[tuple[int, str]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title))

    walk(reader.outline, 1)
    return found


@pytest.fixture(scope="module")
def archival(tmp_path_factory, monkeypatch_module):
    """The canonical article with every override at once: PAPER=letter, pdf/a-3b, SOURCE_DATE_EPOCH."""
    monkeypatch_module.setenv("SOURCE_DATE_EPOCH", "1700000000")
    built = build_into(
        SOURCE, CANONICAL, tmp_path_factory.mktemp("archival"),
        "--formats", "pdf", "--paper", "letter", "--pdf-variant", "pdf/a-3b",
    )
    return built.edition("pdf")


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_every_font_is_embedded_and_declared(canonical, features):
    for path in (canonical.edition("pdf"), features.edition("pdf")):
        rows = pdffonts(path)
        assert rows, f"{path.name} lists no fonts"
        for row in rows:
            name, embedded = row[0], row[-5]
            assert embedded == "yes", f"{name} is not embedded in {path.name}"
            assert is_declared(name), f"{name} is not one of our fonts"
            assert "Type 3" not in " ".join(row)


def test_bold_and_italic_are_real_faces(features):
    names = {row[0].split("+", 1)[-1] for row in pdffonts(features.edition("pdf"))}
    assert any("Italic" in name for name in names), names
    assert any("Bold" in name for name in names), names


def test_metadata_tagging_and_a4(canonical):
    info = pdfinfo(canonical.edition("pdf"))
    assert info["Title"] == "Soviet Relations with Pakistan"
    assert info["Author"] == "Johanna Granville"
    assert info["Subject"].startswith("How the Soviet Union")
    assert "Kashmir" in info["Keywords"]
    assert info["Tagged"] == "yes"
    assert info["CreationDate"] == info["ModDate"]
    assert "2004" in info["CreationDate"]  # the article's date when SOURCE_DATE_EPOCH is unset
    assert page_size(canonical.edition("pdf")) == pytest.approx(A4, abs=0.5)
    root = PdfReader(canonical.edition("pdf")).trailer["/Root"]
    assert root["/Lang"] == "en-US"


def test_paper_from_the_front_matter(features):
    assert page_size(features.edition("pdf")) == pytest.approx(LETTER, abs=0.5)


def test_overrides_paper_variant_and_dates(archival):
    info = pdfinfo(archival)
    assert page_size(archival) == pytest.approx(LETTER, abs=0.5)
    assert info["CreationDate"].endswith("2023 UTC") and "Nov 14" in info["CreationDate"]
    assert info["ModDate"] == info["CreationDate"]
    assert re.search(rb"pdfaid:part(>|=\")3", _raw(archival))
    assert re.search(rb"pdfaid:conformance(>|=\")B", _raw(archival))


def _raw(path: Path) -> bytes:
    reader = PdfReader(path)
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_running_head_and_folio_absent_on_page_one_present_on_page_two(canonical):
    path = canonical.edition("pdf")
    pages = len(PdfReader(path).pages)
    assert pages >= 2
    assert band_text(path, 0, top=True).strip() == ""
    # As in a book: the authors head a left (even) page, the short title a right (odd) one.
    assert band_text(path, 1, top=True).strip() == "Johanna Granville"
    if pages >= 3:
        assert band_text(path, 2, top=True).strip() == "Soviet Relations with Pakistan"
    assert f"2 of {pages}" in band_text(path, 1, top=False)
    assert f"1 of {pages}" in band_text(path, 0, top=False)


def test_cyrillic_extracts(features):
    text = " ".join(page_texts(features.edition("pdf")))
    assert "Русский текст: «Война и мир» — роман Льва Толстого" in text
    assert "Николай Лобачевский" in text


def test_each_note_is_on_the_page_that_calls_it(features):
    pages = page_texts(features.edition("pdf"))
    for call_text, note_text in (
        ("Ordinary footnotes work as well.", "Second note: plain text only."),
        ("and in Лев Николаевич Толстой.", "Война и мир"),
    ):
        # A line may end inside a word of the call's sentence, with a hyphen (pdfium: U+0002 or U+FFFE).
        call_page = next(i for i, t in enumerate(pages) if call_text in re.sub(r"[-\x02\ufffe]\r\n|[\x02\ufffe]", "", t).replace("\r\n", " "))
        assert note_text in pages[call_page], f"note '{note_text}' is not on page {call_page + 1}"


def test_adjacent_note_calls_are_separated(features):
    text = page_texts(features.edition("pdf"))[0]
    assert re.search(r"fine too\.\s*3,4", text), text[:400]


def test_one_bookmark_per_heading_nested_like_the_headings(features):
    outline = flat_outline(features.edition("pdf"))
    assert outline == [
        (1, "Features: a Test Article for Every Construct"),
        (2, "Introduction"),
        (3, "A table and a figure"),
        (3, "Lists, links and other scripts"),
        (2, "References"),
        (2, "Cite this article"),
    ]


def test_bibliography_has_hanging_indents(features):
    """The first line of an entry starts left of its following lines."""
    pdf = pdfium.PdfDocument(str(features.edition("pdf")))
    for index in range(len(pdf)):
        textpage = pdf[index].get_textpage()
        found = textpage.search("Smith, Jane, and John Doe.")
        first = found.get_next()
        if first is None:
            continue
        start = first[0]
        left_first = textpage.get_charbox(start)[0]
        continuation = textpage.search("States Navigate").get_next()
        left_next = textpage.get_charbox(continuation[0])[0]
        assert left_next - left_first > 8, (left_first, left_next)
        return
    pytest.fail("the bibliography entry was not found")


@pytest.mark.parametrize(
    "character, expected",
    [
        ("⌽", "U+233D"),  # an APL symbol: here only in the system's DejaVu Sans Mono, if anywhere
        ("\U00013000", "U+13000"),  # an Egyptian hieroglyph: in no font at all
    ],
)
def test_a_character_our_fonts_lack_fails_the_build(article_copy, tmp_path, capsys, character, expected):
    from pubpipe.cli import main

    folder = article_copy(FIXTURES, "features")
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8") + f"\nFor all {character} we care.\n", encoding="utf-8")
    status = main(["build", "features", "--source", str(folder.parent), "--build", str(tmp_path / "out"), "--formats", "pdf"])
    err = capsys.readouterr().err
    assert status == 3, err
    assert expected in err and "article.md:" in err
    assert not (tmp_path / "out" / "features" / "features.pdf").exists()


def test_running_head_keeps_whole_words_of_the_title():
    from pubpipe.editions.pdf import running_authors, running_title

    long = "A very long title without any colon that goes on and on about everything under the sun"
    short = running_title(long)
    assert short.endswith("…") and len(short) <= 56
    assert set(short.rstrip("…").split()) <= set(long.split())
    assert running_title("Soviet Relations with Pakistan: A Survey of Seventy Years of Arms, Aid and Refugees") == (
        "Soviet Relations with Pakistan"
    )
    assert running_authors(["Ann Long-Surname Person", "Bob Another Long Surname", "Cy"]) == "Ann Long-Surname Person et al."
    assert running_authors(["Ann Person", "Bob Person"]) == "Ann Person, Bob Person"


def test_a_title_cannot_escape_its_css_string():
    from pubpipe.editions.pdf import css_string

    literal = css_string('Evil"; } @page { size: 1mm; } x { "\\')
    assert literal.count('"') == 2 and literal.startswith('"') and literal.endswith('"')
    assert "\\" not in literal.replace("\\22 ", "").replace("\\5c ", "")


@pytest.fixture(scope="module")
def many_sections(tmp_path_factory):
    """Forty sections of uneven length, so that some heading is bound to come near a page foot;
    the first heading calls a note."""
    source = tmp_path_factory.mktemp("sections-source")
    folder = source / "sections"
    folder.mkdir()
    sentence = "The delegation returned with a draft that neither side had fully accepted. "
    sections = "".join(
        f"## Section {n}{'^[A note called from a heading.]' if n == 1 else ''}\n\n" + (sentence * (3 + (n * 7) % 11)) + "\n\n" + (sentence * ((n * 5) % 4)) + "\n\n"
        for n in range(1, 41)
    )
    (folder / "article.md").write_text(
        "---\ntitle: Sections\nauthor:\n  - name: A. Tester\ndate: 2020-01-01\nlang: en-GB\n---\n\n" + sections,
        encoding="utf-8",
    )
    return build_into(source, "sections", tmp_path_factory.mktemp("sections-build"), "--formats", "pdf").edition("pdf")


def test_no_heading_is_left_alone_at_a_page_foot(many_sections):
    reader = PdfReader(many_sections)
    pdf = pdfium.PdfDocument(str(many_sections))
    headings = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                headings.append((reader.get_destination_page_number(item), float(item.top), item.title))

    walk(reader.outline)
    # The title, forty sections and the "Cite this article" box (made from the article's own metadata).
    assert len(headings) == 42 and headings[-1][2] == "Cite this article"
    assert headings[1][2] == "Section 1"  # the note it calls is not part of its bookmark
    foot = 30 * MM  # below this only the folio is drawn
    for page_index, top, title in headings[1:-2]:
        page = pdf[page_index]
        text = page.get_textpage()
        lines_below = {
            round(text.get_charbox(i)[1])
            for i in range(text.count_chars())
            if foot < text.get_charbox(i)[3] < top - 20
        }
        assert len(lines_below) >= 2, f"'{title}' has less than two lines under it on page {page_index + 1}"


def test_a_note_longer_than_a_page_fails_instead_of_covering_the_text(article_copy, tmp_path, capsys):
    from pubpipe.cli import main

    folder = article_copy(FIXTURES, "features")
    article = folder / "article.md"
    giant = "Giant note begins here. " + "A sentence that goes on in the note for a while. " * 250
    article.write_text(article.read_text(encoding="utf-8") + f"\nA call.^[{giant}]\n", encoding="utf-8")
    status = main(["build", "features", "--source", str(folder.parent), "--build", str(tmp_path / "out"), "--formats", "pdf"])
    err = capsys.readouterr().err
    assert status == 3, err
    assert "longer than a page" in err and "Giant note begins here" in err


def _lines(path: Path) -> list[list[tuple[float, float, float]]]:
    """Per page, the text lines top-down as (baseline, left edge, font size)."""
    import ctypes
    from collections import Counter, defaultdict

    import pypdfium2.raw as pdfium_c

    pages = []
    pdf = pdfium.PdfDocument(str(path))
    for index in range(len(pdf)):
        textpage = pdf[index].get_textpage()
        lines: dict[int, list[tuple[float, float]]] = defaultdict(list)
        x, y = ctypes.c_double(), ctypes.c_double()
        for i in range(textpage.count_chars()):
            if textpage.get_text_range(i, 1).isspace():
                continue
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            lines[round(y.value)].append((textpage.get_charbox(i)[0], pdfium_c.FPDFText_GetFontSize(textpage.raw, i)))
        pages.append([
            (baseline, min(left for left, _ in chars), Counter(round(s, 1) for _, s in chars).most_common(1)[0][0])
            for baseline, chars in sorted(lines.items(), reverse=True)
        ])
    return pages


def test_no_widows_or_orphans(many_sections):
    """Where a paragraph runs over a page break, at least two of its lines stay on each side."""
    from collections import Counter

    pages = _lines(many_sections)
    body = Counter(size for page in pages for _, _, size in page).most_common(1)[0][0]
    margin = min(left for page in pages for _, left, size in page if size == body)
    pitches = Counter(
        round(a[0] - b[0]) for page in pages for a, b in zip(page, page[1:]) if a[2] == b[2] == body
    )
    pitch = pitches.most_common(1)[0][0]

    def paragraphs(page):
        """Runs of body lines, broken at indents, gaps and anything bigger than body text."""
        runs, previous = [], None
        for baseline, left, size in page:
            if size > body * 1.02:  # headings are set larger than the text (pdfium reports the scaled size)
                runs.append(["heading"])
                previous = None
            elif size == body:
                starts = left > margin + 4 or previous is None or previous - baseline > pitch * 1.4
                if starts or not runs or runs[-1] == ["heading"]:
                    runs.append([])
                runs[-1].append(left > margin + 4)
                previous = baseline
        return runs

    laid_out = [paragraphs(page) for page in pages]
    crossings = 0
    for number, (this, following) in enumerate(zip(laid_out, laid_out[1:]), start=1):
        if not this or not following or this[-1] == ["heading"] or following[0] == ["heading"]:
            continue
        continues = not following[0][0]  # the next page opens mid-paragraph (no indent, no heading)
        if continues:
            crossings += 1
            assert len(this[-1]) >= 2, f"orphan: a paragraph's first line alone at the foot of page {number}"
            assert len(following[0]) >= 2, f"widow: a paragraph's last line alone at the top of page {number + 1}"
    assert crossings >= 2, "the fixture no longer breaks paragraphs across pages; the test would prove nothing"


LISTS = """---
title: Numbered as Written
author: A. Writer
lang: en
---

(@first) The first example.
(@second) The second example.

A paragraph between the examples.

(@third) The third example, beside (@first).

iii. The third of a roman list
iv. and its fourth.

a) One lettered item
b) and another.

7. A list that goes on at seven
8. and eight.
"""


def test_ordered_lists_keep_their_first_number_and_numerals_in_print(tmp_path):
    """pandoc writes `start` and `type` on each <ol>, which browsers and reading systems obey and
    WeasyPrint does not: the PDF numbered every list 1, 2, while its text said "(1)"."""
    folder = write_article(tmp_path, "lists", LISTS)
    built = build_into(folder.parent, "lists", tmp_path / "build", "--formats", "pdf")
    layout = subprocess.run(["pdftotext", "-layout", str(built.edition("pdf")), "-"], capture_output=True, text=True,
                            check=True).stdout
    lines = [" ".join(line.split()) for line in layout.splitlines()]
    for expected in ("1. The first example.", "2. The second example.", "3. The third example, beside (1).",
                     "iii. The third of a roman list", "iv. and its fourth.", "a. One lettered item", "b. and another.",
                     "7. A list that goes on at seven", "8. and eight."):
        assert expected in lines, (expected, lines)


def test_a_table_of_many_columns_is_set_smaller_and_never_breaks_a_number(tmp_path):
    """Cells may break anywhere so that a table fits the page; a data table of twelve columns
    printed "1000.000" as "100 / 0.0 / 00" and its headings as "Column1 / 0"."""
    header = "| " + " | ".join(f"Site{n}" for n in range(12)) + " |\n|" + "---:|" * 12 + "\n"
    rows = "".join("| " + " | ".join(f"{1000 * row + 7.123 * column:.3f}" for column in range(12)) + " |\n"
                   for row in range(1, 6))
    folder = write_article(tmp_path, "wide", f"---\ntitle: Wide\nauthor: A. Writer\n---\n\n{header}{rows}\n")
    built = build_into(folder.parent, "wide", tmp_path / "build", "--formats", "pdf")
    layout = subprocess.run(["pdftotext", "-layout", str(built.edition("pdf")), "-"], capture_output=True, text=True,
                            check=True).stdout
    lines = [line.split() for line in layout.splitlines()]
    assert [f"Site{n}" for n in range(12)] in lines
    for row in range(1, 6):
        assert [f"{1000 * row + 7.123 * column:.3f}" for column in range(12)] in lines


FORMS = """---
title: Forms
author: A. Writer
---

# Background[^heading]

[^heading]: A note called from a heading.

Term one
:   Its definition.

- [ ] an open task
- [x] a done task

The sentence ends here.[An aside about the storm.]{.aside} The next one.
"""


def _font_name(textpage, index: int) -> str:
    import ctypes

    import pypdfium2.raw as pdfium_c

    buffer = ctypes.create_string_buffer(256)
    length = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, None)
    return buffer.raw[:max(length - 1, 0)].decode("utf-8", "replace").split("+")[-1]


def _char_box(textpage, text: str) -> tuple[int, tuple[float, float, float, float]]:
    searcher = textpage.search(text)
    index, _count = searcher.get_next()
    return index, textpage.get_charbox(index)


def test_definitions_task_lists_notes_on_headings_and_asides_are_set_as_their_kind(tmp_path):
    """The forms pandoc and Quarto authors use beside paragraphs: a definition indented under its
    bold term, a task's box on its line, a note called from a heading not set in bold, and an
    aside written against the sentence before it still a word apart."""
    folder = write_article(tmp_path, "forms", FORMS)
    built = build_into(folder.parent, "forms", tmp_path / "build", "--formats", "html,pdf")
    page = pdfium.PdfDocument(str(built.edition("pdf")))[0]
    textpage = page.get_textpage()
    term, term_box = _char_box(textpage, "Term one")
    definition, definition_box = _char_box(textpage, "Its definition")
    assert definition_box[0] > term_box[0] + 10, (term_box, definition_box)  # indented under the term
    assert _font_name(textpage, term) != _font_name(textpage, definition), _font_name(textpage, term)  # the bold face
    note, _box = _char_box(textpage, "A note called")
    assert _font_name(textpage, note) == _font_name(textpage, definition), _font_name(textpage, note)
    _index, task_box = _char_box(textpage, "an open task")
    _index, done_box = _char_box(textpage, "a done task")
    assert done_box[1] < task_box[1] - 5 and abs(done_box[0] - task_box[0]) < 1  # one line each, aligned
    assert "The sentence ends here. An aside about the storm. The next one." in " ".join(textpage.get_text_range().split())
    assert "ends here. <span class=\"aside\">" in built.edition("html").read_text(encoding="utf-8")
