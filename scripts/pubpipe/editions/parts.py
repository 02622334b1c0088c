"""The pieces every edition shows, made once from the resolved document.

The title block, the "Originally published in" line, the "Cite this article" box and the rights
statement are assembled here and nowhere else, so the three editions carry the same words. Each
edition then only decides where the pieces go (one page, several XHTML files, paged media).
"""

from __future__ import annotations

import html

import lxml.html
from lxml import etree

from pubpipe.labels import Labels, article_labels
from pubpipe.load.images import LocalImage, local_image
from pubpipe.resolve import ResolvedDocument



def labels_of(doc: ResolvedDocument) -> Labels:
    return article_labels(doc.article.metadata)


def label_html(labels: Labels, text: str) -> str:
    """A label inside other text: marked as English when it stands in for the article's language."""
    return esc(text) if labels.native else f"<span{labels.lang_attribute}>{esc(text)}</span>"


def esc(text: str) -> str:
    return html.escape(text, quote=True)


ORCID_URL = "https://orcid.org/"


def _author_html(doc: ResolvedDocument, index: int, numbered: list[str]) -> str:
    """One author's name, the numbers of their affiliations and a link to their ORCID record."""
    name = doc.authors[index]
    details = doc.article.metadata.authors[index]
    marks = ",".join(str(numbered.index(place) + 1) for place in details.affiliations if place in numbered)
    html = f'<span class="author">{name.html}'
    if marks and len(numbered) > 1:
        html += f'<sup class="affiliation-marks">{esc(marks)}</sup>'
    if details.orcid:
        html += (f' <a class="orcid" href="{ORCID_URL}{esc(details.orcid)}" '
                 f'aria-label="ORCID iD of {esc(name.text)}: {esc(details.orcid)}">ORCID</a>')
    return html + "</span>"


def _correspondence_html(doc: ResolvedDocument) -> str:
    """The e-mail address of each corresponding author, after its name, under the label."""
    contacts = [(doc.authors[index], author.email) for index, author in enumerate(doc.article.metadata.authors)
                if author.corresponding and author.email and index < len(doc.authors)]
    if not contacts:
        return ""
    labels = labels_of(doc)
    shown = "; ".join(f'{name.html} <a href="mailto:{esc(email)}">{esc(email)}</a>' for name, email in contacts)
    return f'<p class="correspondence">{label_html(labels, labels.correspondence)} {shown}</p>'


def _date_html(doc: ResolvedDocument) -> str:
    if not doc.date:
        return ""
    iso = doc.article.metadata.date_iso
    shown = f'<time datetime="{esc(iso)}">{doc.date.html}</time>' if iso else doc.date.html
    return f'<p class="date">{shown}</p>'


def abstract_html(doc: ResolvedDocument) -> str:
    """The abstract, under its label, last in the title block; its id marks where it starts in the
    PDF (a named destination), so that the checker can read it back there too."""
    if not doc.abstract:
        return ""
    labels = labels_of(doc)
    # A div with the DPUB-ARIA role, not a <section>: a section needs a heading (the Nu checker
    # warns), and a heading here would add a bookmark and a contents entry for the title block.
    # Names of our own (article-abstract), since the body may have an "Abstract" heading of its own.
    return (f'<div class="article-abstract" id="article-abstract" role="doc-abstract" aria-labelledby="article-abstract-label">'
            f'<p class="abstract-label" id="article-abstract-label"{labels.lang_of("abstract")}>{esc(labels.abstract)}</p>'
            f"{doc.abstract.html}</div>")


def title_block(doc: ResolvedDocument, heading_tag: str = "h1", heading_id: str | None = None) -> str:
    ident = f' id="{esc(heading_id)}"' if heading_id else ""
    parts = [f'<{heading_tag} class="title"{ident}>{doc.title.html}</{heading_tag}>']
    if doc.subtitle:
        parts.append(f'<p class="subtitle">{doc.subtitle.html}</p>')
    if doc.authors:
        numbered = doc.article.metadata.affiliations
        names = ", ".join(_author_html(doc, index, numbered) for index in range(len(doc.authors)))
        parts.append(f'<p class="authors">{names}</p>')
        if doc.affiliations:
            tag = "ol" if len(doc.affiliations) > 1 else "ul"
            items = "".join(f"<li>{affiliation.html}</li>" for affiliation in doc.affiliations)
            parts.append(f'<{tag} class="affiliations">{items}</{tag}>')
        parts.append(_correspondence_html(doc))
    parts.append(_date_html(doc))
    if doc.original_entry_html:
        labels = labels_of(doc)
        parts.append(
            f'<p class="original-publication">{label_html(labels, labels.originally_published)} '
            f'<span class="csl-entry">{doc.original_entry_html}</span></p>'
        )
    parts.append(abstract_html(doc))
    return '<header class="title-block" id="title-block">' + "".join(parts) + "</header>"


