"""The pre-press check of the press PDF: what a print shop's pre-flight would send back.

Each fault has its own code, so that a report says at once what to fix:

  V-BOXES    every page has a TrimBox of the article's paper, a BleedBox exactly 3 mm beyond it
             and a MediaBox at least 10 mm beyond that (the slug, where the marks go)
  V-MARKS    crop marks and registration targets lie in the slug, whole: nothing is drawn in
             the bleed but what runs on from the page, and nothing is cut by the sheet's edge
  V-INTENT   one output intent, PDF/X, with an embedded CMYK profile
  V-PDFX     the PDF/X-4 version keys: the XMP's GTS_PDFXVersion, /Trapped, a PDF 1.6 header
  V-FONTS    every font embedded, none a Type 3 fallback
  V-RGB      no text in RGB (it would print as rich black), and no black text mixed of four inks
  V-PPI      every image has at least 300 pixels per inch at the size it is printed

The boxes, keys and fonts are read with pikepdf; what the pages paint (colours, positions, image
sizes) with check/pdf_content.py, from the content streams themselves.
"""

from __future__ import annotations

from pathlib import Path

from pubpipe.check.findings import Finding
from pubpipe.check.pdf_content import Painted, painted
from pubpipe.editions.press_sheet import BLEED_MM, MM, SLUG_MM

EDITION = "press"
PAPER_POINTS = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
PRINT_PPI = 300
TOLERANCE = 0.05  # points: a box edge may differ this much from its exact value
BLEED = BLEED_MM * MM
SLUG = SLUG_MM * MM


