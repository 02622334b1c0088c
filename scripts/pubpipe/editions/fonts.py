"""The typefaces of the print edition, installed as Python packages rather than committed or left
to the system.

Source Serif 4 has real italics, bold, Greek and Cyrillic; Noto Serif is the declared fallback for
what it lacks (polytonic Greek, IPA, most of Latin Extended-B, combining accents, U+2011); Source
Code Pro sets code. Each `fontpkg-*` wheel carries variable font files, so a fresh `make` gets the
same glyphs on every machine. Any other font in a PDF came from the system through fontconfig's
fallback, and `glyphs.py` refuses such a PDF.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

FAMILY = "Source Serif 4"
FALLBACK = "Noto Serif"
MONOSPACE = "Source Code Pro"


@dataclass(frozen=True)
class Face:
    family: str
    package: str
    upright: str  # glob of the upright variable font file
    italic: str
    weights: str = "200 900"


FACES = (
    Face(FAMILY, "fontpkg_source_serif_4", "SourceSerif4[[]*.ttf", "SourceSerif4-Italic*.ttf"),
    Face(FALLBACK, "fontpkg_noto_serif", "NotoSerif[[]*.ttf", "NotoSerif-Italic*.ttf", "100 900"),
    Face(MONOSPACE, "fontpkg_source_code_pro", "SourceCodePro[[]*.ttf", "SourceCodePro-Italic*.ttf"),
)


def _folder(face: Face) -> Path:
    return Path(importlib.import_module(face.package).ROOT) / "files"


def font_dir() -> Path:
    """The book typeface's folder (kept for callers that know only the main family)."""
    return _folder(FACES[0])


def font_dirs() -> list[Path]:
    """Every folder WeasyPrint may read a font from."""
    return [_folder(face) for face in FACES]


def font_face_css() -> str:
    """@font-face rules that point at the installed files (their path is only known at run time)."""
    rules = []
    for face in FACES:
        folder = _folder(face)
        for pattern, style in ((face.upright, "normal"), (face.italic, "italic")):
            path = next(folder.glob(pattern))
            rules.append(
                f'@font-face {{ font-family: "{face.family}"; src: url("{path.as_uri()}"); '
                f"font-style: {style}; font-weight: {face.weights}; }}\n"
            )
    return "".join(rules)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_declared(pdf_font_name: str) -> bool:
    """True when a PDF font name (`ABCDEF+Source-Serif-4-Italic`) is one of our families."""
    name = _squash(pdf_font_name.split("+", 1)[-1])
    return any(name.startswith(_squash(face.family)) for face in FACES)
