"""Note references that follow each other directly ("³⁴") read as one number (note 34).

The editions mark such a reference with the class `after-ref` and their style sheets put a comma
before its number with generated content, so the article's text itself is left as pandoc made it
(the checker compares that text across editions).
"""

from __future__ import annotations


import lxml.html
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


SPLITTABLE = {"em", "i", "strong", "b", "cite", "q", "mark", "small", "span"}  # split in two, text unchanged
INLINE = SPLITTABLE | {"a", "code", "sub", "sup", "abbr", "time", "kbd", "samp", "var"}
SHORT = 30  # characters: an inline element kept whole with the call when it cannot be split


def _last_word(text: str) -> tuple[str, str] | None:
    """(what comes before, the last word) of a text that ends in a word, else None. A scan from
    the end: a regular expression for this (`^(.*?)(\\S+)$`) took time in the square of a long
    word's length, which an article chooses."""
    end = len(text)
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return None if start == end else (text[:start], text[start:])


def keep_with_word(call: etree._Element) -> None:
    """Wrap a note call and the word before it in <span class="nowrap">, so that no line starts
    with the call ("memoirs." / "4"). The word is what precedes the call up to the last space:
    the end of a text run, or the last word of an inline element (an italic title) that the call
    follows, which is then split in two elements of its kind. The text itself is unchanged."""
    previous, parent = call.getprevious(), call.getparent()
    text = (previous.tail if previous is not None else parent.text) or ""
    wrapper = lxml.html.Element("span")
    wrapper.set("class", "nowrap")
    if text:
        split = _last_word(text)
        if split is None:  # white space right before the call: a break there is the author's
            return
        head, wrapper.text = split
        if previous is not None:
            previous.tail = head
        else:
            parent.text = head
        call.addprevious(wrapper)
    elif previous is not None and _tag(previous) in INLINE:
        word = _split_last_word(previous)
        if word is None:
            return
        word.addprevious(wrapper)
        wrapper.append(word)  # its tail is empty: the call followed it directly
    else:
        return
    tail, call.tail = call.tail, None
    wrapper.append(call)
    wrapper.tail = tail


def _tag(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _split_last_word(element: etree._Element) -> etree._Element | None:
    """The element itself when it is short or holds one word; else, for a plain-text element of
    a splittable kind, a copy holding its last word, placed after it (the original keeps the
    rest); None when it can be neither."""
    content = element.text or ""
    if len(element) == 0 and _tag(element) in SPLITTABLE and (split := _last_word(content)) and split[0].strip():
        head, last = split
        copy = lxml.html.Element(_tag(element))
        for name, value in element.attrib.items():
            if name != "id":
                copy.set(name, value)
        element.text, copy.text = head, last
        element.addnext(copy)
        return copy
    if len(element.xpath("string()")) <= SHORT:
        return element
    return None
