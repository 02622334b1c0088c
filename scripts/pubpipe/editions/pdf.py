"""The print edition: WeasyPrint lays out a print HTML made from the same resolved document.

Only this module imports WeasyPrint (about 0.7 s), so the other editions never pay for it. The
handout and press editions call `render` with their own paper and bleed, so every printed file
comes out of one layout path and one glyph check.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lxml.html
from lxml import etree

from pubpipe.editions import glyphs, parts
from pubpipe.runtime.limits import run_limited
from pubpipe.editions.direction import direction
from pubpipe.editions.fonts import font_dirs, font_face_css, is_declared
from pubpipe.editions.footnotes import drop_keeping_tail, find_footnotes, notes_section, remove_backlinks
from pubpipe.errors import ArticleError, ToolError, UnsafeContentError
from pubpipe.runtime.output import atomic_path, epoch_to_datetime
from pubpipe.runtime.paths import styles_dir
from pubpipe.resolve import ResolvedDocument

STYLESHEET = "print.css"
# Paper name -> CSS page size. a5 is only for the booklet's pages, never an article's `paper:`.
PAPER_CSS = {"a4": "A4", "letter": "letter", "a5": "A5"}


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


def _is_footnote(element) -> bool:
    return isinstance(element.tag, str) and "footnote" in (element.get("class") or "").split()


def _separate_adjacent_calls(body) -> None:
    """Mark a note called right after another one, so the calls read 3,4 rather than 34."""
    after_note = False
    walker = etree.iterwalk(body, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if _is_footnote(element):
                if after_note:
                    element.set("class", element.get("class") + " after-note")
                walker.skip_subtree()
                continue
            if (element.text or "").strip() or element.tag in ("img", "br"):
                after_note = False
        else:
            if _is_footnote(element):
                after_note = True
            if (element.tail or "").strip():
                after_note = False


RUNNING_TITLE_CHARS = 55  # fits the head's share of an A5 page at 8.5 pt italic
RUNNING_AUTHORS_CHARS = 40


def css_string(text: str) -> str:
    """A CSS string literal; quotes, backslashes and control characters escaped, so a title can
    never end the rule it sits in."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\' or ord(c) < 0x20 or c == "\x7f" else c for c in text) + '"'


def running_title(title: str, limit: int = RUNNING_TITLE_CHARS) -> str:
    """The title, shortened for the running head: to its main title before a colon when that is
    long enough to name the article, else cut at a word boundary with an ellipsis. Only whole
    words of the title are kept, so a reader can still recognize the head as page furniture."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    main = title.split(":", 1)[0].strip()
    if 12 <= len(main) <= limit:
        return main
    cut = title[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.–—-")
    return (cut or title[:limit]) + "…"


def running_authors(names: list[str], limit: int = RUNNING_AUTHORS_CHARS) -> str:
    """As many whole author names as fit, at least the first, and "et al." when some are left
    out (so that a three-author article does not look like a two-author one)."""
    shown: list[str] = []
    for name in names:
        if shown and len(", ".join([*shown, name])) > limit:
            break
        shown.append(name)
    return ", ".join(shown) + (" et al." if len(shown) < len(names) else "")


SHORT_TABLE_ROWS = 15


def _keep_short_tables_whole(body) -> None:
    """A table of a few rows moves to the next page whole rather than leave a row or two behind;
    a long one still breaks between rows, its header repeated."""
    for table in list(body.iter("table")):
        if len(table.findall(".//tr")) <= SHORT_TABLE_ROWS:
            # A wrapper, since WeasyPrint keeps the table box whole but not its caption with it.
            wrapper = lxml.html.Element("div")
            wrapper.set("class", "short-table")
            table.addprevious(wrapper)
            wrapper.tail, table.tail = table.tail, None
            wrapper.append(table)


def _label_headings_without_notes(body) -> None:
    """A heading's bookmark is its text without the notes it calls ("Origins", not "Origins1")."""
    import copy

    for heading in body.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if not any(_is_footnote(element) for element in heading.iter()):
            continue
        plain = copy.deepcopy(heading)
        for note in [element for element in plain.iter() if _is_footnote(element)]:
            drop_keeping_tail(note)
        heading.set("data-bookmark", " ".join(plain.text_content().split()))


