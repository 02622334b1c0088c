"""Fixed-weight instances of the book typeface, made once from the installed variable font.

WeasyPrint turns a variable font into a separate embedded font for every weight, style and size
it meets (eleven for a two-page article), and subsetting them was half the time of a PDF. Static
instances at the text optical size give three embedded fonts and halve the PDF step (measured
0.59 s -> 0.30 s a PDF). `make setup` makes them (`pubpipe fonts`) into the virtual environment,
under a name that changes with the font package, the tools and the instance list; a build that
finds them missing makes them then.

HarfBuzz's instancer (hb-subset with every axis pinned and every glyph, feature and table kept,
through uharfbuzz) makes the six instances in a fraction of a second. fontTools' instancer took a
minute of a first `make` (two processes; most of it merging the kerning tables) for the same
outlines, advances and kerning; its naming (from the font's STAT table) is still used, so each
instance keeps its own name ("Source Serif 4 11pt SemiBold") in a PDF's font list.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
import sys
from pathlib import Path

PACKAGE = "fontpkg_source_serif_4"
SOURCES = {"normal": "SourceSerif4[[]*.ttf", "italic": "SourceSerif4-Italic*.ttf"}
WEIGHTS = (400, 600, 700)  # body text; headings and the title block; table headers
OPTICAL_SIZE = 11  # points: the text size the instances are drawn for


def _source(style: str) -> Path:
    folder = Path(importlib.import_module(PACKAGE).ROOT) / "files"
    return next(folder.glob(SOURCES[style]))


def file_name(style: str, weight: int) -> str:
    return f"SourceSerif4-{style}-{weight}.ttf"


def instances_dir() -> Path:
    import fontTools
    import uharfbuzz

    key = hashlib.sha256()
    for style in SOURCES:
        source = _source(style)
        key.update(f"{source.name}:{source.stat().st_size}".encode())
    key.update(f"{fontTools.version}:{uharfbuzz.__version__}:{OPTICAL_SIZE}:{WEIGHTS}".encode())
    return Path(sys.prefix) / "share" / "pubpipe" / "fonts" / key.hexdigest()[:16]


def _make(source: Path, target: Path, weight: int) -> None:
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import setRibbiBits
    from fontTools.varLib.instancer.names import updateNameTable

    location = {"wght": weight, "opsz": OPTICAL_SIZE}
    face = hb.Face(hb.Blob.from_file_path(str(source)))
    wanted = hb.SubsetInput()
    wanted.keep_everything()
    for axis, value in location.items():
        wanted.pin_axis_location(face, axis, value)
    instance = TTFont(io.BytesIO(hb.subset(face, wanted).blob.data), recalcTimestamp=False)
    variable = TTFont(source, lazy=True)
    updateNameTable(variable, location)
    instance["name"] = variable["name"]
    setRibbiBits(instance)  # bold and italic as the name says, for readers that look at the bits
    # (Only these small tables are decompiled: the kerning is saved as HarfBuzz wrote it, since
    # decompiling and compiling it again costs fontTools ten seconds a font.)
    if "DSIG" in instance:  # the variable font's signature does not sign the instance
        del instance["DSIG"]
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    instance.save(partial)
    os.replace(partial, target)  # a concurrent build sees the whole file or none


def ensure_instances(announce=None) -> Path:
    folder = instances_dir()
    missing = [(style, weight) for style in SOURCES for weight in WEIGHTS
               if not (folder / file_name(style, weight)).is_file()]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        if announce:
            announce(f"making {len(missing)} fixed-weight instances of Source Serif 4")
        for style, weight in missing:
            _make(_source(style), folder / file_name(style, weight), weight)
    return folder
