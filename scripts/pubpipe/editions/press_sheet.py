"""The press sheet: each laid-out page (trim plus 3 mm bleed) on a larger sheet, with crop marks and
registration targets in the slug, the margin beyond the bleed that the guillotine cuts away.

WeasyPrint 70 draws its own marks (`marks: crop cross`) inside the CSS bleed, the very area a
print shop expects to hold only the page's own ink, and cuts its registration circles at the sheet
edge. So the layout asks WeasyPrint for the bleed alone, and this step, with pikepdf, enlarges
each page's MediaBox by the slug, states the BleedBox exactly, and draws the marks:

    MediaBox  = TrimBox + BLEED + SLUG on every side
    BleedBox  = TrimBox + BLEED
    crop marks: 0.25 pt, from BLEED outside the trim outwards, in line with the trim edges
    targets:   a circle and a cross, centred in the slug on each side's middle, whole

The marks are drawn in the registration colour (a Separation named All: every plate), as print
shops expect, so they show on each separated plate. The step also makes the PDF/X-4 file
reproducible (WeasyPrint writes a random XMP DocumentID) and gives the page a DefaultRGB colour
space: RGB images then carry the sRGB profile, which PDF/X-4 requires beside a CMYK intent.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

MM = 72 / 25.4
BLEED_MM = 3.0
SLUG_MM = 10.0  # beyond the bleed
CROP_MARK_START_MM = BLEED_MM  # a crop mark begins where the bleed ends
CROP_MARK_LENGTH_MM = 6.0
MARK_WIDTH_PT = 0.25
TARGET_CENTRE_MM = BLEED_MM + SLUG_MM / 2  # outside the trim
TARGET_RADIUS_MM = 2.0
TARGET_ARM_MM = 3.5  # the cross through the circle: from 4.5 to 11.5 mm outside the trim

# Registration colour: one Separation called All marks every plate; the alternate space only
# tells a viewer how to show it (as 100 % of each ink).
REGISTRATION = "/PubpipeRegistration"


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{_number(x0)} {_number(y0)} m {_number(x1)} {_number(y1)} l S\n"


def _circle(cx: float, cy: float, r: float) -> str:
    """A circle as four Bézier curves (the usual 0.5523 control-point factor)."""
    k = 0.5523 * r
    n = _number
    return (
        f"{n(cx + r)} {n(cy)} m "
        f"{n(cx + r)} {n(cy + k)} {n(cx + k)} {n(cy + r)} {n(cx)} {n(cy + r)} c "
        f"{n(cx - k)} {n(cy + r)} {n(cx - r)} {n(cy + k)} {n(cx - r)} {n(cy)} c "
        f"{n(cx - r)} {n(cy - k)} {n(cx - k)} {n(cy - r)} {n(cx)} {n(cy - r)} c "
        f"{n(cx + k)} {n(cy - r)} {n(cx + r)} {n(cy - k)} {n(cx + r)} {n(cy)} c S\n"
    )


def _target(cx: float, cy: float) -> str:
    arm = TARGET_ARM_MM * MM
    return _circle(cx, cy, TARGET_RADIUS_MM * MM) + _line(cx - arm, cy, cx + arm, cy) + _line(cx, cy - arm, cx, cy + arm)


def marks(trim: tuple[float, float, float, float]) -> str:
    """The content stream that draws the marks around `trim` (llx, lly, urx, ury), in points."""
    left, bottom, right, top = trim
    start, end = CROP_MARK_START_MM * MM, (CROP_MARK_START_MM + CROP_MARK_LENGTH_MM) * MM
    ops = [f"q {REGISTRATION} CS 1 SCN {_number(MARK_WIDTH_PT)} w 0 J\n"]
    for x, outward_x in ((left, -1), (right, 1)):
        for y, outward_y in ((bottom, -1), (top, 1)):
            ops.append(_line(x + outward_x * start, y, x + outward_x * end, y))  # along the trim's top or bottom edge
            ops.append(_line(x, y + outward_y * start, x, y + outward_y * end))  # along its left or right edge
    centre = TARGET_CENTRE_MM * MM
    middle_x, middle_y = (left + right) / 2, (bottom + top) / 2
    for cx, cy in ((middle_x, top + centre), (middle_x, bottom - centre), (left - centre, middle_y), (right + centre, middle_y)):
        ops.append(_target(cx, cy))
    ops.append("Q\n")
    return "".join(ops)


def _grown(box: tuple[float, float, float, float], by: float) -> list[float]:
    left, bottom, right, top = box
    return [left - by, bottom - by, right + by, top + by]


def on_press_sheet(pdf_bytes: bytes, rgb_profile: Path, document_id: str) -> bytes:
    """The PDF with every page put on the press sheet (see the module's docstring)."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    registration = pikepdf.Array([
        pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK,
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1),
    ])
    srgb = pikepdf.Stream(pdf, rgb_profile.read_bytes())
    srgb.N = 3
    default_rgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_indirect(srgb)])
    for page in pdf.pages:
        trim = tuple(float(value) for value in page.TrimBox)
        resources = page.obj.Resources
        if pikepdf.Name.ColorSpace not in resources:
            resources.ColorSpace = pikepdf.Dictionary()
        spaces = resources.ColorSpace  # WeasyPrint shares one dictionary among all pages and forms
        spaces[REGISTRATION] = registration
        spaces.DefaultRGB = default_rgb
        page.BleedBox = _grown(trim, BLEED_MM * MM)
        page.MediaBox = _grown(trim, (BLEED_MM + SLUG_MM) * MM)
        # WeasyPrint's stream leaves its transformation matrix in place: fence it in q/Q first.
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(b"Q\n" + marks(trim).encode("ascii"))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["xmpMM:DocumentID"] = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, document_id)}"
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def sheet_size(trim_width: float, trim_height: float) -> tuple[float, float]:
    """The press sheet for a trim size, in points."""
    grow = 2 * (BLEED_MM + SLUG_MM) * MM
    return trim_width + grow, trim_height + grow

