"""The web edition: one self-contained HTML5 file (styles inlined, images embedded).

One file can be e-mailed, put on any web server or opened from a USB stick, and still show its
figures and its typography.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import lxml.html

from pubpipe.editions import parts
from pubpipe.editions.metadata_tags import head_metadata
from pubpipe.output import write_bytes_atomic
from pubpipe.paths import styles_dir
from pubpipe.resolve import ResolvedDocument

STYLESHEET = "web.css"


def _embed_images(doc: ResolvedDocument, body) -> None:
    for image in parts.local_images(doc, body):
        data = base64.b64encode(image.path.read_bytes()).decode("ascii")
        for img in body.iter("img"):
            if img.get("src") == image.src:
                img.set("src", f"data:{image.media_type};base64,{data}")


def render(doc: ResolvedDocument) -> str:
    body = parts.body_element(doc)
    body.set("class", "article-body")
    _embed_images(doc, body)
    css = (styles_dir() / STYLESHEET).read_text(encoding="utf-8")
    lang = doc.article.metadata.lang
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{parts.esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{parts.esc(doc.title.text)}</title>\n"
        f"{head_metadata(doc)}"
        f"<style>\n{css}</style>\n</head>\n<body>\n"
        '<a class="skip-link" href="#main">Skip to the article</a>\n'
        '<main id="main">\n<article>\n'
        f"{parts.title_block(doc)}\n"
        f"{lxml.html.tostring(body, encoding='unicode')}\n"
        f"{parts.cite_box(doc)}\n"
        f"{parts.rights_line(doc)}\n"
        "</article>\n</main>\n</body>\n</html>\n"
    )


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return write_bytes_atomic(out_path, render(doc).encode("utf-8"))
