"""Fixed-weight instances of the book typeface, made once from the installed variable font.

WeasyPrint turns a variable font into a separate embedded font for every weight, style and size
it meets (eleven for a two-page article), and subsetting them was half the time of a PDF. Static
instances at the text optical size give three embedded fonts and halve the PDF step (measured
0.59 s -> 0.30 s a PDF). Making them takes fontTools about a minute, so `make setup` makes them
(`pubpipe fonts`) into the virtual environment, under a name that changes with the font package,
fontTools and the instance list; a build that finds them missing makes them then.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import sys
from concurrent.futures import ProcessPoolExecutor
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

    key = hashlib.sha256()
    for style in SOURCES:
        source = _source(style)
        key.update(f"{source.name}:{source.stat().st_size}".encode())
    key.update(f"{fontTools.version}:{OPTICAL_SIZE}:{WEIGHTS}".encode())
    return Path(sys.prefix) / "share" / "pubpipe" / "fonts" / key.hexdigest()[:16]


def _make(source: Path, target: Path, weight: int) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(source, recalcTimestamp=False)
    instance = instancer.instantiateVariableFont(font, {"wght": weight, "opsz": OPTICAL_SIZE}, updateFontNames=True)
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
            announce(f"making {len(missing)} fixed-weight instances of Source Serif 4 (once; about a minute)")
        with ProcessPoolExecutor(max_workers=min(len(missing), os.cpu_count() or 1)) as pool:
            jobs = [pool.submit(_make, _source(style), folder / file_name(style, weight), weight) for style, weight in missing]
            for job in jobs:
                job.result()
    return folder