def _box(page, name: str) -> tuple[float, float, float, float] | None:
    value = page.obj.get(name)
    if value is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in value)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _inside(inner, outer, slack: float = 0.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def _grown(box, by: float):
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


class _Report:
    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.seen: set[tuple[str, str]] = set()

    def fail(self, code: str, message: str, where: str = "") -> None:
        if (code, message) in self.seen:  # the same fault on every page is said once, on the first
            return
        self.seen.add((code, message))
        self.findings.append(Finding(code, (EDITION,), message, where={EDITION: where} if where else {}))


def check_press(path: Path, paper: str) -> list[Finding]:
    import pikepdf

    report = _Report()
    with pikepdf.open(path) as pdf:
        boxes = _check_boxes(pdf, paper, report)
        _check_intent(pdf, report)
        _check_version(pdf, report)
        _check_fonts(pdf, report)
        _check_painting(list(painted(pdf)), boxes, report)
    return report.findings


def _check_boxes(pdf, paper: str, report: _Report) -> dict[int, tuple]:
    """Each page's (trim, bleed, media) boxes, for the painting checks; faults reported."""
    width, height = PAPER_POINTS[paper]
    boxes = {}
    for number, page in enumerate(pdf.pages, start=1):
        where = f"page {number}"
        trim, bleed, media = (_box(page, name) for name in ("/TrimBox", "/BleedBox", "/MediaBox"))
        if trim is None or bleed is None:
            report.fail("V-BOXES", "a page has no TrimBox or no BleedBox: the print shop cannot tell where to cut", where)
            continue
        if abs(trim[2] - trim[0] - width) > 1.5 or abs(trim[3] - trim[1] - height) > 1.5:
            report.fail("V-BOXES", f"the TrimBox is {trim[2] - trim[0]:.0f} × {trim[3] - trim[1]:.0f} pt, "
                                   f"not {paper} ({width:.0f} × {height:.0f} pt)", where)
        if any(abs(a - b) > TOLERANCE for a, b in zip(bleed, _grown(trim, BLEED))):
            report.fail("V-BOXES", f"the BleedBox is not the TrimBox plus {BLEED_MM:g} mm on every side", where)
        if not _inside(_grown(bleed, SLUG), media, TOLERANCE):
            report.fail("V-BOXES", f"the MediaBox leaves no slug of {SLUG_MM:g} mm beyond the bleed for the marks", where)
        boxes[number] = (trim, bleed, media)
    return boxes


def _check_intent(pdf, report: _Report) -> None:
    intents = pdf.Root.get("/OutputIntents")
    if not intents or len(intents) == 0:
        report.fail("V-INTENT", "no output intent: the print shop cannot tell which printing condition the colours are for")
        return
    intent = intents[0]
    if intent.get("/S") != "/GTS_PDFX":
        report.fail("V-INTENT", f"the output intent is {intent.get('/S')}, not /GTS_PDFX")
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        report.fail("V-INTENT", "the output intent embeds no ICC profile (DestOutputProfile)")
    elif int(profile.get("/N", 0)) != 4 or profile.read_bytes()[16:20] != b"CMYK":
        report.fail("V-INTENT", "the output intent's profile is not a CMYK profile")


def _check_version(pdf, report: _Report) -> None:
    xmp = pdf.open_metadata()
    version = xmp.get("pdfxid:GTS_PDFXVersion")
    if version != "PDF/X-4":
        report.fail("V-PDFX", f"the XMP metadata says GTS_PDFXVersion {version!r}, not 'PDF/X-4'")
    if str(pdf.docinfo.get("/Trapped", "")) not in ("/True", "/False"):
        report.fail("V-PDFX", "the document information has no /Trapped key (True or False)")
    if pdf.pdf_version not in ("1.6", "1.7"):
        report.fail("V-PDFX", f"the PDF version is {pdf.pdf_version}; PDF/X-4 files are PDF 1.6")
    if pdf.is_encrypted:
        report.fail("V-PDFX", "the PDF is encrypted")


def _check_fonts(pdf, report: _Report) -> None:
    for number, page in enumerate(pdf.pages, start=1):
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            name = str(font.get("/BaseFont", "?"))
            if font.get("/Subtype") == "/Type3":
                report.fail("V-FONTS", f"font {name} is a Type 3 font (a fallback for missing glyphs)", f"page {number}")
                continue
            descendants = font.get("/DescendantFonts")
            owner = descendants[0] if descendants else font
            descriptor = owner.get("/FontDescriptor", {})
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                report.fail("V-FONTS", f"font {name} is not embedded", f"page {number}")


def _check_painting(items: list[Painted], boxes: dict[int, tuple], report: _Report) -> None:
    marks: dict[int, int] = {}
    for item in items:
        where = f"page {item.page}"
        if item.kind == "text" and item.colour is not None:
            if item.colour.is_rgb and item.in_picture:
                report.fail("V-RGB", f"the text of a picture (an SVG image's own) in {item.colour.space} "
                                     f"{item.colour.components}: an RGB black prints as rich black in four inks; turn the "
                                     "picture's text into paths, or give it as a PNG (the build named the image)", where)
            elif item.colour.is_rgb:
                report.fail("V-RGB", f"text in {item.colour.space} {item.colour.components}: an RGB black prints as "
                                     "rich black in four inks; set text in black ink (device-cmyk)", where)
            elif item.colour.is_rich_black:
                report.fail("V-RGB", f"text in rich black {item.colour.components}: set text in black ink alone", where)
        if item.kind == "image" and item.drawn and item.pixels:
            ppi = min(pixels / (points / 72) for pixels, points in zip(item.pixels, item.drawn) if points > 0)
            if ppi < PRINT_PPI - 0.5:
                report.fail("V-PPI", f"an image of {item.pixels[0]} × {item.pixels[1]} pixels is printed at "
                                     f"{ppi:.0f} ppi (at least {PRINT_PPI} needed)", where)
        if item.page not in boxes or item.kind == "text":
            continue
        trim, bleed, media = boxes[item.page]
        if not _inside(item.box, media, TOLERANCE):
            report.fail("V-MARKS", "a mark runs off the sheet: the registration targets and crop marks must be whole", where)
        elif not _overlaps(item.box, trim) and _overlaps(item.box, _grown(bleed, -TOLERANCE)):
            report.fail("V-MARKS", f"something is drawn inside the {BLEED_MM:g} mm bleed that does not run on from "
                                   "the page: marks belong in the slug beyond the bleed", where)
        elif not _overlaps(item.box, bleed) and item.kind in ("stroke", "fill"):
            marks[item.page] = marks.get(item.page, 0) + 1
    for number in boxes:
        if marks.get(number, 0) < 8:
            report.fail("V-MARKS", f"{marks.get(number, 0)} marks in the slug, fewer than 8 crop marks", f"page {number}")
