"""Visual regression: the first pages of the print editions, rendered small, against references.

A layout change that nobody meant (a style rule that moves the notes, a font that falls back, a
running head that vanishes) shows up here as pixels. The comparison allows anti-aliasing noise; a
real change moves far more than the tolerance. After a change you do mean, look at the new pages
and run `pytest tests/test_visual.py --save-golden-files` to store them as the references.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops

GOLDEN = Path(__file__).resolve().parent / "golden"
SCALE = 0.5  # 36 dpi: the page's layout is visible, its anti-aliasing barely
DIFFERENT = 64  # a grey level change above this counts as a changed pixel
TOLERANCE = 0.004  # the share of changed pixels allowed

# The math fixture's pages hold inline, display and numbered formulas, drawn from MathJax's SVG.
PAGES = [("canonical", 0), ("canonical", 1), ("features", 0), ("features", 1), ("math_article", 0), ("math_article", 1)]


def render(pdf_path: Path, index: int) -> Image.Image:
    pdf = pdfium.PdfDocument(str(pdf_path))
    return pdf[index].render(scale=SCALE, grayscale=True).to_pil().convert("L")


def changed_share(expected: Image.Image, actual: Image.Image) -> float:
    diff = ImageChops.difference(expected, actual).point(lambda v: 255 if v > DIFFERENT else 0)
    return diff.histogram()[255] / (diff.width * diff.height)


@pytest.mark.parametrize("article, index", PAGES, ids=[f"{a}-p{i + 1}" for a, i in PAGES])
def test_page_looks_as_before(request, tmp_path, article, index):
    built = request.getfixturevalue(article)
    actual = render(built.edition("pdf"), index)
    golden = GOLDEN / f"{article}-pdf-p{index + 1}.png"
    if request.config.getoption("--save-golden-files"):
        GOLDEN.mkdir(exist_ok=True)
        actual.save(golden, optimize=True)
        pytest.skip(f"saved {golden.name}")
    assert golden.exists(), f"no reference {golden}; run pytest with --save-golden-files"
    expected = Image.open(golden).convert("L")
    assert expected.size == actual.size, f"page size changed: {expected.size} -> {actual.size}"
    share = changed_share(expected, actual)
    if share > TOLERANCE:
        actual.save(tmp_path / golden.name)
        ImageChops.difference(expected, actual).save(tmp_path / f"diff-{golden.name}")
    assert share <= TOLERANCE, (
        f"{share:.2%} of page {index + 1} changed (allowed {TOLERANCE:.2%}); "
        f"see {tmp_path}, and if the change is meant, rerun with --save-golden-files"
    )


def test_the_comparison_sees_a_moved_line(canonical):
    """The tolerance is not so loose that a shifted block of text passes."""
    page = render(canonical.edition("pdf"), 0)
    shifted = Image.new("L", page.size, 255)
    shifted.paste(page.crop((0, 0, page.width, page.height - 6)), (0, 6))
    assert changed_share(page, shifted) > TOLERANCE
    assert changed_share(page, page) == 0
