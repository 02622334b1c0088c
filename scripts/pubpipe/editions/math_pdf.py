"""The PDF's formulas as PDF vector drawings: each glyph drawn once, every formula placing its glyphs.

WeasyPrint can draw SVG images, but it parses every point of every path in Python each time an
image is drawn: the 300 formulas of a long article are about 180,000 points, several seconds of
layout, although they are made of a few dozen distinct glyphs. So the SVG that MathJax draws
(pubpipe.editions.math_svg) is turned into PDF drawing operators here instead, which is a direct
translation for the few elements MathJax uses (<g> with translate/scale transforms, <path>,
<rect>): each distinct glyph outline becomes one form XObject, and each formula a form XObject that
places its glyphs and rules.

WeasyPrint lays out, for each formula, an <img> of a one-pixel placeholder PNG of the formula's
size, with the formula's TeX as its alt text, so the tagged PDF has a Figure with that /Alt where
the formula stands. Just before the PDF is written, `Finisher` (WeasyPrint's own `finisher` hook)
turns each placeholder image XObject into the formula's form XObject: the page's drawing
operators, its marked content and its tags stay as WeasyPrint wrote them. A formula with any
other SVG element (a colour, text in a font, a nested viewport) keeps WeasyPrint's own SVG
drawing, slower but exact.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field

from lxml import etree

from pubpipe.errors import ToolError

# A white one-pixel greyscale PNG: what WeasyPrint lays out and tags in a formula's place.
PLACEHOLDER_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGP4DwABAQEAsTj2FAAAAABJRU5ErkJggg=="
PLACEHOLDER = base64.b64decode(PLACEHOLDER_PNG)
SVG_NS = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PATH_TOKEN = re.compile(r"[MmLlHhVvCcQqZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
TRANSFORM = re.compile(r"(translate|scale|matrix)\(([^)]*)\)")
# Attributes that do not change what is drawn (MathJax's bookkeeping), and the drawing defaults.
INERT = re.compile(r"^(data-[\w-]+|class|role|focusable|style|width|height|xmlns)$")
DEFAULTS = {"fill": "currentColor", "stroke": "currentColor", "stroke-width": "0"}


class Unsupported(Exception):
    """An SVG construct this translation does not cover; the formula stays an SVG image."""


def _number(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


@dataclass(frozen=True)
class Drawing:
    """A formula as a form XObject: its operators in the SVG's own coordinates (y downwards),
    the box they cover, the matrix onto the unit square in which WeasyPrint draws an image, and
    the glyph forms it uses."""

    content: bytes
    bbox: tuple[float, float, float, float]
    matrix: tuple[float, float, float, float, float, float]
    glyphs: tuple[str, ...]


@dataclass
class Glyphs:
    """Each distinct path outline once: its name (G0, G1 …), operators and box."""

    names: dict[str, str] = field(default_factory=dict)
    forms: dict[str, tuple[bytes, tuple[float, float, float, float]]] = field(default_factory=dict)

    def name_of(self, d: str) -> str:
        name = self.names.get(d)
        if name is None:
            name = self.names[d] = f"G{len(self.names)}"
            self.forms[name] = _path_operators(d)
        return name


def _path_operators(d: str) -> tuple[bytes, tuple[float, float, float, float]]:
    """SVG path data as PDF path operators, filled (nonzero); and the outline's box."""
    tokens = PATH_TOKEN.findall(d)
    ops: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    x = y = start_x = start_y = 0.0
    index, command = 0, ""

    def take(count: int) -> list[float]:
        nonlocal index
        values = [float(token) for token in tokens[index:index + count]]
        if len(values) < count or any(token.isalpha() for token in tokens[index:index + count]):
            raise Unsupported(f"path data ends early: {d[:40]}")
        index += count
        return values

    def emit(operator: str, *points: float) -> None:
        ops.append(" ".join(_number(value) for value in points) + " " + operator)
        xs.extend(points[0::2])
        ys.extend(points[1::2])

    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
        relative = command.islower()
        dx, dy = (x, y) if relative else (0.0, 0.0)
        kind = command.upper()
        if kind == "Z":
            ops.append("h")
            x, y = start_x, start_y
            continue
        if kind == "M":
            x, y = (value + offset for value, offset in zip(take(2), (dx, dy)))
            start_x, start_y = x, y
            emit("m", x, y)
            command = "l" if relative else "L"  # further pairs after a moveto are linetos
        elif kind == "L":
            x, y = (value + offset for value, offset in zip(take(2), (dx, dy)))
            emit("l", x, y)
        elif kind == "H":
            x = take(1)[0] + dx
            emit("l", x, y)
        elif kind == "V":
            y = take(1)[0] + dy
            emit("l", x, y)
        elif kind == "C":
            x1, y1, x2, y2, x3, y3 = take(6)
            emit("c", x1 + dx, y1 + dy, x2 + dx, y2 + dy, x3 + dx, y3 + dy)
            x, y = x3 + dx, y3 + dy
        elif kind == "Q":  # a quadratic curve as the cubic that draws it
            qx, qy, x3, y3 = take(4)
            qx, qy, x3, y3 = qx + dx, qy + dy, x3 + dx, y3 + dy
            emit("c", x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x3 + 2 / 3 * (qx - x3), y3 + 2 / 3 * (qy - y3), x3, y3)
            x, y = x3, y3
        else:
            raise Unsupported(f"path command {command!r}")
    ops.append("f")
    box = (min(xs, default=0), min(ys, default=0), max(xs, default=0), max(ys, default=0))
    return " ".join(ops).encode("ascii"), box


