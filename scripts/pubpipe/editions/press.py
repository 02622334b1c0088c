"""The print-shop PDF: PDF/X-4 with a CMYK output intent, the article's own paper size as the trim,
3 mm bleed, and crop marks and registration targets in a slug beyond the bleed.

The layout is the PDF edition's (`pdf.begin`), so the press copy cannot differ from what was
proofed; only the inks change. Text and rules are set in 100 % black ink (`device-cmyk`, see
styles/press.css), never as RGB black, which a print shop's conversion would print as rich
black in four inks that never register perfectly on thin type. The CMYK profile of the output
intent comes from Debian's Ghostscript data (`libgs10-common`), never from a download. Then
press_sheet.py puts each page on its sheet with the marks.

An image is warned about, with its line, when it has fewer than 300 pixels per inch at the size it
is printed: a print shop's minimum for photographs and charts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pubpipe import console
from pubpipe.editions import parts, pdf
from pubpipe.editions.math_pdf import is_placeholder
from pubpipe.editions.layout import LayoutResult
from pubpipe.editions.press_sheet import BLEED_MM, on_press_sheet
from pubpipe.errors import ToolError
from pubpipe.load.svg import text_elements
from pubpipe.resolve import ResolvedDocument

PDF_VARIANT = "pdf/x-4"
STYLESHEET = "press.css"
# Debian's libgs10-common installs Ghostscript's ICC profiles here: SWOP coated CMYK for the
# output intent, sRGB for the RGB images.
PROFILES = Path("/usr/share/color/icc/ghostscript")
CMYK_PROFILE = PROFILES / "default_cmyk.icc"
RGB_PROFILE = PROFILES / "srgb.icc"
PRINT_PPI = 300


def _profiles() -> None:
    for profile in (CMYK_PROFILE, RGB_PROFILE):
        if not profile.is_file():
            raise ToolError(f"the colour profile {profile} is missing",
                            hint="install the Debian package libgs10-common (make does it when run as root)")


def _warn_low_resolution(doc: ResolvedDocument, result: LayoutResult) -> None:
    article = doc.article
    seen = set()
    for image in result.images:
        if image.src in seen or image.ppi >= PRINT_PPI or is_placeholder(image.src):
            continue  # (a formula is drawn as vectors in the end: it has no pixels)
        seen.add(image.src)
        line = article.line_of(image.src)
        width_mm, height_mm = (points * 25.4 / 72 for points in image.printed)
        wanted = round(image.printed[0] / 72 * PRINT_PPI)
        console.warning(
            f"{article.source}{f':{line}' if line else ''}: image '{image.src}' has {image.ppi:.0f} ppi at its "
            f"printed size ({width_mm:.0f} × {height_mm:.0f} mm); a print shop wants {PRINT_PPI}: "
            f"give it at least {wanted} pixels across"
        )


def _warn_svg_text(doc: ResolvedDocument) -> None:
    """An SVG's own text keeps the picture's RGB colours on the press sheet (CSS cannot reach
    into it), which the press check refuses (V-RGB: RGB black prints in four inks): said at the
    build, with the image's line, where the author can act on it."""
    article = doc.article
    for image in parts.local_images(doc, parts.body_element(doc)):
        if image.media_type != "image/svg+xml" or image.rendered is not None:
            continue
        count = text_elements(image.path)
        if count:
            line = article.line_of(image.src)
            console.warning(
                f"{article.source}{f':{line}' if line else ''}: the SVG image '{image.name}' sets {count} text(s) of "
                "its own, printed in its RGB colours, which the press check refuses (V-RGB); turn its text into "
                "paths in the drawing program (Inkscape: Path, Object to Path), or give the picture as PNG at "
                f"{PRINT_PPI} ppi")


def stage(doc: ResolvedDocument) -> pdf.Stage:
    _profiles()

    def finish(result: LayoutResult) -> bytes:
        _warn_low_resolution(doc, result)
        _warn_svg_text(doc)
        return on_press_sheet(result.pdf, RGB_PROFILE, doc.article.metadata.identifier)

    return pdf.Stage(
        stylesheets=(STYLESHEET,),
        page_css=("@color-profile device-cmyk { components: cyan, magenta, yellow, black; "
                  f"src: url({CMYK_PROFILE.as_uri()}); }}\n"),
        allowed_folders=(PROFILES,),
        finish=finish,
    )


def begin(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Callable[[], Path]:
    press_options = dict(options, bleed=f"{BLEED_MM:g}mm", pdf_variant=PDF_VARIANT)
    return pdf.begin(doc, out_path, press_options, stage(doc))


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return begin(doc, out_path, options)()
