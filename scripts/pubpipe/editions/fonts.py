"""The typefaces of the print edition, installed as Python packages rather than committed or left
to the system.

Source Serif 4 has real italics, bold, Greek and Cyrillic (set from fixed-weight instances of the
wheel's variable font, see font_instances.py); Noto Serif is the declared fallback for
what it lacks (polytonic Greek, IPA, most of Latin Extended-B, combining accents, U+2011), and
DejaVu Serif and Sans (Debian's fonts-dejavu-core, which the set-up installs) for arrows and
mathematical symbols; Source Code Pro sets code. Each `fontpkg-*` wheel carries variable font files, so a fresh
`make` gets the same glyphs on every machine. Chinese, Japanese and Korean come from Noto Serif CJK
and emoji from Noto Color Emoji (Debian's fonts-noto-cjk and fonts-noto-color-emoji, also installed
by the set-up). Their files are large (26 MB each CJK weight, 11 MB of emoji) and WeasyPrint copies
every @font-face file at every layout, so they are not loaded that way: the CJK face for the
article's language is named last in the family list, for fontconfig to open only when a character
needs it, and the emoji face is left to fontconfig's own fallback, which picks it for emoji
(named in the family list, it would also draw every digit: it has digits, for keycaps, and Pango
prefers it for them). Any other font in a PDF came from the system through fontconfig's fallback,
and `glyphs.py` refuses such a PDF.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

FAMILY = "Source Serif 4"
FALLBACK = "Noto Serif"
SYMBOLS = "DejaVu Serif"
SYMBOLS_SANS = "DejaVu Sans"
MONOSPACE = "Source Code Pro"
SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")  # Debian's fonts-dejavu-core
# Han characters take a different form in each region: the article's language picks the face.
CJK_BY_LANGUAGE = {"ja": "Noto Serif CJK JP", "ko": "Noto Serif CJK KR", "zh-hans": "Noto Serif CJK SC",
                   "zh-hant": "Noto Serif CJK TC", "zh-hk": "Noto Serif CJK HK"}
CJK_DEFAULT = "Noto Serif CJK JP"
EMOJI = "Noto Color Emoji"
# Families fontconfig finds on its own, from Debian packages (system-prerequisites.sh).
NAMED_FAMILIES = (*CJK_BY_LANGUAGE.values(), EMOJI)


@dataclass(frozen=True)
class Face:
    family: str
    package: str | None  # the Python package holding the files, or None for SYSTEM_FONTS
    files: tuple[tuple[str, str, str], ...]  # (file glob, font-style, font-weight range)


# WeasyPrint 70 ignores a weight range in @font-face ("Ignored `font-weight: 100 900`"), so a
# static file declares its one weight and a variable one declares none (fontconfig reads its axes).
def _variable(upright: str, italic: str) -> tuple[tuple[str, str, str], ...]:
    return ((upright, "normal", ""), (italic, "italic", ""))


def _static(stem: str, slant: str) -> tuple[tuple[str, str, str], ...]:
    return (
        (f"{stem}.ttf", "normal", "400"), (f"{stem}-Bold.ttf", "normal", "700"),
        (f"{stem}-{slant}.ttf", "italic", "400"), (f"{stem}-Bold{slant}.ttf", "italic", "700"),
    )


def _instances() -> tuple[tuple[str, str, str], ...]:
    from pubpipe.editions import font_instances as fi

    return tuple((fi.file_name(style, weight), style, str(weight)) for style in fi.SOURCES for weight in fi.WEIGHTS)


INSTANCES = "font_instances"  # Face.package for the fixed-weight instances made by font_instances.py

FACES = (
    Face(FAMILY, INSTANCES, _instances()),
    Face(FALLBACK, "fontpkg_noto_serif", _variable("NotoSerif[[]*.ttf", "NotoSerif-Italic*.ttf")),
    # Arrows, mathematical operators and other symbols that neither serif has: DejaVu Serif, then
    # DejaVu Sans, which has more of them (empty set, therefore, box drawing, Braille).
    Face(SYMBOLS, None, _static("DejaVuSerif", "Italic")),
    Face(SYMBOLS_SANS, None, _static("DejaVuSans", "Oblique")),
    Face(MONOSPACE, "fontpkg_source_code_pro", _variable("SourceCodePro[[]*.ttf", "SourceCodePro-Italic*.ttf")),
)


def _folder(face: Face) -> Path:
    if face.package is None:
        return SYSTEM_FONTS
    if face.package == INSTANCES:
        from pubpipe import console
        from pubpipe.editions.font_instances import ensure_instances

        return ensure_instances(announce=console.info)
    return Path(importlib.import_module(face.package).ROOT) / "files"


def font_dir() -> Path:
    """The book typeface's variable font files (the cover sets its title with them)."""
    from pubpipe.editions.font_instances import PACKAGE

    return Path(importlib.import_module(PACKAGE).ROOT) / "files"


def font_dirs() -> list[Path]:
    """Every folder WeasyPrint may read a font from."""
    return [_folder(face) for face in FACES]


def font_face_css() -> str:
    """@font-face rules that point at the installed files (their path is only known at run time)."""
    rules = []
    for face in FACES:
        folder = _folder(face)
        for pattern, style, weights in face.files:
            path = next(folder.glob(pattern), None)
            if path is None:
                from pubpipe.errors import ToolError

                raise ToolError(
                    f"the font file {folder / pattern} of {face.family} is missing",
                    hint="run `make setup` (it installs the font packages)",
                )
            rules.append(
                f'@font-face {{ font-family: "{face.family}"; src: url("{path.as_uri()}"); '
                f"font-style: {style};{f' font-weight: {weights};' if weights else ''} }}\n"
            )
    return "".join(rules)


def cjk_family(lang: str) -> str:
    """The Noto Serif CJK face for a language tag: Simplified Chinese for zh, zh-CN and zh-SG,
    Traditional for zh-Hant and zh-TW, Hong Kong's for zh-HK, Korean, else Japanese."""
    subtags = lang.lower().replace("_", "-").split("-")
    if subtags[0] == "zh":
        if "hk" in subtags or "mo" in subtags:
            return CJK_BY_LANGUAGE["zh-hk"]
        return CJK_BY_LANGUAGE["zh-hant" if "hant" in subtags or "tw" in subtags else "zh-hans"]
    return CJK_BY_LANGUAGE.get(subtags[0], CJK_DEFAULT)


def fallbacks_css(lang: str) -> str:
    """The value of print.css's --fallbacks: every family after the book and code typefaces."""
    return ", ".join(f'"{family}"' for family in (FALLBACK, SYMBOLS, SYMBOLS_SANS, cjk_family(lang)))


# What may follow the family in a PDF font name: weights, slopes and optical-size instances.
STYLE_WORDS = re.compile(
    r"^(?:extra|semi|demi|ultra|regular|book|thin|light|medium|bold|heavy|black|italic|oblique"
    r"|display|caption|subhead|text|small)*$"
)


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def is_declared(pdf_font_name: str) -> bool:
    """True when a PDF font name (`ABCDEF+Source-Serif-4-Italic`) is one of our families.

    `DejaVuSansMono` is not `DejaVu Sans`: only style words may follow the family's name.
    """
    name = _squash(pdf_font_name.split("+", 1)[-1])
    for declared in (*(face.family for face in FACES), *NAMED_FAMILIES):
        family = _squash(declared)
        if name.startswith(family) and STYLE_WORDS.match(name[len(family):]):
            return True
    return False
