"""The press PDF as a print shop's pre-flight sees it, and the pre-press check (check/prepress.py)
that stands in for that pre-flight: it passes on the press PDF as built, and each planted fault
(marks inside the bleed, an RGB black, a 96 ppi image) is caught with its own code."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pikepdf
import pytest
from PIL import Image

from conftest import FIXTURES, build_into, write_article
from pubpipe.check.prepress import check_press
from pubpipe.editions import default_options, pdf, press
from pubpipe.editions.press_sheet import BLEED_MM, MM, SLUG_MM
from pubpipe.load.article import load_article
from pubpipe.resolve import resolve

LETTER = (612.0, 792.0)


@pytest.fixture(scope="module")
def features_press(tmp_path_factory):
    built = build_into(FIXTURES, "features", tmp_path_factory.mktemp("press"), "--formats", "press")
    return built.build / "features" / "features-press.pdf"


@pytest.fixture(scope="module")
def document():
    return resolve(load_article(FIXTURES / "features"))


def press_with(document, tmp_path, page_css: str):
    """The press PDF laid out again with `page_css` planted in the page's own style sheet (which
    outranks press.css), as a faulty build would make it."""
    options = dict(default_options(), source_date_epoch=0, bleed=f"{BLEED_MM:g}mm", pdf_variant=press.PDF_VARIANT)
    stage = press.stage(document)
    stage = dataclasses.replace(stage, page_css=stage.page_css + page_css)
    target = tmp_path / "planted-press.pdf"
    pdf.begin(document, target, options, stage)()
    return target


def codes(findings) -> set[str]:
    return {finding.code for finding in findings}


def test_press_boxes_say_trim_bleed_and_slug(features_press):
    with pikepdf.open(features_press) as document:
        for page in document.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(LETTER[0], abs=0.01)  # the fixture's paper: letter
            assert trim[3] - trim[1] == pytest.approx(LETTER[1], abs=0.01)
            for outer, inner, sign in zip(bleed, trim, (-1, -1, 1, 1)):
                assert (outer - inner) * sign == pytest.approx(BLEED_MM * MM, abs=0.01)
            for outer, inner, sign in zip(media, bleed, (-1, -1, 1, 1)):
                assert (outer - inner) * sign >= SLUG_MM * MM - 0.01


def test_press_is_pdf_x4_with_a_cmyk_intent(features_press):
    with pikepdf.open(features_press) as document:
        assert document.pdf_version == "1.6"
        intent = document.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFX"
        assert intent.DestOutputProfile.read_bytes()[16:20] == b"CMYK"
        assert document.open_metadata()["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"


def test_press_marks_are_drawn_outside_the_bleed(features_press, tmp_path):
    """Seen as a print shop sees them: ink in the slug at each corner, none in the bleed band."""
    subprocess.run(["pdftoppm", "-r", "144", "-gray", "-f", "1", "-l", "1", str(features_press), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.pgm")))
    px = 2  # pixels a point
    slug, bleed = round(SLUG_MM * MM * px), round(BLEED_MM * MM * px)
    trim = slug + bleed
    corner = image.crop((0, 0, trim + 1, slug))  # the slug above the top-left corner
    band = image.crop((slug + 1, slug + 1, trim - 1, image.height - slug - 1))  # the left bleed
    assert corner.getextrema()[0] < 200, "no crop mark in the top-left slug"
    assert band.getextrema()[0] == 255, "ink inside the bleed"
    edge = [image.getpixel((x, 0)) for x in range(image.width)] + [image.getpixel((0, y)) for y in range(image.height)]
    assert min(edge) == 255, "a mark is cut by the sheet's edge"


def test_prepress_check_passes_on_the_press_pdf(features_press):
    assert check_press(features_press, "letter") == []


def test_prepress_check_catches_marks_inside_the_bleed(document, tmp_path):
    # WeasyPrint's own marks, drawn within the CSS bleed: what the press PDF had before.
    planted = press_with(document, tmp_path, "@page { marks: crop cross; }")
    found = check_press(planted, "letter")
    assert codes(found) == {"V-MARKS"}, found
    assert any("inside the 3 mm bleed" in f.message for f in found)


def test_prepress_check_catches_rgb_black_text(document, tmp_path):
    planted = press_with(document, tmp_path, "html { --ink: #000; }")
    found = check_press(planted, "letter")
    assert codes(found) == {"V-RGB"}, found


def test_low_resolution_image_warned_with_its_line_and_caught(tmp_path, capfd):
    folder = tmp_path / "source" / "features"
    shutil.copytree(FIXTURES / "features", folder)
    chart = Image.open(folder / "chart.png")
    chart.resize((chart.width // 4, chart.height // 4)).save(folder / "chart.png")  # 480 px: 96 ppi
    built = build_into(folder.parent, "features", tmp_path / "build", "--formats", "press")
    line = next(n for n, text in enumerate((folder / "article.md").read_text().splitlines(), 1) if "chart.png" in text)
    assert f"article.md:{line}: image 'chart.png' has 96 ppi at its printed size" in capfd.readouterr().err
    found = check_press(built.build / "features" / "features-press.pdf", "letter")
    assert codes(found) == {"V-PPI"}, found
    assert "96 ppi" in found[0].message


def test_an_svg_with_text_of_its_own_is_named_at_the_build_and_its_text_caught_as_a_pictures(tmp_path, capfd):
    """CSS cannot reach an SVG image's own text, which prints in its RGB black: the check's advice
    (set text in device-cmyk) could not be followed, and no build message named the image."""
    folder = write_article(tmp_path, "labelled", "---\ntitle: Labelled\nauthor: A. Writer\n---\n\nThe harbour.\n\n"
                           "![The harbour, labelled.](harbour.svg)\n")
    (folder / "harbour.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
                                        '<rect width="200" height="60" fill="#9cf"/><text x="10" y="35">Harbour</text></svg>',
                                        encoding="utf-8")
    built = build_into(folder.parent, "labelled", tmp_path / "build", "--formats", "press")
    assert "article.md:8: the SVG image 'harbour.svg' sets 1 text(s) of its own" in capfd.readouterr().err
    found = check_press(built.build / "labelled" / "labelled-press.pdf", "a4")
    assert codes(found) == {"V-RGB"} and all("the text of a picture" in finding.message for finding in found), found


def test_each_prepress_code_is_documented():
    from pubpipe.check.findings import PRESS_CHECKS
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code in PRESS_CHECKS:
        assert f"| {code} |" in readme, f"{code} is not in the README's check table"


def test_press_is_reproducible(features_press, tmp_path):
    """WeasyPrint gives a PDF/X-4 file a random XMP DocumentID; the press sheet step replaces it."""
    again = build_into(FIXTURES, "features", tmp_path, "--formats", "press")
    assert (again.build / "features" / "features-press.pdf").read_bytes() == features_press.read_bytes()


def test_formulas_draw_no_warning_of_low_resolution(tmp_path, capfd):
    """A formula stands in the layout as a one-pixel image until it is drawn as vectors: it is not
    an image a print shop would reject."""
    from conftest import FIXTURES, build_into

    capfd.readouterr()
    build_into(FIXTURES, "math", tmp_path, "--formats", "press")
    err = capfd.readouterr().err
    assert "ppi" not in err, err


def test_prepress_check_passes_on_callouts_and_highlights(tmp_path):
    """A callout's frame and a ==highlight== are inks of print.css like the others: the browser's
    own style of <mark> set its text in RGB black, which V-RGB caught in a Zettlr note."""
    from pubpipe.load.article import load_article

    built = build_into(FIXTURES, "conventions", tmp_path, "--formats", "press")
    paper = load_article(FIXTURES / "conventions").metadata.paper
    assert check_press(built.build / "conventions" / "conventions-press.pdf", paper) == []
