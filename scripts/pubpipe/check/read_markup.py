"""Reading the article out of (X)HTML: shared by the HTML and EPUB readers and by the source reader.

The editions mark their parts with the classes that pandoc and editions/parts.py give them:
`title-block`, `article-body`, `cite-this`, `rights`, `original-publication`, `csl-entry`,
`citation`, `footnotes`/`footnote-ref`. Those classes are the contract between the editions and
this reader; anything else in a page (navigation, skip links, download links) is not article text.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from typing import Callable, Iterable
from urllib.parse import unquote

from lxml import etree

from pubpipe.check.summary import Entry, Heading, Located, Reference, Summary, normalise_text
from pubpipe.resolve.math import text_form
from pubpipe.editions.footnotes import drop_keeping_tail as remove

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
# HTML's elements that stand on lines of their own, the author's raw HTML (<details>, <center>,
# <address>) as much as pandoc's.
BLOCK_TAGS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "caption",
    "figcaption", "dt", "dd", "div", "section", "figure", "table", "thead", "tbody", "tfoot", "tr", "ul", "ol",
    "dl", "header", "footer", "aside", "article", "main", "nav", "details", "summary", "address", "center",
    "dialog", "fieldset", "legend", "form", "hgroup", "menu", "search",
}


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def classes(element) -> list[str]:
    return (element.get("class") or "").split()


def has_class(element, name: str) -> bool:
    return name in classes(element)


def epub_type(element) -> list[str]:
    return (element.get(f"{{{EPUB_NS}}}type") or element.get("epub:type") or "").split()


def text_of(element) -> str:
    return normalise_text("".join(element.itertext()))


def find_all(root, predicate: Callable) -> list:
    return [element for element in root.iter() if isinstance(element.tag, str) and predicate(element)]


def find_first(root, predicate: Callable):
    return next(iter(find_all(root, predicate)), None)


def is_noteref(element) -> bool:
    return local(element.tag) == "a" and (has_class(element, "footnote-ref") or "noteref" in epub_type(element))


def is_backlink(element) -> bool:
    return local(element.tag) == "a" and (has_class(element, "footnote-back") or element.get("role") == "doc-backlink")


def is_notes_container(element) -> bool:
    return local(element.tag) in ("section", "div", "aside", "ol") and (
        has_class(element, "footnotes") or "footnotes" in epub_type(element) or "endnotes" in epub_type(element)
    )


def is_note(element) -> bool:
    return "footnote" in epub_type(element) or "endnote" in epub_type(element) or element.get("role") in ("doc-footnote", "doc-endnote")


def is_bibliography(element) -> bool:
    return element.get("id") == "refs" or (has_class(element, "references") and has_class(element, "csl-bib-body"))


def describe(element, context: str) -> str:
    """A short location for a finding: the file (EPUB) or page part, and the element."""
    tag = local(element.tag)
    ident = element.get("id")
    if ident:
        label = f"{tag}#{ident}"
    else:
        parent = element.getparent()
        siblings = [s for s in parent if local(s.tag) == tag] if parent is not None else [element]
        label = f"{tag}[{siblings.index(element) + 1}]"
        ancestor = element.getparent()
        while ancestor is not None and not ancestor.get("id"):
            ancestor = ancestor.getparent()
        if ancestor is not None:
            label = f"{local(ancestor.tag)}#{ancestor.get('id')} > {label}"
    return f"{context}: {label}" if context else label


def _holding_blocks(root) -> set:
    """`root` and every element under it that is or holds a block."""
    holding = {root}
    for element in root.iter():
        if isinstance(element.tag, str) and local(element.tag) in BLOCK_TAGS:
            while element is not None and element not in holding:
                holding.add(element)
                element = element.getparent()
    return holding


def _block(text: str, element, context: str) -> Iterable[Located]:
    text = normalise_text(text)
    if text:
        yield Located(text, describe(element, context))


def blocks(root, context: str) -> Iterable[Located]:
    """The text of `root` as blocks, in the order it is read: each element with no block inside is
    one block, and so is the loose text of a container between its blocks, where it stands ("a
    Greek <span>manuscript.</span>" before a nested list; the text after an author's <details>)."""
    holding = _holding_blocks(root)

    def walk(element) -> Iterable[Located]:
        loose = element.text or ""
        for child in element:
            if child in holding:
                yield from _block(loose, element, context)
                yield from walk(child)
                loose = ""
            elif isinstance(child.tag, str):
                loose += "".join(child.itertext())
            loose += child.tail or ""
        yield from _block(loose, element, context)

    yield from walk(root)


def _read_citations(summary: Summary, root, context: str) -> None:
    """In-text citations as rendered. With a note style, a citation in the text is only a note call;
    its text is in the note, where it is read."""
    for citation in find_all(root, lambda e: has_class(e, "citation")):
        where = describe(citation, context)
        citation = copy.deepcopy(citation)
        for ref in find_all(citation, is_noteref):
            remove(ref)
        text = text_of(citation)
        if text:
            summary.citations.append(Located(text, where))


def is_formula(element) -> bool:
    return local(element.tag) == "math"


def formula_tex(element) -> str:
    """A formula's TeX: its `alttext`, else its MathML's TeX annotation."""
    alttext = element.get("alttext")
    if alttext is None:
        annotation = find_first(element, lambda e: local(e.tag) == "annotation" and e.get("encoding") == "application/x-tex")
        alttext = "".join(annotation.itertext()) if annotation is not None else ""
    return normalise_text(alttext)


def is_crossref(element) -> bool:
    """A link to a place in the article: the crossref filter's (class `crossref`) and the
    author's own (`[see above](#methods)`), but not a note call or a note's way back."""
    return (local(element.tag) == "a" and (element.get("href") or "").startswith("#")
            and not is_noteref(element) and not is_backlink(element))


def read_math_and_references(summary: Summary, root, context: str) -> None:
    """The formulas (by their TeX), the alt texts of images and formulas, and the cross-references
    of `root`, in document order; then the formulas are taken out of `root`, since their MathML's
    text is no text that another edition could show (the PDF draws formulas as images)."""
    for element in find_all(root, lambda e: is_formula(e) or local(e.tag) == "img" or is_crossref(e)):
        where = describe(element, context)
        if is_formula(element):
            tex = formula_tex(element)
            summary.formulas.append(Located(tex, where))
            summary.figure_alts.append(Located(tex, where))
        elif local(element.tag) == "img":
            summary.figure_alts.append(Located(normalise_text(element.get("alt") or ""), where))
        else:
            target = (element.get("href") or "").rpartition("#")[2]
            summary.references.append(Reference(text_of(element), target, where))
    for formula in find_all(root, is_formula):
        remove(formula)


def indicated_id(fragment: str, ids: set[str]) -> str:
    """The id a link's fragment leads to, found as the HTML standard finds it: the fragment as
    written when an element has that id, else the fragment percent-decoded (UTF-8, a broken
    sequence as U+FFFD). lxml's HTML writer encodes a link to `id="résultats"` as
    `href="#r%C3%A9sultats"`, which a browser follows; a decoded fragment that names no id still
    leads nowhere."""
    return fragment if fragment in ids else unquote(fragment, errors="replace")


def _alphabetic(number: int, letters: str) -> str:
    """CSS's alphabetic numbering: a … z, aa, ab …"""
    numeral = ""
    while number > 0:
        number, rest = divmod(number - 1, len(letters))
        numeral = letters[rest] + numeral
    return numeral


ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(number: int) -> str:
    numeral = ""
    for value, letters in ROMAN:
        count, number = divmod(number, value)
        numeral += letters * count
    return numeral


def list_numeral(number: int, kind: str) -> str:
    """`number` in the numerals of an <ol type=`kind`>, as CSS draws them (decimal, lower-alpha,
    upper-alpha, lower-roman, upper-roman); a number those numerals cannot write (0 in letters,
    4000 in Roman) in decimal, as CSS falls back."""
    if kind in ("a", "A") and number > 0:
        numeral = _alphabetic(number, "abcdefghijklmnopqrstuvwxyz")
    elif kind in ("i", "I") and 0 < number < 4000:
        numeral = _roman(number)
    else:
        return str(number)
    return numeral.upper() if kind.isupper() else numeral


def _integer(value: str | None) -> int | None:
    """HTML's rules for parsing integers: white space, a sign, digits; whatever follows is ignored."""
    match = re.match(r"\s*([+-]?\d+)", value or "")
    return int(match.group(1)) if match else None


def item_numbers(ordered) -> list[str]:
    """The number each item of an <ol> shows, as a browser numbers them: from `start` (counting
    down from the number of items when `reversed`), an item's `value` setting its own number and
    the next ones', in the numerals of `type`."""
    items = [item for item in ordered if local(item.tag) == "li"]
    reverse = ordered.get("reversed") is not None
    number = _integer(ordered.get("start"))
    number = number if number is not None else len(items) if reverse else 1
    kind = ordered.get("type") or "1"
    numbers = []
    for item in items:
        own = _integer(item.get("value"))
        number = own if own is not None else number
        numbers.append(list_numeral(number, kind))
        number += -1 if reverse else 1
    return numbers


def read_list_numbers(summary: Summary, root, context: str) -> None:
    """Each ordered list's item numbers, as shown, in document order."""
    for ordered in find_all(root, lambda e: local(e.tag) == "ol"):
        summary.list_numbers.append(Located(" ".join(item_numbers(ordered)), describe(ordered, context)))


def read_targets(summary: Summary, root) -> None:
    """Every id of a document (where references may lead), and the numbered targets with their
    numbers as shown: a caption's "Figure 2", a formula's "(1)". Then each reference read so far
    is given the id its fragment leads to, so that an encoded and a plain link to one place agree."""
    for element in find_all(root, lambda e: e.get("id")):
        summary.anchors.append(element.get("id"))
        label = find_first(element, lambda e: has_class(e, "caption-label") or has_class(e, "equation-number"))
        if label is not None and (has_class(element, "equation") or local(element.tag) in ("figure", "table")):
            summary.numbered.append(Located(f"{element.get('id')} {text_of(label)}"))
    ids = set(summary.anchors)
    summary.references = [dataclasses.replace(r, target=indicated_id(r.target, ids)) for r in summary.references]


def read_body(summary: Summary, body, context: str) -> None:
    """Fill the body, headings, citations, bibliography, captions, alt texts, links, formulas and
    cross-references of `summary` from an `article-body` element (it is not modified)."""
    body = copy.deepcopy(body)
    for element in find_all(body, lambda e: is_notes_container(e) or is_noteref(e)):
        remove(element)
    # A heading as its text form (its formulas by their names), as the PDF's bookmarks give it.
    for heading in find_all(body, lambda e: local(e.tag) in ("h1", "h2", "h3", "h4", "h5", "h6")):
        summary.headings.append(Heading(int(local(heading.tag)[1]) - 1, normalise_text(text_form(heading)),
                                        describe(heading, context)))
    read_math_and_references(summary, body, context)
    _read_citations(summary, body, context)
    read_list_numbers(summary, body, context)
    for caption in find_all(body, lambda e: local(e.tag) in ("figcaption", "caption")):
        summary.captions.append(Located(text_of(caption), describe(caption, context)))
    for image in find_all(body, lambda e: local(e.tag) == "img"):
        summary.alt_texts.append(Located(normalise_text(image.get("alt") or ""), describe(image, context)))
    for link in find_all(body, lambda e: local(e.tag) == "a" and e.get("href") and not is_noteref(e) and not is_backlink(e)):
        summary.links.append(link.get("href"))
    for bibliography in find_all(body, is_bibliography):
        for entry in find_all(bibliography, lambda e: has_class(e, "csl-entry")):
            italics = tuple(text_of(e) for e in find_all(entry, lambda e: local(e.tag) in ("em", "i")))
            summary.bibliography.append(Entry(text_of(entry), italics, describe(entry, context)))
        remove(bibliography)
    summary.body.extend(blocks(body, context))


def read_notes(summary: Summary, root, context: str) -> None:
    """Footnotes: pandoc's <li> items in a footnotes section, or EPUB footnote asides."""
    containers = find_all(root, is_notes_container)
    notes = find_all(root, is_note)
    if not notes:
        notes = [li for container in containers for li in container.iter() if local(li.tag) == "li" and li.get("id")]
    for note in notes:
        where = f"{context}: note #{note.get('id')}" if context else f"note #{note.get('id')}"
        note = copy.deepcopy(note)
        read_math_and_references(summary, note, where)
        _read_citations(summary, note, context)
        for link in find_all(note, is_backlink):
            remove(link)
        summary.notes.append(Located(text_of(note), where))


def read_abstract(root) -> str | None:
    """The abstract's text in the title block, without its label; None when there is none."""
    section = find_first(root, lambda e: has_class(e, "article-abstract"))
    if section is None:
        return None
    section = copy.deepcopy(section)
    for label in find_all(section, lambda e: has_class(e, "abstract-label")):
        remove(label)
    return text_without_formulas(section)


def read_subtitle(root) -> str | None:
    subtitle = find_first(root, lambda e: has_class(e, "subtitle"))
    return None if subtitle is None else text_without_formulas(subtitle)


def text_without_formulas(element) -> str:
    """The text an element shows in every edition: a formula's MathML text is not shown in the
    PDF, which draws it (its TeX is compared on its own, X-009)."""
    element = copy.deepcopy(element)
    for formula in find_all(element, is_formula):
        remove(formula)
    return text_of(element)


def take_formulas(summary: Summary, root, context: str) -> None:
    """The formulas of `root` by their TeX (the PDF tells them by their alt texts), in order,
    then taken out of `root`."""
    for formula in find_all(root, is_formula):
        where = describe(formula, context)
        summary.formulas.append(Located(formula_tex(formula), where))
        summary.figure_alts.append(Located(formula_tex(formula), where))
        remove(formula)


def read_front(summary: Summary, root, context: str) -> None:
    """The title block's formulas (a title's, an abstract's), in order, and its own citation (the
    original publication's), read without its formulas' MathML text, as the PDF shows it."""
    front = find_first(root, lambda e: has_class(e, "title-block"))
    if front is None:
        return
    front = copy.deepcopy(front)
    take_formulas(summary, front, context)
    read_self_citations(summary, front, context)


def read_self_citations(summary: Summary, root, context: str) -> None:
    for holder in find_all(root, lambda e: has_class(e, "original-publication") or has_class(e, "cite-this")):
        for entry in find_all(holder, lambda e: has_class(e, "csl-entry")):
            summary.self_citations.append(Located(text_without_formulas(entry), describe(holder, context)))


def read_cite_box(summary: Summary, root, context: str) -> None:
    """The "Cite this article" box: its formulas (the title's, again), then its entry's text."""
    for box in find_all(root, lambda e: has_class(e, "cite-this")):
        box = copy.deepcopy(box)
        take_formulas(summary, box, context)
        read_self_citations(summary, box, context)


def read_article_document(summary: Summary, root, context: str, notes_in_body: bool = False) -> None:
    """Everything one document of a web or EPUB edition shows of the article: its body, its notes,
    its own citations and the targets references lead to. One function for every reader (the
    article's HTML and EPUB, a pack's), so that none of them reads a part the others leave out.
    `notes_in_body`: the notes are looked for in the article body only (the web page), not in the
    whole document (an EPUB's asides)."""
    read_front(summary, root, context)
    body = find_first(root, lambda e: has_class(e, "article-body"))
    if body is not None:
        read_body(summary, body, context)
        read_notes(summary, body if notes_in_body else root, context)
    read_cite_box(summary, root, context)
    read_targets(summary, root)
