"""What a PDF page paints, read from its content streams with pikepdf: each text run with its fill
colour, each path with its bounding box, each image with the size it is drawn at.

A pre-press check needs the graphics state that a text extractor throws away: the colour space and
components in force when text is shown, and the transformation matrix when an image is drawn. So
this walks the operators that pikepdf parses, keeping the state that matters (the matrix, the
fill and stroke colours, q/Q), and follows form XObjects into their own streams.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PATH_POINTS = {"m": 2, "l": 2, "c": 6, "v": 4, "y": 4}
FILLING = {"f", "F", "f*", "B", "B*", "b", "b*"}
STROKING = {"S", "s", "B", "B*", "b", "b*"}


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's order: a `cm` matrix is applied before the current one)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


@dataclass(frozen=True)
class Colour:
    space: str  # DeviceGray, DeviceRGB, DeviceCMYK, ICCBased/N, Separation/All, Pattern…
    components: tuple[float, ...] = ()

    @property
    def is_rgb(self) -> bool:
        return self.space in ("DeviceRGB", "ICCBased/3", "CalRGB")

    @property
    def is_rich_black(self) -> bool:
        """A dark CMYK colour that mixes black with other inks."""
        if self.space not in ("DeviceCMYK", "ICCBased/4") or len(self.components) != 4:
            return False
        c, m, y, k = self.components
        return k >= 0.5 and max(c, m, y) > 0


BLACK_GRAY = Colour("DeviceGray", (0.0,))


@dataclass(frozen=True)
class Painted:
    """One thing a page paints. `box` is (x0, y0, x1, y1) in the page's default user space."""

    kind: str  # "text", "fill", "stroke", "image"
    page: int  # 1-based
    box: tuple[float, float, float, float]
    colour: Colour | None = None
    pixels: tuple[int, int] | None = None  # images: their width and height in pixels
    drawn: tuple[float, float] | None = None  # images: the width and height they are drawn at, in points
    in_picture: bool = False  # text: inside a Figure's marked content (an SVG image's own text)


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill: Colour = BLACK_GRAY
    stroke: Colour = BLACK_GRAY
    text_matrix: Matrix = IDENTITY
    line_matrix: Matrix = IDENTITY
    leading: float = 0.0

    def copy(self) -> "_State":
        return _State(self.ctm, self.fill, self.stroke, self.text_matrix, self.line_matrix, self.leading)


@dataclass
class _Path:
    points: list[tuple[float, float]] = field(default_factory=list)


def _colour_space(name, resources) -> str:
    """A colour space operand as a short name: device spaces by name, others by their family."""
    import pikepdf

    text = str(name).lstrip("/")
    if text in ("DeviceGray", "DeviceRGB", "DeviceCMYK", "Pattern", "G", "RGB", "CMYK"):
        return {"G": "DeviceGray", "RGB": "DeviceRGB", "CMYK": "DeviceCMYK"}.get(text, text)
    spaces = resources.get("/ColorSpace") if resources is not None else None
    space = spaces.get(name) if spaces is not None else None
    if space is None:
        return text
    if isinstance(space, pikepdf.Name):
        return _colour_space(space, None)
    family = str(space[0]).lstrip("/")
    if family == "ICCBased":
        return f"ICCBased/{int(space[1].get('/N', 0))}"
    if family == "Separation":
        return f"Separation/{str(space[1]).lstrip('/')}"
    return family


def _numbers(operands) -> tuple[float, ...]:
    return tuple(float(value) for value in operands if isinstance(value, (int, float)) or hasattr(value, "as_integer_ratio"))