def _page_css(doc: ResolvedDocument, paper: str, bleed: str | None) -> str:
    lang = doc.article.metadata.lang
    css = f"@page {{ size: {PAPER_CSS[paper]}; }}\n"
    css += (
        f"@page {{ @top-left {{ content: {css_string(running_title(doc.title.text))}; }} "
        f"@top-right {{ content: {css_string(running_authors([a.text for a in doc.authors]))}; }} }}\n"
        # Here, not in print.css: WeasyPrint ranks the document's own <style> above print.css.
        "@page :first { @top-left { content: none; } @top-right { content: none; } }\n"
    )
    if lang.lower().split("-")[0] == "en":
        css += '@page { @bottom-center { content: counter(page) " of " counter(pages); } }\n'
    if bleed:
        css += f"@page {{ bleed: {bleed}; marks: crop cross; }}\n"
    return css


def print_html(doc: ResolvedDocument, options: dict[str, Any]) -> str:
    meta = doc.article.metadata
    body = parts.body_element(doc)
    body.set("class", "article-body")
    parts.local_images(doc, body)  # refuses bad images before WeasyPrint sees them
    _float_footnotes(body)
    _separate_adjacent_calls(body)
    _label_headings_without_notes(body)
    _keep_short_tables_whole(body)
    paper = options.get("paper") or meta.paper
    # Metadata, field by field (WeasyPrint reads these elements into the PDF's Info and XMP):
    #   <title>              -> Title      the resolved title, as plain text
    #   meta author          -> Author     one element per author, joined by WeasyPrint
    #   meta description     -> Subject    the article's `description:`
    #   meta keywords        -> Keywords   the article's `keywords:`
    #   html lang            -> Lang       the article's `lang:`, also the hyphenation language
    #   dcterms.created/modified -> CreationDate/ModDate, from SOURCE_DATE_EPOCH (never the clock)
    stamp = epoch_to_datetime(options["source_date_epoch"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = [
        '<meta charset="utf-8">',
        f"<title>{parts.esc(doc.title.text)}</title>",
        *(f'<meta name="author" content="{parts.esc(a.text)}">' for a in doc.authors),
        f'<meta name="description" content="{parts.esc(doc.description.text)}">' if doc.description else "",
        f'<meta name="keywords" content="{parts.esc(", ".join(k.text for k in doc.keywords))}">' if doc.keywords else "",
        f'<meta name="dcterms.created" content="{stamp}">',
        f'<meta name="dcterms.modified" content="{stamp}">',
        '<meta name="generator" content="pubpipe">',
        f"<style>{font_face_css()}{_page_css(doc, paper, options.get('bleed'))}</style>",
    ]
    return (
        f'<!DOCTYPE html><html lang="{parts.esc(meta.lang)}" dir="{direction(meta.lang)}" class="paper-{paper}"><head>{"".join(head)}</head>'
        f"<body><article>{parts.title_block(doc)}{lxml.html.tostring(body, encoding='unicode')}"
        f"{parts.cite_box(doc)}{parts.rights_line(doc)}</article></body></html>"
    )


def notes_taller_than_a_page(document) -> list[str]:
    """The first words of each footnote area that rises above its page's top margin.

    WeasyPrint 70 never splits a note across pages: one longer than the page is drawn over the
    text and the running head. Its page boxes are read directly (pinned version; see pyproject).
    """
    found = []
    for page in document.pages:
        box = page._page_box
        areas = [child for child in box.children if type(child).__name__ == "FootnoteAreaBox"]
        for area in areas:
            if area.children and area.position_y < box.content_box_y() - 1:
                text = re.sub(r"^\d+[.)]?\s*", "", " ".join(_box_text(area).split()))  # the note's number
                found.append(" ".join(text.split()[:8]))
    return found


# WeasyPrint 70 sometimes drops a footnote whose call falls on a page's last lines: the call is
# printed and the note is nowhere (`pubpipe check` found it as X-005 on a long article). A
# different break rule moves the call, so the layout is tried again with these until no note
# is lost; the first entry is the stylesheet as designed.
LOST_NOTE_RETRIES = (
    "",
    "p, li, blockquote { orphans: 3; widows: 3; }",
    "p, li, blockquote { orphans: 1; widows: 1; }",
)


def footnote_ids(markup: str) -> list[str]:
    return [span.get("id") for span in lxml.html.fromstring(markup).iter("span") if _is_footnote(span) and span.get("id")]


def lost_footnotes(document, note_ids: list[str]) -> list[str]:
    """The notes that have no place in the laid-out pages (every laid-out id is an anchor)."""
    anchors = set()
    for page in document.pages:
        anchors.update(page.anchors)
    return [note_id for note_id in note_ids if note_id not in anchors]


def _box_text(box) -> str:
    if hasattr(box, "text"):
        return box.text + " "
    return "".join(_box_text(child) for child in getattr(box, "children", ()))


def render(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    """Lay the article out with `options` (paper, bleed, pdf_variant) and write it atomically."""
    with atomic_path(out_path) as tmp:
        write_pdf(doc, tmp, options)
    return out_path


def write_pdf(doc: ResolvedDocument, path: Path, options: dict[str, Any]) -> Path:
    """Write the PDF straight to `path`, for callers that make their own file from it.

    Refuses, with the characters and fonts named, any PDF in which a glyph is missing or drawn
    with a font we did not declare.
    """
    from pubpipe.runtime.warm import import_weasyprint

    weasyprint = import_weasyprint()
    from weasyprint.urls import FatalURLFetchingError

    from pubpipe.editions.fetcher import ARTICLE_URL, SafeURLFetcher

    article = doc.article
    fetcher = SafeURLFetcher([article.folder, styles_dir(), *font_dirs()])
    stylesheet = weasyprint.CSS(filename=str(styles_dir() / STYLESHEET), url_fetcher=fetcher)
    markup = print_html(doc, options)
    html = weasyprint.HTML(string=markup, base_url=ARTICLE_URL, url_fetcher=fetcher)
    note_ids = footnote_ids(markup)
    try:
        def layout() -> tuple[glyphs.Missing, list[str], list[str], list[str]]:
            with glyphs.listen() as missing:
                for retry in LOST_NOTE_RETRIES:
                    extra = [weasyprint.CSS(string=retry)] if retry else []
                    document = html.render(stylesheets=[stylesheet, *extra])
                    lost = lost_footnotes(document, note_ids)
                    if not lost:
                        break
                too_long = notes_taller_than_a_page(document)
                document.write_pdf(
                    str(path),
                    pdf_variant=options.get("pdf_variant") or None,
                    pdf_identifier=article.metadata.identifier.encode("utf-8"),
                    uncompressed_pdf=False,
                )
            # The fonts the PDF embeds, as WeasyPrint names them: reading the PDF back (pypdf,
            # 0.05-0.2 s) is needed only when one of them is not ours.
            embedded = [font.name.decode("latin-1").lstrip("/") for font in document.fonts.values()]
            return missing, too_long, lost, embedded

        # In a child process under a time and a memory limit (pubpipe.runtime.limits); its findings come back.
        missing, too_long, lost, embedded = run_limited(layout, what="WeasyPrint", source_date_epoch=options.get("source_date_epoch"))
    except FatalURLFetchingError as exc:
        raise UnsafeContentError(str(exc), path=article.source, hint="use only files inside the article folder") from None
    except (ValueError, TypeError) as exc:
        raise ToolError(f"WeasyPrint failed: {exc}", path=article.source) from None
    if lost:
        raise ToolError(
            f"WeasyPrint lost {len(lost)} footnote(s) in every layout tried: {', '.join(lost)}",
            path=article.source,
            hint="a footnote called on a page's last lines can vanish (a WeasyPrint bug); "
            "move the note call a few words earlier or shorten the note",
        )
    if too_long:
        raise ArticleError(
            f"{len(too_long)} note(s) longer than a page, which WeasyPrint cannot split: "
            + "; ".join(f"'{start}…'" for start in too_long),
            path=article.source,
            line=article.line_of(" ".join(too_long[0].split()[:4])),
            hint="shorten the note, or move most of it into the text",
        )
    undeclared = glyphs.undeclared_fonts(path) if not all(map(is_declared, embedded)) else {}
    problem = glyphs.describe(missing, undeclared)
    if problem:
        culprits = [*missing.characters, *"".join(undeclared.values())]
        raise ArticleError(
            f"the PDF cannot show every character: {problem}",
            path=article.source,
            line=next((line for char in culprits if (line := article.line_of(char))), None),
            hint="replace the character (or use an image), or declare a font that has it "
            "in scripts/pubpipe/editions/fonts.py",
        )
    return path


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return render(doc, out_path, options)
