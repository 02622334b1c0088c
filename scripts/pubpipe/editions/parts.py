"""The pieces every edition shows, made once from the resolved document.

The title block, the "Originally published in" line, the "Cite this article" box and the rights
statement are assembled here and nowhere else, so the three editions carry the same words. Each
edition then only decides where the pieces go (one page, several XHTML files, paged media).
"""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

from pubpipe.errors import ResourceError, UnsafeContentError
from pubpipe.labels import Labels, for_language
from pubpipe.runtime.paths import inside_folder
from pubpipe.resolve import ResolvedDocument

URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def labels_of(doc: ResolvedDocument) -> Labels:
    return for_language(doc.article.metadata.lang)


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
            f'<p class="abstract-label" id="article-abstract-label"{labels.lang_attribute}>{esc(labels.abstract)}</p>'
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
        f'<{heading_tag} id="cite-this-heading"{labels.lang_attribute}>{esc(labels.cite_this)}</{heading_tag}>'
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
    for refs in body.iter():
        if refs.get("id") == "refs":
            marker = lxml.html.Element("div")
            marker.set("id", "refs-end")
            marker.tail, refs.tail = refs.tail, None
            refs.addnext(marker)
            break
    return body


@dataclass(frozen=True)
class LocalImage:
    src: str
    path: Path
    media_type: str


def local_images(doc: ResolvedDocument, body: etree._Element) -> list[LocalImage]:
    """Every image the body shows, checked: inside the article folder, existing, a known type.

    Remote URLs, absolute paths, `../` and symlinks out of the folder are refused, since an edition
    that fetched them would leak files or reach the network while being built or read.
    """
    article = doc.article
    images: dict[str, LocalImage] = {}
    for img in body.iter("img"):
        src = img.get("src", "")
        if src in images:
            continue
        line = article.line_of(src) if src else None
        if not src:
            raise ResourceError("an image has no source", path=article.source)
        if src.startswith("data:"):
            continue
        if URL_SCHEME.match(src) or src.startswith("//"):
            raise UnsafeContentError(
                f"image '{src}' is a URL; articles may only show their own files",
                path=article.source, line=line,
                hint="download the image into the article folder and refer to it by its file name",
            )
        path = article.folder / src
        if src.startswith("/") or not inside_folder(path, article.folder):
            raise UnsafeContentError(
                f"image '{src}' lies outside the article folder",
                path=article.source, line=line,
                hint="copy the image into the article folder and refer to it by a relative path",
            )
        if not path.is_file():
            raise ResourceError(
                f"image '{src}' does not exist",
                path=article.source, line=line,
                hint=f"put the file in {article.folder} or correct its name",
            )
        media_type = mimetypes.guess_type(path.name)[0] or ""
        if media_type not in ("image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"):
            raise ResourceError(
                f"image '{src}' is not a PNG, JPEG, GIF, WebP or SVG file",
                path=article.source, line=line,
            )
        images[src] = LocalImage(src=src, path=path.resolve(), media_type=media_type)
    return list(images.values())


def inner_html(element: etree._Element) -> str:
    """Serialize an element's children as HTML (the element's own tag left out)."""
    text = esc(element.text) if element.text else ""
    return text + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
