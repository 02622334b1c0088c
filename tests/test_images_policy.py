"""Every image the article shows is its own file, decoded before any edition is made.

A file that does not decode, or holds more pixels than pubpipe.load.images.PIXEL_LIMIT, stops
the build with the file and line (exit 5); otherwise WeasyPrint left it out of the PDF without
a word while the HTML and the EPUB shipped it. File names with spaces work in every edition, a
'#' (a URL fragment) is refused with a hint, and a hard link is never embedded.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest

from untrusted import VICTIM_BODY, article_text

ARTICLE, RESOURCE, UNSAFE = 3, 5, 6


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30000) -> bytes:
    """A real 1-bit PNG of side × side white pixels: a few hundred kilobytes on disk."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row * 1000) for _ in range(side // 1000)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def figure_body(name: str) -> str:
    return f"Text [@doe2001].\n\n![A figure.]({name})\n\n" + VICTIM_BODY.replace("![A small chart.](chart.png)\n", "")


@pytest.mark.parametrize("name, content, words", [
    ("bad.png", b"this is text, not a picture\n", ("cannot be decoded",)),
    ("cut.png", None, ("cannot be decoded",)),
    ("bomb.png", "bomb", ("900,000,000 pixels", "over the limit")),
    ("photo.jpg", "png", ("is a PNG file named as .jpg",)),
])
def test_an_image_that_does_not_decode_or_is_too_large_is_refused_with_its_line(case, name, content, words):
    chart = (case.folder / "chart.png").read_bytes()
    content = {None: chart[: len(chart) // 2], "bomb": png_bomb(), "png": chart}.get(content, content)
    case.write(name, content)
    text = article_text(body=figure_body(name))
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, f"article.md:{line_of(text, name)}", name, *words)


@pytest.mark.parametrize("kind, content, words", [
    ("png", "bomb", ("400,000,000 pixels", "over the limit")),
    ("png", b'<svg xmlns="http://www.w3.org/2000/svg"/>', ("cannot be decoded",)),
    ("gif", "png", ("is a PNG file named as image/gif data",)),
])
def test_an_image_written_as_data_is_decoded_and_counted_like_a_file(case, kind, content, words):
    """The editions ship a data: image's bytes as they are, so they are checked as a file's are."""
    import base64

    data = {"bomb": png_bomb(20000), "png": (case.folder / "chart.png").read_bytes()}.get(content, content)
    src = f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
    text = article_text(body=figure_body(src))
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, f"article.md:{line_of(text, src[:60])}", *words)


def test_an_image_embedded_in_an_svg_is_decoded_and_counted_too(case):
    import base64

    data = base64.b64encode(png_bomb(20000)).decode("ascii")
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">\n'
           f'<image width="20" height="20"\n xlink:href="data:image/png;base64,{data}"/>\n</svg>\n')
    case.write("figure.svg", svg.encode("utf-8"))
    case.article(article_text(body=figure_body("figure.svg")))
    case.assert_refused(case.build(), RESOURCE, "figure.svg:3", "400,000,000 pixels", "over the limit")


def test_an_image_name_with_spaces_works_in_every_edition(case):
    (case.folder / "my chart.png").write_bytes((case.folder / "chart.png").read_bytes())
    case.article(article_text(body=figure_body("<my chart.png>")))
    result = case.build()
    assert result.status == 0, result.text
    assert "data:image/png;base64," in case.edition("html").read_text(encoding="utf-8")
    with zipfile.ZipFile(case.edition("epub")) as book:
        images = [name for name in book.namelist() if "/images/" in name]
    assert images and all(" " not in name for name in images), images
    import pypdf

    pdf = pypdf.PdfReader(io.BytesIO(case.edition("pdf").read_bytes()))
    assert any(page.images for page in pdf.pages), "the PDF left the figure out"


def test_a_hash_in_an_image_name_is_refused_with_a_hint(case):
    (case.folder / "chart#1.png").write_bytes((case.folder / "chart.png").read_bytes())
    text = article_text(body=figure_body("chart#1.png"))
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, f"article.md:{line_of(text, 'chart#1.png')}", "'#'", "rename")


@pytest.mark.parametrize("what", ["image", "bibliography", "article"])
def test_a_hard_link_to_a_file_outside_the_folder_is_not_embedded(case, what):
    outside = case.secret_file.parent
    if what == "image":
        os.link(outside / "secret.png", case.folder / "linked.png")
        case.article(article_text(body=figure_body("linked.png")))
    elif what == "bibliography":
        os.link(outside / "secret.yaml", case.folder / "linked.yaml")
        case.article(article_text(bibliography="linked.yaml"))
    else:
        (case.folder / "article.md").unlink()
        secret_article = outside / f"article-{os.getpid()}-{id(case)}.md"
        secret_article.write_text(article_text(body=f"{case.secret_file.read_text()}\n"), encoding="utf-8")
        os.link(secret_article, case.folder / "article.md")
    case.assert_refused(case.build(), UNSAFE, "hard link")


@pytest.mark.parametrize("title", ["\u200b\u200b", "\u200d\u2060\ufeff", "\u00ad \u3164"])
def test_a_title_of_invisible_characters_is_refused_with_its_line(case, title):
    text = article_text(title=title)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, f"article.md:{line_of(text, 'title:')}", "'title'", "visible")


def test_a_course_packs_kept_verdict_on_a_picture_holds_only_for_the_same_bytes(case, tmp_path):
    """A pack remembers that a picture decoded (load/images.py), so that a rebuild does not decode
    a hundred pictures again; a picture broken since must still be refused, with its line."""
    from pubpipe.errors import ResourceError
    from pubpipe.load.article import load_article
    from pubpipe.resolve import resolve
    from pubpipe.runtime.cache import OutputCache

    store = OutputCache(tmp_path / "cache")
    resolve(load_article(case.folder), cache=store)
    assert len(list((tmp_path / "cache" / "decoded").glob("*.key"))) == 1
    chart = case.folder / "chart.png"
    chart.write_bytes(chart.read_bytes()[:-200])
    with pytest.raises(ResourceError) as refused:
        resolve(load_article(case.folder), cache=store)
    assert "'chart.png' cannot be decoded" in refused.value.message
    assert refused.value.line == line_of(case.folder.joinpath("article.md").read_text(), "chart.png")
