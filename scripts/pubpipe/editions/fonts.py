"""The book typeface, installed as a Python package rather than committed or left to the system.

Source Serif 4 has real italics, bold and Cyrillic; the `fontpkg-source-serif-4` wheel carries its
variable font files, so a fresh `make` gets the same glyphs on every machine.
"""

from __future__ import annotations

from pathlib import Path

FAMILY = "Source Serif 4"


def font_dir() -> Path:
    import fontpkg_source_serif_4

    return Path(fontpkg_source_serif_4.ROOT) / "files"


def font_face_css() -> str:
    """@font-face rules that point at the installed files (their path is only known at run time)."""
    folder = font_dir()
    upright = next(folder.glob("SourceSerif4[[]*.ttf"))
    italic = next(folder.glob("SourceSerif4-Italic*.ttf"))
    return "".join(
        f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); '
        f"font-style: {style}; font-weight: 200 900; }}\n"
        for path, style in ((upright, "normal"), (italic, "italic"))
    )
