"""The editions, one module each, behind a registry that maps a format name to its builder.

Each module exposes `build(document, out_path, options) -> Path` and is imported only when its
format is asked for, so that `pubpipe build --formats html` never pays for the print edition's
layout worker. The printed editions also expose `begin(document, out_path, options)`, which sends
the layout to the worker and returns the function that finishes the file, so that the build can
render the quick editions in between.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

# Format name -> (module, output file suffix). A new edition is one new module and one line here.
EDITIONS: dict[str, tuple[str, str]] = {
    "html": ("pubpipe.editions.html", ".html"),
    "epub": ("pubpipe.editions.epub", ".epub"),
    "pdf": ("pubpipe.editions.pdf", ".pdf"),
    # Print variants: the booklet's builder also writes <slug>-a4.pdf and <slug>-letter.pdf.
    "handout": ("pubpipe.editions.handout", "-booklet.pdf"),
    "press": ("pubpipe.editions.press", "-press.pdf"),
}


# WeasyPrint's PDF variants (weasyprint.pdf.VARIANTS, less "debug"), named here so that a wrong
# PDF_VARIANT is a usage error before any work, without importing WeasyPrint to ask it.
PDF_VARIANTS = (
    "pdf/ua-1", "pdf/ua-2",
    "pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b", "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u",
    "pdf/a-4e", "pdf/a-4f", "pdf/a-4u",
    "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g",
)


def check_pdf_variant(value: str | None) -> None:
    from pubpipe.errors import UsageError

    if value and value not in PDF_VARIANTS:
        raise UsageError(f"unknown PDF variant '{value[:40]}'",
                         hint=f"PDF_VARIANT must be one of: {', '.join(PDF_VARIANTS)}")


def builder(name: str) -> Callable[..., Path]:
    module_name, _suffix = EDITIONS[name]
    return importlib.import_module(module_name).build


def begin(name: str, document, out_path: Path, options: dict[str, Any]) -> Callable[[], Path]:
    """Start building an edition; the returned function finishes it (at once, for most editions)."""
    module = importlib.import_module(EDITIONS[name][0])
    if hasattr(module, "begin"):
        return module.begin(document, out_path, options)
    return lambda: module.build(document, out_path, options)


def output_path(build_root: Path, slug: str, name: str) -> Path:
    return build_root / slug / f"{slug}{EDITIONS[name][1]}"


def default_options() -> dict[str, Any]:
    """The one options dict that the CLI fills and every builder reads (WeasyPrint's habit)."""
    return {
        "paper": None,  # None: the article's own `paper:` (default a4)
        "pdf_variant": "pdf/ua-1",
        "bleed": None,  # e.g. "3mm" with crop marks, for the press PDF
        "source_date_epoch": None,  # filled from the environment or the article's date
        "cache": None,  # the build's OutputCache (runtime/cache.py), set for each build
    }
