"""The PDF's formulas: the TeX of each formula drawn as vector SVG by MathJax, in one Node process.

WeasyPrint has no MathML, so the print HTML carries each formula as an <img> in its place, and the
PDF shows there the SVG that MathJax drew from the same TeX that the web and EPUB editions' MathML
was made from (pandoc keeps it in the MathML's `<annotation encoding="application/x-tex">`); the
SVG becomes PDF vector drawing operators in pubpipe.editions.math_pdf. The image's alt text is
that TeX, so the tagged PDF (PDF/UA) gives each formula a text alternative, and `pubpipe check`
reads it back (X-011).

Why MathJax: it reads the most TeX of the renderers in the registries (amsmath's environments,
mathtools, \\operatorname, \\text …) and draws glyphs as paths, so the PDF needs no math font;
ziamath, pure Python, reads less. Node is on the machine already for the validators, and MathJax
is installed with them into .tools/ (scripts/setup/package.json).

The renderer is started once per build, only when a formula is there, for all formulas at once.
What it drew is kept for the life of the process, so the handout and press PDFs, and `make
watch`'s rebuilds, ask only for formulas not yet drawn; and in the build's cache (runtime/cache.py,
build/.cache/math/), one file per article holding its formulas' drawings, so that `make` after an
edit draws only the formulas that are new. A formula's drawing depends on its TeX, whether it is
displayed, this renderer and MathJax's version, nothing else (its size is set here, in em).
It runs in the build's own process tree, never in the PDF layout's: the SVGs reach WeasyPrint as
`data:` URLs, inside the print HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pubpipe import console
from pubpipe.errors import ArticleError, LimitError, ToolError
from pubpipe.editions.math_pdf import Finisher, Glyphs, drawing, placeholder_src
from pubpipe.load.article import Article
from pubpipe.resolve.math import TEX_ANNOTATION, formula_line
from pubpipe.runtime import sandbox, tools
from pubpipe.runtime.cache import OutputCache, digest
from pubpipe.runtime.limits import parse_seconds

RENDERER = Path(__file__).with_name("math_svg.js")
TIME_LIMIT_VAR = "PUBPIPE_MATH_TIMEOUT"
DEFAULT_TIME_LIMIT = "60"
# pandoc's MathML, as resolve left it (raw <math> is refused there, so every one is pandoc's).
MATH_ELEMENT = re.compile(r"<math\b(?P<attributes>[^>]*)>(?P<inner>.*?)</math>", re.DOTALL)
VIEW_BOX = re.compile(r'viewBox="(?P<x>[-\d.]+) (?P<y>[-\d.]+) (?P<width>[-\d.]+) (?P<height>[-\d.]+)"')
# A second MathJax thread starts in about 0.2 s of CPU and warms up again, so it pays for itself
# only with this many formulas to share. While MathJax works the build waits and the layout
# worker idles, so the second thread takes a core that is otherwise free.
FORMULAS_PER_THREAD = 50
MAX_THREADS = 2
# V8's optimising compiler costs more than it saves until a MathJax thread has typeset some 600
# formulas (measured on 300: 1.18 s of CPU without it, 1.53 s with it; on 1,500: 4.8 s, 4.0 s).
OPTIMISED_FROM = 500
# MathJax draws in thousandths of its font's em; this scale matches its x-height (0.442 em) to the
# print font's (Source Serif 4, 0.475 em), so a formula's letters are as tall as the text's.
SCALE = 0.475 / 0.442


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


_drawn: dict[Formula, str] = {}
_lock = threading.Lock()
renderer_starts = 0  # how many times this process started MathJax (make bench reports it)


def formulas_in(markup: str) -> list[Formula]:
    """Every formula of an HTML string, in order, from its MathML's TeX annotation."""
    found = []
    for match in MATH_ELEMENT.finditer(markup):
        annotation = TEX_ANNOTATION.search(match.group("inner"))
        if annotation is None:
            raise ToolError("a formula's MathML has no TeX annotation; pandoc's output has changed")
        display = 'display="block"' in match.group("attributes")
        found.append(Formula(html.unescape(annotation.group(1)), display))
    return found


