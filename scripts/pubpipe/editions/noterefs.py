"""Note references that follow each other directly ("³⁴") read as one number (note 34).

The editions mark such a reference with the class `after-ref` and their style sheets put a comma
before its number with generated content, so the article's text itself is left as pandoc made it
(the checker compares that text across editions).
"""

from __future__ import annotations

from lxml import etree

BLOCKS = {"p", "li", "div", "section", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th",
          "figure", "figcaption", "aside", "table", "tr", "dd", "dt", "pre", "header", "footer"}


def _is_ref(element: etree._Element) -> bool:
    return element.tag == "a" and "footnote-ref" in (element.get("class") or "").split()


def mark_adjacent_refs(body: etree._Element) -> None:
    """Class `after-ref` on a note reference that directly follows another, so that the style
    sheets can put a comma between them: "³,⁴" rather than "³⁴", which reads as note 34. Only
    generated content is added; the text of the article is untouched."""
    between: str | None = None  # text since the last reference ended; None before the first
    inside = 0  # depth inside a reference, whose own text ("3") does not count
    for event, element in etree.iterwalk(body, events=("start", "end")):
        if not isinstance(element.tag, str):
            continue
        if element.tag in BLOCKS and not inside:
            between = None  # a new block: references in different paragraphs are not adjacent
            continue
        if event == "start":
            if _is_ref(element):
                if between is not None and not between.strip():
                    element.set("class", element.get("class", "") + " after-ref")
                inside += 1
            elif not inside and between is not None:
                between += element.text or ""
        else:
            if _is_ref(element):
                inside -= 1
                between = ""
            if not inside and between is not None:
                between += element.tail or ""
