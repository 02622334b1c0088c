"""Math in the resolved document: every formula is pandoc's MathML with its TeX, or the build stops.

pandoc (`--mathml`) writes each formula as MathML with its TeX source kept in an
`<annotation encoding="application/x-tex">`. The web and EPUB editions show that MathML; the PDF
draws the same TeX as SVG (pubpipe.editions.math_svg). Here, once for all editions:
- a formula that pandoc's TeX reader rejects would print as raw TeX in every edition, so it is an
  error with its line and pandoc's own reason, not a warning;
- raw HTML <math> is refused: MathML must come from the TeX the PDF draws as well;
- each <math> gets `alttext`, its TeX, for reading systems that cannot voice MathML;
- a table header cell that holds only formulas (`| $N$ | … |`) would have no text that axe and Ace
  count (they do not read MathML, nor an aria-label on the cell itself): each of its formulas gets
  an `aria-label` of the characters it shows, which names the header without adding text that
  the editions' readers, or a PDF that draws the formula, would see;
- a formula in the metadata (a title) is written in Unicode where only text may stand (the
  resolve writer's `plain_text`); one that has no such form stays TeX there, and is reported;
- so is a formula in a heading, whose text form becomes its name (`aria-label`), which
  `text_form` reads where a heading is text only: the PDF's bookmarks, the EPUB's contents;
- an accent (\\hat, \\tilde, \\dot …) is written by pandoc as a combining character alone in its
  <mo>, a text run that starts with a mark on nothing (the Nu checker warns, and a font may draw it
  on a dotted circle). It becomes the accent's spacing form, as MathML Core and MathJax write it.
"""

from __future__ import annotations

import html
import json
import re

from lxml import etree

from pubpipe.errors import ArticleError, UnsafeContentError
from pubpipe.load.article import Article

REJECTED = re.compile(
    r"^\[WARNING\] Could not convert TeX math (?P<tex>.*?), rendering as TeX:\n(?P<detail>.*?)(?=^\S|\Z)",
    re.DOTALL | re.MULTILINE,
)
MATH_ELEMENT = re.compile(r"<math (?P<attributes>[^>]*)>(?P<inner>.*?)</math>", re.DOTALL)
TEX_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)


def formula_line(article: Article, tex: str) -> int | None:
    """The line of article.md where a formula starts (its first non-empty line of TeX)."""
    for line in tex.split("\n"):
        if line.strip():
            return article.line_of(line.strip())
    return None


def check_conversions(article: Article, stderr: str) -> None:
    """Raise ArticleError for the first formula that pandoc could not convert to MathML."""
    rejected = list(REJECTED.finditer(stderr))
    if not rejected:
        return
    first = rejected[0]
    detail = [line.strip() for line in first.group("detail").split("\n") if line.strip()]
    caret = next((index for index, line in enumerate(detail) if set(line) == {"^"}), None)
    reason = detail[caret + 1] if caret is not None and caret + 1 < len(detail) else "pandoc cannot read it"
    tex = first.group("tex")
    more = f" (and {len(rejected) - 1} more)" if len(rejected) > 1 else ""
    raise ArticleError(
        f"the formula ${' '.join(tex.split())[:80]}$ is not TeX that can be typeset: {reason}{more}",
        path=article.source, line=formula_line(article, tex),
        hint="correct the TeX (a misspelt command, an unbalanced brace); commands of LaTeX packages "
        "beyond amsmath are not available",
    )


def text_as_tex(article: Article, warnings: list[str], formulas: list[str]) -> list[str]:
    """The warnings with pandoc's for each metadata formula that its plain writer kept as TeX
    replaced by one that says where that TeX shows, with its line."""
    kept = {f"pandoc: [WARNING] Could not convert TeX math {tex}, rendering as TeX" for tex in formulas}
    notices = [
        f"line {formula_line(article, tex) or '?'}: the formula ${' '.join(tex.split())[:80]}$ has no plain-text form, so "
        "where only text may stand (the page's and PDF's title, the running head, the PDF's bookmarks, the "
        "EPUB's dc:title and contents, a reference to its section) it is written as TeX; the title or heading "
        "itself shows it drawn"
        for tex in formulas
    ]
    return [line for line in warnings if line not in kept] + notices


def refuse_raw_mathml(article: Article, verdict: str | None) -> None:
    data = json.loads(verdict) if verdict else {}
    raw = data.get("raw_mathml") or []
    if raw:
        raise UnsafeContentError(
            "raw HTML <math> is refused: formulas are written in TeX, which every edition renders",
            path=article.source, line=article.line_of(raw[0].strip().split("\n")[0]),
            hint="write the formula as $…$ (inline) or $$…$$ (display)",
        )


