"""Every image an edition shows must say in words what it shows.

Screen readers, text-to-speech and braille displays can only pass on the alt text, and the EPUB's
accessibility metadata promises `textual` as a sufficient access mode; an image without a text
alternative would make that promise false. So a missing alt text stops the build, with the line
of article.md to fix, in the HTML and the EPUB alike.
"""

from __future__ import annotations

from lxml import etree

from pubpipe.errors import ArticleError
from pubpipe.resolve import ResolvedDocument

VISUAL_TAGS = ("img", "svg", "picture", "video", "canvas", "object", "embed", "iframe")


def require_alt_text(doc: ResolvedDocument, body: etree._Element) -> None:
    for img in body.iter("img"):
        if (img.get("alt") or "").strip():
            continue
        src = img.get("src") or ""
        raise ArticleError(
            f"image '{src[:80]}' has no alt text",
            path=doc.article.source,
            line=doc.article.line_of(src) if src and not src.startswith("data:") else None,
            hint='say what the image shows in an alt attribute: ![The caption](file.png){alt="What the image shows"} '
            "(the bracket text is the visible caption)",
        )


def has_visual_content(body: etree._Element) -> bool:
    """True when the text carries images (or other pictures): the EPUB's `visual` access mode."""
    return any(True for _ in body.iter(*VISUAL_TAGS))
