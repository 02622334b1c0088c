"""The classroom handouts: page sizes, and the booklet's page order read back out of the imposed
sheets. (The press PDF: test_press.py.)"""

from __future__ import annotations

import contextlib
import io
import re

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from conftest import FIXTURES
from pubpipe.editions.impose import saddle_stitch_order

MM = 72 / 25.4
FOLIO = re.compile(r"(\d+) of (\d+)")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    from pubpipe.cli import main

    build = tmp_path_factory.mktemp("handouts")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert main(["build", "features", "--formats", "handout", "--source", str(FIXTURES), "--build", str(build)]) == 0
    folder = build / "features"
    files = {name: folder / f"features-{name}.pdf" for name in ("a4", "letter", "booklet")}
    return dict(files, said=said.getvalue())


def test_each_file_of_the_handout_gets_its_line(printed):
    named = [re.search(r"\S+\.pdf", line).group() for line in printed["said"].splitlines() if ".pdf" in line]
    assert named[:3] == [str(printed[name]) for name in ("a4", "letter", "booklet")], printed["said"]


def size(path, index=0):
    box = PdfReader(path).pages[index].mediabox
    return float(box.width), float(box.height)


@pytest.mark.parametrize("pages", range(1, 14))
def test_saddle_stitch_order_folds_into_reading_order(pages):
    """Nest the sheets, fold them, and leaf through: the pages must come in order."""
    padded = -(-pages // 4) * 4
    sides = saddle_stitch_order(pages)
    assert len(sides) == padded // 2
    sheets = [(sides[i], sides[i + 1]) for i in range(0, len(sides), 2)]  # (front, back)
    reading = []
    for front, back in sheets:  # first half: outer sheet inwards, right of front then left of back
        reading += [front[1], back[0]]
    for front, back in reversed(sheets):  # second half: inner sheet outwards
        reading += [back[1], front[0]]
    assert reading == list(range(1, pages + 1)) + [None] * (padded - pages)


def test_saddle_stitch_order_for_eight_pages():
    assert saddle_stitch_order(8) == [(8, 1), (2, 7), (6, 3), (4, 5)]


def test_handouts_have_their_paper_sizes(printed):
    assert size(printed["a4"]) == pytest.approx((210 * MM, 297 * MM), abs=0.5)
    assert size(printed["letter"]) == pytest.approx((612, 792), abs=0.5)
    assert size(printed["booklet"]) == pytest.approx((297 * MM, 210 * MM), abs=0.5)
    for name in ("a4", "letter"):
        assert PdfReader(printed[name]).trailer["/Root"].get("/MarkInfo", {}).get("/Marked") == True  # noqa: E712 (a pypdf BooleanObject)


def _folios_of_halves(path):
    """(left folio, right folio) on each sheet side, read from the bottom of each half."""
    pdf = pdfium.PdfDocument(str(path))
    sides, total = [], None
    for index in range(len(pdf)):
        page = pdf[index]
        width, height = page.get_size()
        text = page.get_textpage()
        halves = []
        for left in (0, width / 2):
            match = FOLIO.search(text.get_text_bounded(left, 0, left + width / 2, 25 * MM))
            halves.append(int(match.group(1)) if match else None)
            if match:
                total = int(match.group(2))
        sides.append(tuple(halves))
    return sides, total


def test_booklet_page_order_reads_back(printed):
    sides, total = _folios_of_halves(printed["booklet"])
    assert total is not None and total >= 2
    assert sides == saddle_stitch_order(total)
    assert len(PdfReader(printed["booklet"]).metadata.title or "") > 0