def cite_box(doc: ResolvedDocument, heading_tag: str = "h2", extra: str = "") -> str:
    """`extra`: markup an edition adds inside the box after the entry (the web's downloads)."""
    if not doc.cite_entry_html:
        return ""
    labels = labels_of(doc)
    return (
        '<aside class="cite-this" id="cite-this" aria-labelledby="cite-this-heading">'
        f'<{heading_tag} id="cite-this-heading"{labels.lang_of("cite_this")}>{esc(labels.cite_this)}</{heading_tag}>'
        f'<p class="csl-entry">{doc.cite_entry_html}</p>'
        f"{extra}</aside>"
    )


def rights_line(doc: ResolvedDocument) -> str:
    return f'<p class="rights" id="rights">{doc.rights.html}</p>' if doc.rights else ""


def body_element(doc: ResolvedDocument) -> etree._Element:
    """The article body as an element tree (a <div class="article-body">) for editions to adjust.

    The ids set here (and on the title block, the cite box and the rights line) are how the checker
    finds the parts again in the PDF, where each id becomes a named destination; `refs-end` marks
    where the bibliography stops, since pandoc lets it stand anywhere in the text.
    """
    body = lxml.html.fragment_fromstring(doc.body_html or "<p></p>", create_parent="div")
    body.set("class", "article-body")
    body.set("id", "article-body")
    _trim_entries(body)
    for refs in body.iter():
        if refs.get("id") == "refs":
            marker = lxml.html.Element("div")
            marker.set("id", "refs-end")
            marker.tail, refs.tail = refs.tail, None
            refs.addnext(marker)
            break
    return body


def _trim_entries(body: etree._Element) -> None:
    """Pandoc writes each bibliography entry on lines of its own inside its div; WeasyPrint lays
    the leading newline out as a space that can end a line, breaking the entry early."""
    for entry in body.iter():
        if "csl-entry" not in (entry.get("class") or "").split():
            continue
        entry.text = (entry.text or "").lstrip() or None
        last = entry[-1] if len(entry) else None
        if last is None:
            entry.text = (entry.text or "").rstrip() or None
        else:
            last.tail = (last.tail or "").rstrip() or None


SHORT_LIST_ITEMS = 5
SHORT_LIST_CHARS = 300  # about four lines of the print edition


def mark_short_lists(body: etree._Element) -> None:
    """Class `short-list` on a list of a few short, flat items, which the print and EPUB style
    sheets keep on one page: a reader should not turn the page inside a list of three. A longer
    or nested list may break: kept whole, it would leave a third of a page empty before it."""
    for items in body.iter("ul", "ol"):
        flat = items.find(".//ul") is None and items.find(".//ol") is None
        if flat and len(items.findall("li")) <= SHORT_LIST_ITEMS and len(items.text_content()) <= SHORT_LIST_CHARS:
            items.set("class", " ".join(filter(None, [items.get("class"), "short-list"])))


def local_images(doc: ResolvedDocument, body: etree._Element) -> list[LocalImage]:
    """Every image file the body shows, once each (checked and decoded in resolve already:
    pubpipe.load.images), a PDF figure as the PNG resolve made of its page; inline `data:`
    images are left as they are."""
    found = (_image(doc, img.get("src", "")) for img in body.iter("img"))
    return list({image.src: image for image in found if image is not None}.values())


def _image(doc: ResolvedDocument, src: str) -> LocalImage | None:
    figure = doc.rendered_figures.get(src)
    if figure is not None:
        return LocalImage(src=src, path=figure.source, media_type="image/png", rendered=figure.png)
    return local_image(doc.article, src)


def show_image_as(body: etree._Element, image: LocalImage, src: str) -> None:
    """Point every <img> of `image` at `src` (a data: URL, or the image's place in the EPUB)."""
    for img in body.iter("img"):
        if img.get("src") == image.src:
            img.set("src", src)


def inner_html(element: etree._Element) -> str:
    """Serialize an element's children as HTML (the element's own tag left out)."""
    text = esc(element.text) if element.text else ""
    return text + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