def _bounds(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def painted(pdf) -> Iterator[Painted]:
    """Everything each page of a pikepdf.Pdf paints, in order."""
    for number, page in enumerate(pdf.pages, start=1):
        yield from _walk(page.obj, page.obj.get("/Resources"), _State(), number, depth=0)


def _walk(owner, resources, state: _State, page: int, depth: int) -> Iterator[Painted]:
    import pikepdf

    if depth > 12:  # a form that draws itself
        return
    stack: list[_State] = []
    marked: list[str] = []  # the tags of the marked content open here (a tagged PDF's /Figure, /Span …)
    path = _Path()
    for operands, operator in pikepdf.parse_content_stream(owner):
        op = str(operator)
        if op in ("BDC", "BMC"):
            marked.append(str(operands[0]))
        elif op == "EMC":
            if marked:
                marked.pop()
        elif op == "q":
            stack.append(state.copy())
        elif op == "Q":
            state = stack.pop() if stack else state
        elif op == "cm":
            state.ctm = multiply(tuple(_numbers(operands)), state.ctm)
        elif op in ("g", "G", "rg", "RG", "k", "K"):
            space = {"g": "DeviceGray", "rg": "DeviceRGB", "k": "DeviceCMYK"}[op.lower()]
            colour = Colour(space, _numbers(operands))
            if op.islower():
                state.fill = colour
            else:
                state.stroke = colour
        elif op in ("cs", "CS"):
            colour = Colour(_colour_space(operands[0], resources))
            if op == "cs":
                state.fill = colour
            else:
                state.stroke = colour
        elif op in ("sc", "scn", "SC", "SCN"):
            if op.islower():
                state.fill = Colour(state.fill.space, _numbers(operands))
            else:
                state.stroke = Colour(state.stroke.space, _numbers(operands))
        elif op in PATH_POINTS:
            values = _numbers(operands)
            path.points += [apply(state.ctm, values[i], values[i + 1]) for i in range(0, len(values), 2)]
        elif op == "re":
            x, y, w, h = _numbers(operands)
            path.points += [apply(state.ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h))]
        elif op in FILLING or op in STROKING or op == "n":
            if path.points and op != "n":
                box = _bounds(path.points)
                if op in FILLING:
                    yield Painted("fill", page, box, state.fill)
                if op in STROKING:
                    yield Painted("stroke", page, box, state.stroke)
            path = _Path()
        elif op == "BT":
            state.text_matrix = state.line_matrix = IDENTITY
        elif op == "Tm":
            state.text_matrix = state.line_matrix = tuple(_numbers(operands))
        elif op in ("Td", "TD"):
            tx, ty = _numbers(operands)
            state.line_matrix = state.text_matrix = multiply((1, 0, 0, 1, tx, ty), state.line_matrix)
            if op == "TD":
                state.leading = -ty
        elif op == "TL":
            state.leading = _numbers(operands)[0]
        elif op == "T*":
            state.line_matrix = state.text_matrix = multiply((1, 0, 0, 1, 0, -state.leading), state.line_matrix)
        elif op in TEXT_SHOWING:
            x, y = apply(multiply(state.text_matrix, state.ctm), 0, 0)
            yield Painted("text", page, (x, y, x, y), state.fill, in_picture="/Figure" in marked)
        elif op == "Do":
            xobjects = resources.get("/XObject") if resources is not None else None
            xobject = xobjects.get(operands[0]) if xobjects is not None else None
            if xobject is None:
                continue
            subtype = xobject.get("/Subtype")
            if subtype == "/Image":
                yield _image(state.ctm, page, int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0)))
            elif subtype == "/Form":
                inner = state.copy()
                inner.ctm = multiply(tuple(_numbers(xobject.get("/Matrix", IDENTITY))), state.ctm)
                yield from _walk(xobject, xobject.get("/Resources", resources), inner, page, depth + 1)
        elif op == "INLINE IMAGE":
            image = operands[0]
            yield _image(state.ctm, page, int(image.obj.get("/W", image.obj.get("/Width", 0))),
                         int(image.obj.get("/H", image.obj.get("/Height", 0))))


def _image(ctm: Matrix, page: int, width: int, height: int) -> Painted:
    """An image fills the unit square of the current matrix."""
    corners = [apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    a, b, c, d, _e, _f = ctm
    drawn = ((a * a + b * b) ** 0.5, (c * c + d * d) ** 0.5)
    return Painted("image", page, _bounds(corners), pixels=(width, height), drawn=drawn)