def _run_renderer(formulas: list[Formula], article: Article) -> list[dict]:
    global renderer_starts
    seconds = parse_seconds(os.environ.get(TIME_LIMIT_VAR, DEFAULT_TIME_LIMIT), TIME_LIMIT_VAR)
    request = json.dumps([{"tex": f.tex, "display": f.display} for f in formulas]).encode("utf-8")
    modules = tools.TOOLS_DIR.parent
    if not (tools.TOOLS_DIR / "@mathjax" / "src" / "package.json").is_file():
        raise ToolError("MathJax is not installed (it draws the PDF's formulas)",
                        hint="run `make setup` (it installs MathJax into .tools/)")
    renderer_starts += 1
    started = time.perf_counter()
    threads = max(1, min(MAX_THREADS, os.cpu_count() or 1, len(formulas) // FORMULAS_PER_THREAD))
    try:
        # In the OS sandbox (runtime/sandbox.py): MathJax reads the author's TeX, and needs only
        # Node, its own modules and this script.
        optimiser = [] if len(formulas) / threads >= OPTIMISED_FROM else ["--no-opt"]
        command = sandbox.wrap([tools.node(), *optimiser, str(RENDERER), str(modules), str(threads)],
                               read_only=[RENDERER.parent, modules])
        result = subprocess.run(command, input=request, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        raise LimitError(f"MathJax took longer than the time limit of {seconds:g} s for {len(formulas)} formulas",
                         path=article.source, hint=f"raise the limit with {TIME_LIMIT_VAR}") from None
    if result.returncode != 0:
        raise ToolError(f"MathJax failed: {result.stderr.decode('utf-8', 'replace').strip()[:2000]}", path=article.source)
    console.detail(f"{article.slug}: MathJax drew {len(formulas)} formulas in {time.perf_counter() - started:.2f} s"
                   f" ({threads} thread{'s' if threads > 1 else ''})")
    return json.loads(result.stdout)


def _well_formed(svg: str, formula: Formula) -> str:
    """WeasyPrint shows an image it cannot parse as its alt text, without failing; so a drawing
    that is not well-formed XML stops the build here instead."""
    try:
        etree.fromstring(svg.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise ToolError(f"MathJax drew the formula ${' '.join(formula.tex.split())[:80]}$ as SVG that is not well-formed: {exc}") from None
    return svg


def _cache_key(formula: Formula) -> str:
    return f"{'display' if formula.display else 'inline'}:{formula.tex}"


def _renderer_digest() -> str:
    """What a stored drawing was made by: this renderer and the MathJax installed."""
    return digest(RENDERER.read_bytes(), (tools.TOOLS_DIR / "@mathjax" / "src" / "package.json").read_bytes())


def _stored(cache: OutputCache, name: str, key: str) -> dict[str, str]:
    data = cache.get(name, key)
    try:
        stored = json.loads(data) if data else {}
    except ValueError:  # a damaged file is drawn again, never trusted
        return {}
    return stored if isinstance(stored, dict) else {}


def draw(formulas: list[Formula], article: Article, cache: OutputCache | None = None) -> dict[Formula, str]:
    """The SVG of each formula; one renderer run for all that neither this process nor the
    build's `cache` holds yet. The cache then keeps this article's formulas, and only them."""
    with _lock:
        if cache is not None:
            name, key = f"math/{article.slug}.json", _renderer_digest()
            stored = _stored(cache, name, key)
            for formula in formulas:
                svg = stored.get(_cache_key(formula))
                if formula not in _drawn and isinstance(svg, str):
                    _drawn[formula] = _well_formed(svg, formula)
        wanted = list(dict.fromkeys(f for f in formulas if f not in _drawn))
        if wanted:
            results = _run_renderer(wanted, article)
            rejected = [(formula, result["error"]) for formula, result in zip(wanted, results) if "error" in result]
            if rejected:
                formula, reason = rejected[0]
                more = f" (and {len(rejected) - 1} more)" if len(rejected) > 1 else ""
                raise ArticleError(
                    f"MathJax cannot typeset the formula ${' '.join(formula.tex.split())[:80]}$: {reason}{more}",
                    path=article.source, line=formula_line(article, formula.tex),
                    hint="correct the TeX; the PDF's formulas are drawn by MathJax, which reads amsmath, "
                    "mathtools and the common TeX packages, but not links (\\href) or HTML (\\class, \\style)",
                )
            for formula, result in zip(wanted, results):
                _drawn[formula] = _well_formed(result["svg"], formula)
        drawn = {formula: _drawn[formula] for formula in formulas}
        if cache is not None:
            keep = {_cache_key(formula): svg for formula, svg in drawn.items()}
            if keep != stored:
                cache.put(name, key, json.dumps(keep, sort_keys=True).encode("utf-8"))
        return drawn


def _image(formula: Formula, svg: str, src: str) -> str:
    """An <img> of the formula, sized in em of the surrounding text, its baseline on the text's."""
    box = VIEW_BOX.search(svg)
    if box is None:
        raise ToolError("MathJax drew an SVG without a viewBox")
    width, height = float(box["width"]) / 1000 * SCALE, float(box["height"]) / 1000 * SCALE
    depth = (float(box["y"]) + float(box["height"])) / 1000 * SCALE
    style = f"width:{width:.3f}em;height:{height:.3f}em"
    if not formula.display:
        style += f";vertical-align:{-depth:.3f}em"
    alt = " ".join(formula.tex.split())
    kind = "display" if formula.display else "inline"
    return f'<img class="math {kind}" alt="{html.escape(alt, quote=True)}" style="{style}" src="{src}">'


def for_print(markup: str, article: Article, cache: OutputCache | None = None) -> tuple[str, Finisher]:
    """The print HTML with every MathML formula replaced by an image of its size and the drawing
    that the PDF will show there (pubpipe.editions.math_pdf); without a formula, nothing is started.
    `cache`: the build's, which may hold the drawings already."""
    formulas = formulas_in(markup)
    finisher = Finisher()
    if not formulas:
        return markup, finisher
    svgs = draw(formulas, article, cache)
    glyphs = Glyphs()
    sources: dict[Formula, str] = {}
    for formula in dict.fromkeys(formulas):
        svg = svgs[formula]
        drawn = drawing(svg, glyphs)
        if drawn is None:  # beyond glyphs and rules: WeasyPrint draws the SVG itself
            sources[formula] = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        else:
            key = hashlib.sha256(f"{formula.display}:{formula.tex}".encode("utf-8")).hexdigest()[:24]
            sources[formula] = placeholder_src(key)
            finisher.drawings[sources[formula]] = drawn
    finisher.glyph_forms = glyphs.forms
    queue = iter(formulas)

    def replace(_match: re.Match) -> str:
        formula = next(queue)
        return _image(formula, svgs[formula], sources[formula])

    return MATH_ELEMENT.sub(replace, markup), finisher
