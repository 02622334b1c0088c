"""The print edition: WeasyPrint lays out a print HTML made from the same resolved document.

Only this module imports WeasyPrint (about 0.7 s), so the other editions never pay for it.
"""

from __future__ import annotations

import lxml.html
from pathlib import Path
from typing import Any

from pubpipe.editions import parts
from pubpipe.editions.fonts import font_dir, font_face_css
from pubpipe.editions.footnotes import drop_keeping_tail, find_footnotes, notes_section, remove_backlinks
from pubpipe.errors import ToolError, UnsafeContentError
from pubpipe.output import atomic_path, epoch_to_datetime
from pubpipe.paths import styles_dir
from pubpipe.resolve import ResolvedDocument

STYLESHEET = "print.css"
PAPER_CSS = {"a4": "A4", "letter": "letter"}


def _append_text(span, text: str) -> None:
    if len(span):
        span[-1].tail = (span[-1].tail or "") + text
    else:
        span.text = (span.text or "") + text


def _float_footnotes(body) -> None:
    """Move each note's text to where it is cited, as a CSS `float: footnote` span."""
    for note in find_footnotes(body):
        remove_backlinks(note.item)
        span = lxml.html.Element("span")
        span.set("class", "footnote")
        span.set("id", note.note_id)
        span.text = (note.item.text or "").strip()
        for index, block in enumerate(list(note.item)):
            if block.tag == "p":
                _append_text(span, (" " if index else "") + (block.text or ""))
                for inline in list(block):
                    span.append(inline)
            else:
                span.append(block)
        span.tail = note.ref.tail
        note.ref.tail = None
        note.ref.getparent().replace(note.ref, span)
    section = notes_section(body)
    if section is not None:
        drop_keeping_tail(section)


def print_html(doc: ResolvedDocument, options: dict[str, Any]) -> str:
    meta = doc.article.metadata
    body = parts.body_element(doc)
    body.set("class", "article-body")
    parts.local_images(doc, body)  # refuses bad images before WeasyPrint sees them
    _float_footnotes(body)
    paper = PAPER_CSS[options.get("paper") or meta.paper]
    page_css = f"@page {{ size: {paper}; }}\n"
    if options.get("bleed"):
        page_css += f"@page {{ bleed: {options['bleed']}; marks: crop cross; }}\n"
    modified = epoch_to_datetime(options["source_date_epoch"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = [
        '<meta charset="utf-8">',
        f"<title>{parts.esc(doc.title.text)}</title>",
        *(f'<meta name="author" content="{parts.esc(a.text)}">' for a in doc.authors),
        f'<meta name="description" content="{parts.esc(doc.description.text)}">' if doc.description else "",
        f'<meta name="keywords" content="{parts.esc(", ".join(k.text for k in doc.keywords))}">' if doc.keywords else "",
        f'<meta name="dcterms.created" content="{modified}">',
        f'<meta name="dcterms.modified" content="{modified}">',
        f'<meta name="generator" content="pubpipe">',
        f"<style>{font_face_css()}{page_css}</style>",
    ]
    return (
        f'<!DOCTYPE html><html lang="{parts.esc(meta.lang)}"><head>{"".join(head)}</head><body>'
        f"<article>{parts.title_block(doc)}{lxml.html.tostring(body, encoding='unicode')}"
        f"{parts.cite_box(doc)}{parts.rights_line(doc)}</article></body></html>"
    )


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from pubpipe.editions.fetcher import SafeURLFetcher

    article = doc.article
    fetcher = SafeURLFetcher([article.folder, styles_dir(), font_dir()])
    stylesheet = weasyprint.CSS(filename=str(styles_dir() / STYLESHEET), url_fetcher=fetcher)
    html = weasyprint.HTML(string=print_html(doc, options), base_url=str(article.folder) + "/", url_fetcher=fetcher)
    try:
        with atomic_path(out_path) as tmp:
            html.write_pdf(
                str(tmp),
                stylesheets=[stylesheet],
                pdf_variant=options.get("pdf_variant") or None,
                pdf_identifier=article.metadata.identifier.encode("utf-8"),
                uncompressed_pdf=False,
            )
    except FatalURLFetchingError as exc:
        raise UnsafeContentError(str(exc), path=article.source, hint="use only files inside the article folder") from None
    except (ValueError, TypeError) as exc:
        raise ToolError(f"WeasyPrint failed: {exc}", path=article.source) from None
    return out_path