def _tex_of(math_html: str) -> str | None:
    """A formula's TeX annotation, on one line."""
    annotation = TEX_ANNOTATION.search(math_html)
    return None if annotation is None else " ".join(html.unescape(annotation.group(1)).split())


def _with_alttext(match: re.Match) -> str:
    attributes, inner = match.group("attributes"), match.group("inner")
    tex = _tex_of(inner)
    if tex is None or "alttext=" in attributes:
        return match.group(0)
    return f'<math alttext="{html.escape(tex, quote=True)}" {attributes}>{inner}</math>'


# Combining accents and the spacing characters that stand for them as operators.
SPACING_ACCENTS = {
    "\u0300": "\u0060", "\u0301": "\u00b4", "\u0302": "\u005e", "\u0303": "\u007e", "\u0304": "\u00af",
    "\u0306": "\u02d8", "\u0307": "\u02d9", "\u0308": "\u00a8", "\u030a": "\u02da", "\u030b": "\u02dd",
    "\u030c": "\u02c7",
}
ACCENT_OPERATOR = re.compile("(<mo\\b[^>]*>)([" + "".join(SPACING_ACCENTS) + "])(</mo>)")


def _spacing_accents(math_html: str) -> str:
    return ACCENT_OPERATOR.sub(lambda m: m.group(1) + SPACING_ACCENTS[m.group(2)] + m.group(3), math_html)


HEADER_CELL = re.compile(r"(<th\b[^>]*>)(.*?)(</th>)", re.DOTALL)
TAG = re.compile(r"<[^>]*>")
SHOWN_TOKEN = re.compile(r"<(mi|mn|mo|mtext|ms)\b[^>]*>(.*?)</\1>", re.DOTALL)


def _shown_characters(math_html: str) -> str:
    """What a formula shows, token by token (its TeX annotation is no part of it): "t1/2", "λ"."""
    inner = TEX_ANNOTATION.sub("", math_html)
    return " ".join("".join(html.unescape(TAG.sub("", token.group(2))) for token in SHOWN_TOKEN.finditer(inner)).split())


def _labelled(math_html: str, name: str | None = None) -> str:
    """The formula named `name` (escaped for an attribute), by default by the characters it shows."""
    if name is None:
        name = html.escape(_shown_characters(math_html), quote=True)
    if not name or "aria-label=" in math_html.split(">", 1)[0]:
        return math_html
    return math_html.replace("<math ", f'<math aria-label="{name}" ', 1)


# resolve.lua's span around a heading's formula, with the formula's text form.
HEADING_FORMULA = re.compile(r'<span class="heading-formula" data-text="(?P<text>[^"]*)">(?P<math><math .*?</math>)</span>',
                             re.DOTALL)


def _name_heading_formulas(body_html: str) -> str:
    """A formula with no text form keeps no name: its TeX (`alttext`) stands for it in text, and a
    screen reader reads its MathML rather than TeX."""
    def named(match: re.Match) -> str:
        text, formula = match.group("text"), match.group("math")
        if " ".join(html.unescape(text).split()) == _tex_of(formula):
            return formula
        return _labelled(formula, text)

    return HEADING_FORMULA.sub(named, body_html)


def text_form(element) -> str:
    """An element's text where only text may stand (a bookmark, the EPUB's contents, the check's
    reading of a heading): a formula counts as its name, not as its MathML's characters and TeX.
    Works on HTML and on namespaced XHTML alike."""
    pieces: list[str] = []

    def read(node) -> None:
        if not isinstance(node.tag, str):
            pass
        elif etree.QName(node).localname == "math":
            pieces.append(node.get("aria-label") or node.get("alttext") or "")
        else:
            pieces.append(node.text or "")
            for child in node:
                read(child)
                pieces.append(child.tail or "")

    read(element)
    return " ".join("".join(pieces).split())


def _label_formula_headers(body_html: str) -> str:
    def cell(match: re.Match) -> str:
        content = match.group(2)
        if "<math " not in content or html.unescape(TAG.sub("", MATH_ELEMENT.sub("", content))).strip():
            return match.group(0)
        return match.group(1) + MATH_ELEMENT.sub(lambda m: _labelled(m.group(0)), content) + match.group(3)

    return HEADER_CELL.sub(cell, body_html)


def add_alttext(body_html: str) -> str:
    """Each pandoc <math> with `alttext` (its TeX, on one line) and its accents in spacing form,
    a heading's formulas named by their text form, and a name for the formulas that are a header
    cell's only content; the markup is pandoc's
    own, since raw <math> is refused, so its shape is known."""
    if "<math " not in body_html:
        return body_html
    body_html = MATH_ELEMENT.sub(lambda match: _spacing_accents(_with_alttext(match)), body_html)
    return _label_formula_headers(_name_heading_formulas(body_html))
