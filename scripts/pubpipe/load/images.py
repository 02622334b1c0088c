"""The article's images: its own files, checked and decoded before any edition is made.

Every image the body shows must be a file inside the article folder (no URL, no absolute path,
no `../`, no link out of the folder, no hard link), of a kind every edition can show (PNG, JPEG,
GIF, WebP or SVG) whose content is what its name says; a PDF figure, checked the same way, is shown
as the picture that pubpipe.resolve.pdf_figures makes of its page. Each raster image is decoded with Pillow
and its pixels counted: a file that does not decode (text named `bad.png`) or that holds more
than PIXEL_LIMIT pixels (a decompression bomb) stops the build here with the file and line.
Otherwise WeasyPrint would leave it out of the PDF without a word while the HTML and the EPUB
shipped it. SVG images are checked by pubpipe.load.svg.
"""

from __future__ import annotations

import base64
import io
import re
import sys
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pubpipe.errors import ResourceError, UnsafeContentError
from pubpipe.load.svg import check_svg, embedded_images
from pubpipe.runtime.paths import HARD_LINK_HINT, hard_linked, inside_folder

# 50 million pixels: a 10000 × 5000 scan at 600 dpi, far above what a page or a screen shows,
# and about 200 MB once decoded as RGBA. Frames of an animation count together.
PIXEL_LIMIT = 50_000_000
# The file name's suffix → (media type, the format Pillow must find in the file; None for SVG).
KINDS = {
    ".png": ("image/png", "PNG"),
    ".jpg": ("image/jpeg", "JPEG"),
    ".jpeg": ("image/jpeg", "JPEG"),
    ".gif": ("image/gif", "GIF"),
    ".webp": ("image/webp", "WEBP"),
    ".svg": ("image/svg+xml", None),
}
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class LocalImage:
    src: str  # as pandoc wrote it in the body (URL-encoded: "my%20chart.png")
    path: Path  # the file, every link resolved
    media_type: str
    rendered: bytes | None = None  # a PDF figure's page as PNG (resolve/pdf_figures.py)

    @property
    def name(self) -> str:
        """The file's name, or for a PDF figure the name of the picture made of it."""
        return Path(unquote(self.src)).name if self.rendered is not None else self.path.name

    def read(self) -> bytes:
        return self.rendered if self.rendered is not None else self.path.read_bytes()

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.read()).decode('ascii')}"


def local_image(article, src: str) -> LocalImage | None:
    """The file behind an image's `src`, checked; None for an inline `data:` image.

    `article` is a pubpipe.load.article.Article (not imported: it imports this module's users).
    """
    if src.startswith("data:"):
        return None  # the raw-HTML policy allows PNG, JPEG, GIF and WebP data only
    path = article_file(article, src)
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise ResourceError(f"image '{unquote(src)}' is not a PNG, JPEG, GIF, WebP, SVG or PDF file",
                            path=article.source, line=image_line(article, src))
    return LocalImage(src=src, path=path, media_type=kind[0])


def article_file(article, src: str, what: str = "image") -> Path:
    """The file of the article folder that an image's (or a PDF figure's) `src` names, every link
    resolved; or the error that says why it may not be shown."""
    line = image_line(article, src)
    if not src:
        raise ResourceError(f"an {what} has no source", path=article.source, line=line)
    if URL_SCHEME.match(src) or src.startswith("//"):
        raise UnsafeContentError(
            f"{what} '{src}' is a URL; articles may only show their own files",
            path=article.source, line=line,
            hint=f"download the {what} into the article folder and refer to it by its file name",
        )
    if "#" in src or "?" in src:
        raise ResourceError(
            f"{what} '{src}': a '#' or '?' in a file's name starts a fragment or a query in a URL, "
            "so the editions would not agree on which file it is",
            path=article.source, line=line,
            hint="rename the file without '#' or '?' (chart-1.png), or write them as %23 and %3F",
        )
    name = unquote(src)
    path = article.folder / name
    if name.startswith("/") or not inside_folder(path, article.folder):
        raise UnsafeContentError(
            f"{what} '{name}' lies outside the article folder",
            path=article.source, line=line,
            hint=f"copy the {what} into the article folder and refer to it by a relative path",
        )
    if not path.is_file():
        raise ResourceError(
            f"{what} '{name}' does not exist",
            path=article.source, line=line,
            hint=f"put the file in {article.folder} or correct its name",
        )
    if hard_linked(path):
        raise UnsafeContentError(f"{what} '{name}' is a hard link to a file that may lie outside the article folder",
                                 path=article.source, line=line, hint=HARD_LINK_HINT)
    return path.resolve()


DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp)((?:;[^,;]*)*?)(;base64)?,(.*)$", re.I | re.S)
FORMAT_OF = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}


