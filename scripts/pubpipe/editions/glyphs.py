"""Refusing a PDF with a missing glyph, because a printed `.notdef` box cannot be taken back.

A character can go wrong two ways. If no font on the machine has it, WeasyPrint draws `.notdef`
and only logs a warning. If our fonts lack it but a system font has it, Pango silently takes the
system font, so the PDF then depends on what happens to be installed. The first is caught by
listening to WeasyPrint's logger during `write_pdf`, the second by reading the fonts back out of the
finished PDF and naming the characters each undeclared font draws.
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pubpipe import console
from pubpipe.editions.fonts import CJK_DEFAULT, EMOJI, FACES, is_declared

NOTDEF = re.compile(r'\.notdef glyph rendered .*: "(.*)" \(U\+([0-9A-F]+)\)', re.S)


@dataclass
class Missing:
    """What one WeasyPrint run reported: character -> code point, in the order first seen."""

    characters: dict[str, str] = field(default_factory=dict)


class _Listener(logging.Handler):
    def __init__(self, missing: Missing):
        super().__init__(logging.WARNING)
        self.missing = missing

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        match = NOTDEF.search(message)
        if match:
            self.missing.characters.setdefault(match.group(1), match.group(2))
        else:
            console.detail(f"  WeasyPrint: {message}")


@contextlib.contextmanager
def listen() -> Iterator[Missing]:
    """Collect WeasyPrint's missing-glyph warnings for the duration of the block."""
    logger = logging.getLogger("weasyprint")
    missing = Missing()
    handler = _Listener(missing)
    logger.addHandler(handler)
    try:
        yield missing
    finally:
        logger.removeHandler(handler)


def undeclared_fonts(pdf: Path) -> dict[str, str]:
    """Font name -> the characters it draws, for every font in `pdf` that is not one of ours."""
    from pypdf import PdfReader

    found: dict[str, set[str]] = {}
    reader = PdfReader(pdf)
    for page in reader.pages:
        names = _page_font_names(page)
        if all(is_declared(name) for name in names):
            continue

        def visit(text, _cm, _tm, font_dict, _size):
            if font_dict is None:
                return
            name = str(font_dict.get("/BaseFont", "")).lstrip("/")
            if name and not is_declared(name):
                found.setdefault(name, set()).update(ch for ch in text if not ch.isspace())

        page.extract_text(visitor_text=visit)
        for name in names:
            if not is_declared(name):
                found.setdefault(name, set())
    return {name: "".join(sorted(chars)) for name, chars in found.items()}


def _page_font_names(page) -> list[str]:
    resources = page.get("/Resources") or {}
    fonts = resources.get("/Font") or {}
    names = []
    for ref in fonts.values():
        font = ref.get_object()
        names.append(str(font.get("/BaseFont", "")).lstrip("/"))
    return names


def describe(missing: Missing, undeclared: dict[str, str]) -> str | None:
    """One sentence per problem, or None when every glyph came from a declared font."""
    problems = []
    for char, code in missing.characters.items():
        problems.append(f"'{char}' (U+{code}) is in no font: it would print as an empty box")
    families = ", ".join([*(face.family for face in FACES), CJK_DEFAULT.rsplit(" ", 1)[0], EMOJI])
    for font, chars in undeclared.items():
        listed = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in chars[:12]) or "some characters"
        problems.append(f"{listed} not in {families}: drawn with the system font {font.split('+', 1)[-1]}")
    return "; ".join(problems) or None
