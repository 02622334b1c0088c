"""Pandoc writes footnotes as an end-of-document list; each medium wants them elsewhere.

The web edition keeps pandoc's list with backlinks, the EPUB turns each note into an
`epub:type="footnote"` aside that reading systems pop up, and the PDF floats each note to the foot
of the page that cites it. All three start from the same pandoc markup, found here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from pubpipe.labels import FALLBACK, Labels


@dataclass
class Footnote:
    note_id: str
    ref: etree._Element  # the <a class="footnote-ref"> in the text
    item: etree._Element  # the <li id="fnN"> in the notes section


def notes_section(body: etree._Element) -> etree._Element | None:
    for section in body.iter("section", "div", "aside"):
        if "footnotes" in (section.get("class") or "").split():
            return section
    return None


def find_footnotes(body: etree._Element) -> list[Footnote]:
    section = notes_section(body)
    if section is None:
        return []
    items = {li.get("id"): li for li in section.iter("li") if li.get("id")}
    notes = []
    for ref in body.iter("a"):
        if "footnote-ref" in (ref.get("class") or "").split():
            note_id = (ref.get("href") or "").lstrip("#")
            if note_id in items:
                notes.append(Footnote(note_id=note_id, ref=ref, item=items[note_id]))
    return notes


def add_notes_heading(section: etree._Element, labels: Labels, tag: str = "h2") -> None:
    """Head the notes with a heading of their own: a named section that readers can jump to."""
    heading = etree.SubElement(section, tag)
    heading.set("id", "footnotes-heading")
    if labels.lang_of("notes"):
        heading.set("lang", FALLBACK)
    heading.text = labels.notes
    heading.tail = section.text
    section.text = None
    section.insert(0, heading)
    section.set("aria-labelledby", "footnotes-heading")


HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def place_before_bibliography(section: etree._Element, body: etree._Element) -> None:
    """Notes before the bibliography, as Chicago orders the back matter (pandoc puts them last):
    before the bibliography's own section, or its heading, when it has one."""
    refs = next((element for element in body.iter() if element.get("id") == "refs"), None)
    if refs is None:
        return
    parent = refs.getparent()
    before = list(parent)[: list(parent).index(refs)]
    if parent is not body and parent.tag == "section" and all(child.tag in HEADINGS for child in before):
        anchor = parent
    elif before and before[-1].tag in HEADINGS:
        anchor = before[-1]
    else:
        anchor = refs
    anchor.addprevious(section)


def backlink_label(number: int, labels: Labels) -> str:
    """The backlink shows only an arrow; its accessible name says where it leads."""
    return labels.back_to_note.format(number=number)


def remove_backlinks(item: etree._Element) -> None:
    for link in list(item.iter("a")):
        if "footnote-back" in (link.get("class") or "").split():
            drop_keeping_tail(link)


def drop_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