def _check_data_image(src: str, source: Path, line: int | None) -> None:
    """An image written as a `data:` URL (in the text, or inside an SVG) is decoded and counted
    like a file: the editions ship its bytes as they are."""
    match = DATA_IMAGE.match(src)
    if match is None or not match.group(3):
        raise ResourceError("an image given as a data: URL must be base64-encoded PNG, JPEG, GIF or WebP",
                            path=source, line=line,
                            hint="save the image as a file in the article folder and refer to it by its name")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", match.group(4)), validate=True)
    except ValueError:
        raise ResourceError("an image given as a data: URL is not valid base64", path=source, line=line,
                            hint="save the image as a file in the article folder and refer to it by its name") from None
    kind = match.group(1).lower()
    _decode_source(io.BytesIO(data), FORMAT_OF[kind], f"data:image/{kind}", f"image/{kind} data", source, line)


def check_images(article, sources: list[str], cache=None) -> list[LocalImage]:
    """Check every image the body shows, once each, its content included. `cache`: the build's
    store (runtime/cache.OutputCache), where a picture that decoded is remembered by its bytes."""
    images = []
    for src in dict.fromkeys(sources):
        if src.startswith("data:"):
            _check_data_image(src, article.source, image_line(article, src[:80]))
            continue
        image = local_image(article, src)
        expected = KINDS[image.path.suffix.lower()][1]
        if expected is None:
            _check_svg(image)
        else:
            _decode(image, expected, article, image_line(article, src), cache)
        images.append(image)
    return images


def _check_svg(image: LocalImage) -> None:
    problems = check_svg(image.path)
    if problems:
        message, line = problems[0]
        raise UnsafeContentError(
            message, path=image.path, line=line,
            hint="export the image again without scripts, links, entities or style sheets (or as PNG)",
        )
    for src, line in embedded_images(image.path):
        _check_data_image(src, image.path, line)


def _decode(image: LocalImage, expected: str, article, line: int | None, cache=None) -> None:
    """Decoding every picture again took a course pack of a hundred articles about a second of
    each rebuild; the verdict depends only on the picture's bytes, Pillow and this code, so the
    build's store keeps it under that key (a picture that fails is never kept, and fails again).
    The bytes decoded are the bytes of the key, read once."""
    data = image.path.read_bytes()

    def decode() -> bytes:
        _decode_source(io.BytesIO(data), expected, unquote(image.src), image.path.suffix, article.source, line)
        return b"decoded"

    if cache is None:
        decode()
        return
    import PIL

    from pubpipe.runtime.cache import code_digest, digest

    key = digest(data, expected, PIL.__version__, str(PIXEL_LIMIT), code_digest())
    cache.fetch(f"decoded/{article.slug}-{digest(str(image.path))[:16]}", key, decode)


def _decode_source(opened, expected: str, name: str, named_as: str, source: Path, line: int | None) -> None:
    """Decode every frame; refuse an image that does not decode, is not what its name says, or
    holds more than PIXEL_LIMIT pixels (Pillow checks that from the header, before decoding)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with _strict_pillow():
            _decode_all_frames(opened, expected, name, named_as, source, line)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        pixels = re.search(r"\((\d+) pixels\)", str(exc))
        size = f"{int(pixels.group(1)):,}" if pixels else "too many"
        raise ResourceError(
            f"image '{name}' has {size} pixels, over the limit of {PIXEL_LIMIT:,} pixels",
            path=source, line=line,
            hint="scale the image down; a page or a screen shows far fewer pixels",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ResourceError(
            f"image '{name}' cannot be decoded as {expected}: {exc}",
            path=source, line=line,
            hint="export the image again from the program that made it",
        ) from None


def _decode_all_frames(opened, expected: str, name: str, named_as: str, source: Path, line: int | None) -> None:
    from PIL import Image, ImageFile

    while True:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        if hasattr(opened, "seek"):
            opened.seek(0)
        with Image.open(opened) as picture:
            if picture.format != expected:
                raise ResourceError(
                    f"image '{name}' is a {picture.format} file named as {named_as}",
                    path=source, line=line,
                    hint=f"rename it to the suffix of its kind (.{(picture.format or 'bin').lower()})",
                )
            frames = getattr(picture, "n_frames", 1)
            if picture.width * picture.height * frames > PIXEL_LIMIT:
                raise Image.DecompressionBombError(f"({picture.width * picture.height * frames} pixels)")
            for frame in range(frames):
                picture.seek(frame)
                picture.load()
        if not ImageFile.LOAD_TRUNCATED_IMAGES:
            return  # (WeasyPrint, imported meanwhile by another thread, sets it once: decode again)


@contextmanager
def _strict_pillow():
    """Pillow as strict as it comes: a truncated file is an error, and so is its own warning of a
    decompression bomb. WeasyPrint, when imported, tells Pillow to accept truncated files (for
    the whole process), which must not let a broken image through here; its setting is given back."""
    from PIL import Image, ImageFile

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = "weasyprint.images" in sys.modules


def image_line(article, src: str) -> int | None:
    """The line of the body that shows the image `src` (pandoc URL-encodes it, the author may not)."""
    lines = article.text.split("\n")
    for needle in dict.fromkeys([src, unquote(src)]):
        for number in range(article.body_start_line, len(lines) + 1):
            if needle and needle in lines[number - 1]:
                return number
    return None