def _transform(value: str | None) -> str:
    """An SVG transform list as `cm` operators, applied in the order written."""
    if not value:
        return ""
    ops = []
    for name, arguments in TRANSFORM.findall(value):
        numbers = [float(n) for n in NUMBER.findall(arguments)]
        if name == "translate" and len(numbers) in (1, 2):
            matrix = (1, 0, 0, 1, numbers[0], numbers[1] if len(numbers) > 1 else 0)
        elif name == "scale" and len(numbers) in (1, 2):
            matrix = (numbers[0], 0, 0, numbers[-1], 0, 0)
        elif name == "matrix" and len(numbers) == 6:
            matrix = tuple(numbers)
        else:
            raise Unsupported(f"transform {value!r}")
        ops.append(" ".join(_number(v) for v in matrix) + " cm")
    if TRANSFORM.sub("", value).strip(" ,"):
        raise Unsupported(f"transform {value!r}")
    return " ".join(ops)


def _check_attributes(element, allowed: set[str]) -> None:
    for name, value in element.attrib.items():
        if name in allowed or INERT.match(name):
            continue
        if DEFAULTS.get(name) == value:
            continue
        raise Unsupported(f"attribute {name}={value!r} on <{etree.QName(element).localname}>")


def _draw(element, glyphs: Glyphs, ops: list[str], used: list[str]) -> None:
    tag = element.tag.replace(SVG_NS, "") if isinstance(element.tag, str) else ""
    if tag == "g":
        _check_attributes(element, {"transform"})
        ops.append("q " + _transform(element.get("transform")))
        for child in element:
            _draw(child, glyphs, ops, used)
        ops.append("Q")
    elif tag == "path":
        _check_attributes(element, {"d", "transform"})
        name = glyphs.name_of(element.get("d", ""))
        used.append(name)
        ops.append(f"q {_transform(element.get('transform'))} /{name} Do Q")
    elif tag == "rect":
        _check_attributes(element, {"x", "y", "width", "height"})
        x, y, width, height = (float(element.get(a, "0")) for a in ("x", "y", "width", "height"))
        ops.append(f"{_number(x)} {_number(y)} {_number(width)} {_number(height)} re f")
    else:
        raise Unsupported(f"<{tag}>")


def drawing(svg: str, glyphs: Glyphs) -> Drawing | None:
    """The formula's drawing, or None when its SVG uses something beyond glyphs and rules."""
    root = etree.fromstring(svg.encode("utf-8"))
    box = [float(n) for n in NUMBER.findall(root.get("viewBox", ""))]
    if len(box) != 4 or box[2] <= 0 or box[3] <= 0:
        return None
    x, y, width, height = box
    ops: list[str] = ["0 0 0 rg"]  # the print edition's text colour
    used: list[str] = []
    known = dict(glyphs.names)
    try:
        _check_attributes(root, {"viewBox"})
        for child in root:
            _draw(child, glyphs, ops, used)
    except Unsupported:
        for d in set(glyphs.names) - set(known):  # outlines met only in the formula given up
            del glyphs.forms[glyphs.names.pop(d)]
        return None
    matrix = (1 / width, 0, 0, -1 / height, -x / width, 1 + y / height)
    return Drawing(" ".join(ops).encode("ascii"), (x, y, x + width, y + height), matrix, tuple(dict.fromkeys(used)))


def is_placeholder(src: str) -> bool:
    """Whether an image's src is a formula's stand-in, which the finisher replaces by vectors."""
    return src.startswith("data:image/png;formula=")


def placeholder_src(key: str) -> str:
    """The placeholder's URL, one per formula (`key`), so WeasyPrint makes one image of each."""
    return f"data:image/png;formula={key};base64,{PLACEHOLDER_PNG}"


def _image_names(src: str) -> tuple[str, str]:
    """The names WeasyPrint 70 gives the image XObject of `src` (pinned in pyproject): "i", the MD5
    of its URL, and 1 or 0 for interpolation."""
    digest = hashlib.md5(src.encode(), usedforsecurity=False).hexdigest()
    return f"i{digest}1", f"i{digest}0"


@dataclass
class Finisher:
    """WeasyPrint's `finisher`: called with the finished pydyf PDF before it is written; turns each
    formula's placeholder image into the formula's form XObject. Plain data, so that it can be
    handed to the process that lays the PDF out."""

    drawings: dict[str, Drawing] = field(default_factory=dict)  # placeholder src -> drawing
    glyph_forms: dict[str, tuple[bytes, tuple[float, float, float, float]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.drawings)

    def __call__(self, _document, pdf) -> None:
        import pydyf

        by_name = {name: drawing for src, drawing in self.drawings.items() for name in _image_names(src)}
        glyph_refs = {}
        for name, (ops, box) in self.glyph_forms.items():
            form = pydyf.Stream([ops], pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(box)}),
                                compress=True)
            pdf.add_object(form)
            glyph_refs[name] = form.reference
        done: set[int] = set()
        for resources in list(pdf.objects):
            if not isinstance(resources, dict) or not isinstance(resources.get("XObject"), dict):
                continue
            for key, reference in resources["XObject"].items():
                drawing = by_name.get(key)
                if drawing is None:
                    continue
                number = int((reference.decode() if isinstance(reference, bytes) else str(reference)).split()[0])
                if number in done:
                    continue
                done.add(number)
                image = pdf.objects[number]
                image.extra = pydyf.Dictionary({
                    "Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array(drawing.bbox),
                    "Matrix": pydyf.Array(drawing.matrix),
                    "Resources": pydyf.Dictionary({"XObject": pydyf.Dictionary({g: glyph_refs[g] for g in drawing.glyphs})}),
                })
                image.stream = [drawing.content]
                image.compress = True
        if not done:
            raise ToolError("the PDF's formulas were laid out but could not be drawn: WeasyPrint did not name "
                            "their images as expected (has its version changed?)")
