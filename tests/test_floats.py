"""Float placement (editions/floats.py) on made-up pages laid out by the real WeasyPrint with the
print style sheet: a figure that does not fit lets the text run on past it and past the floats
after it, opens the next page, and never changes the order of the text or of the floats; a
table with nothing after it breaks between its rows, and a figure with nothing after it is drawn
smaller, within limits. Each case first shows the gap that the plain layout leaves. (The gaps
are measured on the laid-out boxes here, as shares of the text area; test_typography measures
the built PDFs.)"""

from __future__ import annotations

import lxml.html
import pytest

from pubpipe.editions import floats
from pubpipe.editions.pdf import STYLESHEET
from pubpipe.runtime.paths import styles_dir

weasyprint = pytest.importorskip("weasyprint")

SENTENCE = "The gauge at the weir was read each morning and each evening, and the readings were written down. "
PAGE = "@page { size: A5; margin: 18mm 16mm; } html { --fallbacks: serif; }"


def image(width: int, height: int) -> str:
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
           f"<rect width='{width}' height='{height}' fill='%23246'/></svg>")
    return f'<img src="data:image/svg+xml,{svg}" alt="A dark block.">'


def figure(number: int, height: int) -> str:
    return f"<figure>{image(400, height)}<figcaption>Figure {number}: a block.</figcaption></figure>"


def table(number: int, rows: int) -> str:
    body = "".join(f"<tr><td>S{row}</td><td>{row * 7}.5</td></tr>" for row in range(1, rows + 1))
    return (f'<div class="short-table"><table><caption>Table {number}: readings</caption>'
            f"<thead><tr><th>Station</th><th>Level</th></tr></thead><tbody>{body}</tbody></table></div>")


def paragraph(number: int, sentences: int) -> str:
    return f"<p>P{number}. {SENTENCE * sentences}</p>"


def markup(*blocks: str) -> str:
    """The print HTML's shape: the blocks in an article body, floats marked as pdf.py marks them."""
    body = lxml.html.fragment_fromstring(f'<div class="article-body" id="article-body">{"".join(blocks)}</div>')
    floats.mark_floats(body)
    return (f"<!DOCTYPE html><html lang='en'><head><style>{PAGE}</style></head><body><article>"
            f"{lxml.html.tostring(body, encoding='unicode')}</article></body></html>")


def render(html: str):
    return weasyprint.HTML(string=html).render(stylesheets=[weasyprint.CSS(filename=str(styles_dir() / STYLESHEET))])


def page_texts(document) -> list[str]:
    return [" ".join(box.text for box in floats._descendants(page._page_box) if hasattr(box, "text"))
            for page in document.pages]


def order_of(document, prefix: str) -> list[str]:
    """The labels (P1, Figure 2 …) in the order the pages show them, each once."""
    import re

    seen = []
    for text in page_texts(document):
        for label in re.findall(rf"\b{prefix}\s?\d+", text):
            if label.replace(" ", "") not in [s.replace(" ", "") for s in seen]:
                seen.append(label)
    return seen


def test_text_runs_on_past_a_figure_and_the_table_after_it():
    html = markup(paragraph(1, 14), figure(1, 300), table(1, 4), paragraph(2, 2), "<h2>Later</h2>",
                  *(paragraph(number, 3) for number in range(3, 9)))
    plain = render(floats.numbered(html))
    assert floats.worst_gap(plain) > 0.15  # the gap the layout leaves

    placed = floats.place(html, render)
    assert floats.worst_gap(placed) <= 0.15
    assert order_of(placed, "P") == [f"P{number}" for number in range(1, 9)]  # the text keeps its order
    assert order_of(placed, "(?:Figure|Table)") == ["Figure 1", "Table 1"]  # and the floats theirs
    # The figure opens the page it moved to, ahead of the text it was moved past.
    second = page_texts(placed)[1]
    assert second.index("Figure 1") < second.index("Table 1") < min(second.index(f"P{n}.") for n in range(2, 9) if f"P{n}." in second)
    assert "P2." in page_texts(placed)[0]  # text after the floats filled the first page
    # The paragraph that now follows the figure's place-marker is indented like any other.
    assert start_of(placed, "P2.") == start_of(placed, "P4.") > start_of(placed, "P1.")


def start_of(document, label: str) -> float:
    """Where the first line of the paragraph that begins with `label` begins its text."""
    for page in document.pages:
        for box in floats._descendants(page._page_box):
            if type(box).__name__ == "TextBox" and box.text.startswith(label):
                return box.position_x
    raise AssertionError(f"{label} is not laid out")


def test_a_float_passes_a_heading_only_with_the_text_under_it():
    html = markup(paragraph(1, 14), figure(1, 300), "<h2>Heading</h2>", paragraph(2, 6), paragraph(3, 6))
    placed = floats.place(html, render)
    for text in page_texts(placed):
        if "Heading" in text:
            assert "P2." in text.split("Heading", 1)[1]  # a heading never ends a page alone


def test_a_short_table_with_nothing_after_it_breaks_between_rows():
    html = markup(paragraph(1, 10), table(1, 14))
    plain = render(floats.numbered(html))
    assert len(plain.pages) == 2 and "S1" not in page_texts(plain)[0]
    assert floats.worst_gap(plain) > 0.15

    placed = floats.place(html, render)
    first, second = page_texts(placed)
    assert "S1" in first and "S14" in second  # split between rows
    assert "Station" in first and "Station" in second  # the header row repeated
    assert floats.worst_gap(placed) <= 0.15


def _tallest_image_that_fits(sentences: int) -> int:
    """The tallest image whose figure still fits on the page under the paragraph."""
    low, high = 10, 400
    while high - low > 2:
        middle = (low + high) // 2
        first = page_texts(render(floats.numbered(markup(paragraph(1, sentences), figure(1, middle)))))[0]
        low, high = (middle, high) if "Figure 1" in first else (low, middle)
    return low


@pytest.mark.parametrize("scale, shrinks", [(0.85, True), (0.6, False)])
def test_a_figure_with_nothing_after_it_is_drawn_smaller_only_within_limits(scale, shrinks):
    height = round(_tallest_image_that_fits(13) / scale)  # fits at `scale` of its size
    html = markup(paragraph(1, 13), figure(1, height))
    assert "Figure 1" not in page_texts(render(floats.numbered(html)))[0]

    placed = floats.place(html, render)
    on_first = "Figure 1" in page_texts(placed)[0]
    assert on_first == shrinks
    drawn = [box for box in floats._descendants(placed.pages[0 if shrinks else -1]._page_box)
             if type(box).__name__ in ("BlockReplacedBox", "InlineReplacedBox")]
    assert (drawn[0].height < height * 0.95) == shrinks
    assert drawn[0].height >= floats.MIN_SCALE * height - 1
