"""The print edition: WeasyPrint lays out a print HTML made from the same resolved document.

This module makes the print HTML and checks the result; WeasyPrint itself runs in the layout
worker (runtime/layout.py, editions/layout.py), so the build never imports it. The handout and
press editions call `submit` with their own paper and bleed, so every printed file comes out of
one layout path and one glyph check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import lxml.html
from lxml import etree

from pubpipe.editions import floats, glyphs, parts
from pubpipe.editions.direction import direction
from pubpipe.editions.fonts import fallbacks_css, font_dirs, font_face_css, is_declared
from pubpipe.editions import math_svg
from pubpipe.editions.math_pdf import Finisher
from pubpipe.editions.footnotes import drop_keeping_tail, find_footnotes, notes_section, remove_backlinks
from pubpipe.editions.noterefs import keep_with_word
from pubpipe.editions.layout import LayoutRequest, LayoutResult, article_key, lay_out
from pubpipe.editions.layout import warm_up as lay_out_warm_up
from pubpipe.errors import ArticleError, OutputError, ResourceError, ToolError
from pubpipe.resolve import ResolvedDocument
from pubpipe.resolve.math import text_form
from pubpipe.runtime import layout
from pubpipe.runtime.limits import pdf_limits
from pubpipe.runtime.output import atomic_path, epoch_to_datetime
from pubpipe.runtime.paths import styles_dir

STYLESHEET = "print.css"
# Paper name -> CSS page size. a5 is only for the booklet's pages, never an article's `paper:`.
PAPER_CSS = {"a4": "A4", "letter": "letter", "a5": "A5"}


def _append_text(span, text: str) -> None:
    if len(span):
        span[-1].tail = (span[-1].tail or "") + text
    else:
        span.text = (span.text or "") + text


# Elements that may stand inside a <span> in HTML. Any other (a <p>, a <pre>, a list) would make
# the HTML parser that WeasyPrint uses close the paragraph holding the note call, and the rest of
# the note would fall out of the note into the text.
PHRASING = frozenset(
    "a abbr b bdi bdo br cite code data del dfn em i img ins kbd mark q s samp small span strong "
    "sub sup time u var wbr".split()
)


# Phrasing elements whose content is markup of another language: a formula's MathML, which the
# print page draws as a picture (editions/math_svg.py), is left whole.
EMBEDDED = frozenset({"math", "svg"})


def _as_phrasing(block) -> None:
    """Rename `block` and every non-phrasing element in it to <span class="note-block note-TAG">,
    which print.css lays out as the element was (a paragraph, code, a list...)."""
    for element in list(block.iter()):
        if not isinstance(element.tag, str) or element.tag in PHRASING or _local_name(element) in EMBEDDED:
            continue
        if not any(_local_name(ancestor) in EMBEDDED for ancestor in element.iterancestors()):
            element.set("class", " ".join(filter(None, [element.get("class"), "note-block", f"note-{element.tag}"])))
            element.tag = "span"


def _local_name(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _float_footnotes(body) -> None:
    """Move each note to where it is cited, as a CSS `float: footnote` span. The note's first
    paragraph runs on from its number; each further block (a paragraph, code, a list) keeps its
    own lines."""
    for note in find_footnotes(body):
        remove_backlinks(note.item)
        span = lxml.html.Element("span")
        span.set("class", "footnote")
        span.set("id", note.note_id)
        span.text = (note.item.text or "").strip()
        blocks = list(note.item)
        if blocks and blocks[0].tag == "p":
            first = blocks.pop(0)
            _append_text(span, first.text or "")
            for inline in list(first):
                span.append(inline)
        for block in blocks:
            _as_phrasing(block)
            if not (block.tail or "").strip():
                block.tail = None  # white space between blocks would be laid out as an empty line
            span.append(block)
        # An empty element keeps the call's id where the call is drawn: its named destination
        # tells the PDF reader which small number on the page is this note's call.
        call = lxml.html.Element("span")
        call.set("id", note.ref.get("id") or f"fnref-{note.note_id}")
        call.tail = None
        span.tail = note.ref.tail
        note.ref.tail = None
        note.ref.getparent().replace(note.ref, call)
        call.addnext(span)
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


@dataclass(frozen=True)
class Stage:
    """What another printed edition adds to the print layout: style sheets after print.css, CSS
    for the page's own <style> (which outranks them), folders the layout may read, and a last
    step that turns the laid-out PDF into the file's bytes."""

    stylesheets: tuple[str, ...] = ()
    page_css: str = ""
    allowed_folders: tuple[Path, ...] = ()
    finish: Callable[[LayoutResult], bytes] | None = None


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


# Link text that is an address rather than words: one word that begins as a URL or a DOI does,
# or that has a slash inside it (a bare domain with a path). Judged on the word, not by one
# pattern over the text: `\S+/\S+\s*$` took time in the square of a long word of slashes.
ADDRESS_START = re.compile(r"(?:[a-z][a-z0-9+.-]*:|www\.|doi\.org/|10\.\d{4,}/)", re.IGNORECASE)


def _is_address(text: str) -> bool:
    word = text.strip()
    if not word or any(char.isspace() for char in word):
        return False
    return bool(ADDRESS_START.match(word)) or "/" in word[1:-1]


def _mark_url_links(root) -> None:
    """Class `url` on each link whose text is an address: print.css lets only those break
    anywhere, since an address has no hyphenation points and may be longer than a line."""
    for link in root.iter("a"):
        if _is_address(link.text_content()):
            link.set("class", " ".join(filter(None, [link.get("class"), "url"])))


# HTML's numbering of an ordered list, as pandoc writes it for `7.`, `iii.`, `a)` and the example
# lists `(@)`: the kind of numeral (`type`) and the first number (`start`). Browsers and reading
# systems obey the attributes; WeasyPrint does not, and numbered every list 1, 2, 3, so the print
# page states them in CSS.
LIST_NUMERALS = {"1": "decimal", "a": "lower-alpha", "A": "upper-alpha", "i": "lower-roman", "I": "upper-roman"}
_START = re.compile(r"[+-]?\d{1,9}")


def _number_lists_as_written(body) -> None:
    for items in body.iter("ol"):
        rules = []
        numeral = LIST_NUMERALS.get(items.get("type") or "")
        if numeral:
            rules.append(f"list-style-type: {numeral}")
        start = (items.get("start") or "").strip()
        if _START.fullmatch(start):
            rules.append(f"counter-reset: list-item {int(start) - 1}")
        if rules:
            items.set("style", "; ".join(filter(None, [(items.get("style") or "").strip().rstrip(";"), *rules])))


def _keep_short_tables_whole(body) -> None:
    """A table of a few rows moves to the next page whole rather than leave a row or two behind;
    a long one still breaks between rows, its header repeated. Each is wrapped in a div (see
    floats.mark_floats), since WeasyPrint keeps the table box whole but not its caption with it."""
    for table in list(body.iter("table")):
        if table.getparent() is not None and table.getparent().tag in ("td", "th"):
            continue  # a table inside a table's cell goes with its table
        wrapper = lxml.html.Element("div")
        wrapper.set("class", "short-table" if len(table.findall(".//tr")) <= SHORT_TABLE_ROWS else "table-block")
        table.addprevious(wrapper)
        wrapper.tail, table.tail = table.tail, None
        wrapper.append(table)


# A table of many columns is set smaller (print.css: table.columns-N…), and a cell that is one
# number never breaks inside it: cells may break anywhere so that a table fits the page, and a
# data table of twelve columns printed "1000.000" as "100 / 0.0 / 00".
WIDE_TABLE_COLUMNS = (7, 10, 13)  # print.css's steps: wide-7, wide-10, wide-13
NUMBER = re.compile(r"[−+\-]?[\d.,\u2009\u202f\u00a0']+[%‰]?")


def _set_wide_tables_smaller(body) -> None:
    for table in body.iter("table"):
        columns = max((sum(int(cell.get("colspan") or 1) if (cell.get("colspan") or "1").isdigit() else 1
                           for cell in row if cell.tag in ("td", "th")) for row in table.iter("tr")), default=0)
        steps = [step for step in WIDE_TABLE_COLUMNS if columns >= step]
        if steps:
            table.set("class", " ".join(filter(None, [table.get("class"), f"wide-{steps[-1]}"])))
        for cell in table.iter("td", "th"):
            if NUMBER.fullmatch(" ".join(cell.text_content().split())):
                cell.set("class", " ".join(filter(None, [cell.get("class"), "number"])))


def _is_display_math(element) -> bool:
    return isinstance(element.tag, str) and (
        "equation" in (element.get("class") or "").split() or (element.tag == "math" and element.get("display") == "block"))


def _split_paragraphs_at_display_math(body) -> None:
    """A paragraph that holds a display formula is set as the words before it, the formula, and
    the words after it, which go on without an indent (as in TeX): WeasyPrint would indent every
    part of such a paragraph as if each began a new one."""
    for paragraph in list(body.iter("p")):
        if not any(_is_display_math(child) for child in paragraph):
            continue
        pieces, current = [], lxml.html.Element("p")
        for key, value in paragraph.attrib.items():
            current.set(key, value)
        current.text = paragraph.text
        for child in list(paragraph):
            if _is_display_math(child):
                pieces.append(current)
                tail, child.tail = child.tail, None
                pieces.append(child)
                current = lxml.html.Element("p")
                current.set("class", "continued")
                current.text = tail
            else:
                current.append(child)
        pieces.append(current)
        for piece in pieces:
            if piece.tag != "p" or (piece.text or "").strip() or len(piece):
                paragraph.addprevious(piece)
        drop_keeping_tail(paragraph)


def _label_headings_as_text(body) -> None:
    """A heading's bookmark is its text without the notes it calls ("Origins", not "Origins1"),
    and with its formulas in their text form ("The case n = 0"): by default WeasyPrint takes the
    heading's text, in which a formula, drawn as an image, is nothing."""
    import copy

    for heading in body.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        if not any(_is_footnote(element) or element.tag == "math" for element in heading.iter()):
            continue
        plain = copy.deepcopy(heading)
        for note in [element for element in plain.iter() if _is_footnote(element)]:
            drop_keeping_tail(note)
        heading.set("data-bookmark", text_form(plain))


def _page_css(doc: ResolvedDocument, paper: str, bleed: str | None, folios: bool = True) -> str:
    """`folios`: False for a course pack's pages, which are numbered through the volume when it is
    assembled (packs/assemble.py), not article by article."""
    lang = doc.article.metadata.lang
    css = f"@page {{ size: {PAPER_CSS[paper]}; }}\nhtml {{ --fallbacks: {fallbacks_css(lang)}; }}\n"
    css += (
        f"@page :left {{ @top-left {{ content: {css_string(running_authors([a.text for a in doc.authors]))}; }} }}\n"
        f"@page :right {{ @top-right {{ content: {css_string(running_title(doc.title.text))}; }} }}\n"
        # Here, not in print.css: WeasyPrint ranks the document's own <style> above print.css.
        "@page :first { @top-left { content: none; } @top-right { content: none; } }\n"
        # The title's bookmark in its text form: by default WeasyPrint takes the heading's text, without its formulas.
        f"h1.title {{ bookmark-label: {css_string(doc.title.text)}; }}\n"
    )
    if not folios:
        css += "@page :left { @bottom-left { content: none; } } @page :right { @bottom-right { content: none; } }\n"
    elif lang.lower().split("-")[0] == "en":
        folio = 'content: counter(page) " of " counter(pages);'
        css += f"@page :left {{ @bottom-left {{ {folio} }} }} @page :right {{ @bottom-right {{ {folio} }} }}\n"
    if bleed:
        css += f"@page {{ bleed: {bleed}; }}\n"  # the marks are the press edition's (press_sheet.py)
    return css


def print_head(title, authors, description, keywords, epoch: int, page_css: str) -> str:
    """The print HTML's <head>: what WeasyPrint reads into the PDF's metadata (see print_page), and
    the page rules. The values are resolve.Field (an article's or a course pack's)."""
    stamp = epoch_to_datetime(epoch).strftime("%Y-%m-%dT%H:%M:%SZ")
    return "".join([
        '<meta charset="utf-8">',
        f"<title>{parts.esc(title.text)}</title>",
        *(f'<meta name="author" content="{parts.esc(a.text)}">' for a in authors),
        f'<meta name="description" content="{parts.esc(description.text)}">' if description else "",
        f'<meta name="keywords" content="{parts.esc(", ".join(k.text for k in keywords))}">' if keywords else "",
        f'<meta name="dcterms.created" content="{stamp}">',
        f'<meta name="dcterms.modified" content="{stamp}">',
        '<meta name="generator" content="pubpipe">',
        f"<style>{font_face_css()}{page_css}</style>",
    ])


def print_html(doc: ResolvedDocument, options: dict[str, Any]) -> str:
    return print_page(doc, options)[0]


def print_page(doc: ResolvedDocument, options: dict[str, Any], page_css: str = "") -> tuple[str, list[parts.LocalImage], Finisher]:
    """The print HTML, the images it shows (checked: see parts.local_images), and what draws its
    formulas into the PDF (editions/math_pdf.py). `page_css` goes into the page's own <style>."""
    meta = doc.article.metadata
    body = parts.body_element(doc)
    body.set("class", "article-body")
    images = parts.local_images(doc, body)  # refuses bad images before WeasyPrint sees them
    _float_footnotes(body)
    _separate_adjacent_calls(body)
    for span in [element for element in body.iter("span") if _is_footnote(element)]:
        keep_with_word(span)
    _label_headings_as_text(body)
    _keep_short_tables_whole(body)
    _set_wide_tables_smaller(body)
    _split_paragraphs_at_display_math(body)
    parts.mark_short_lists(body)
    _number_lists_as_written(body)
    floats.mark_floats(body)
    article = lxml.html.fragment_fromstring(
        f"<article>{parts.title_block(doc)}{lxml.html.tostring(body, encoding='unicode')}"
        f"{parts.cite_box(doc)}{parts.rights_line(doc)}</article>"
    )
    _mark_url_links(article)
    paper = options.get("paper") or meta.paper
    # Metadata, field by field (WeasyPrint reads these elements into the PDF's Info and XMP):
    #   <title>              -> Title      the resolved title, as plain text
    #   meta author          -> Author     one element per author, joined by WeasyPrint
    #   meta description     -> Subject    the article's `description:`
    #   meta keywords        -> Keywords   the article's `keywords:`
    #   html lang            -> Lang       the article's `lang:`, also the hyphenation language
    #   dcterms.created/modified -> CreationDate/ModDate, from SOURCE_DATE_EPOCH (never the clock)
    head = print_head(doc.title, doc.authors, doc.description, doc.keywords, options["source_date_epoch"],
                      _page_css(doc, paper, options.get("bleed"), options.get("folios", True)) + page_css)
    markup = (
        f'<!DOCTYPE html><html lang="{parts.esc(meta.lang)}" dir="{direction(meta.lang)}" class="paper-{paper}"><head>{head}</head>'
        f"<body>{lxml.html.tostring(article, encoding='unicode')}</body></html>"
    )
    markup, formulas = math_svg.for_print(markup, doc.article, options.get("cache"))  # WeasyPrint has no MathML
    return markup, images, formulas


def footnote_ids(markup: str) -> list[str]:
    return [span.get("id") for span in lxml.html.fromstring(markup).iter("span") if _is_footnote(span) and span.get("id")]


def start_worker() -> layout.LayoutWorker:
    """The layout worker, started now if need be, so that it imports WeasyPrint while pandoc runs."""
    return layout.worker(read_only=(styles_dir(),), warm_up=layout.Job(lay_out_warm_up))


def submit(doc: ResolvedDocument, options: dict[str, Any], stage: Stage | None = None) -> Callable[[Path], Path]:
    """Send the layout with `options` (paper, bleed, pdf_variant) to the layout worker, and return
    the function that waits for it and writes the PDF to a path.

    That function refuses, with the characters and fonts named, any PDF in which a glyph is
    missing or drawn with a font we did not declare. `stage` changes the layout for another
    printed edition (the press PDF's inks and sheet).
    """
    stage = stage or Stage()
    markup, images, formulas = print_page(doc, options, stage.page_css)
    return submit_markup(markup, options, doc.article, doc.article.metadata.identifier, _read_images(doc, images),
                         stage, formulas)


def submit_markup(markup: str, options: dict[str, Any], origin, identifier: str,
                  article_files: dict[str, bytes] | None = None, stage: Stage | None = None,
                  formulas: Finisher | None = None) -> Callable[[Path], Path]:
    """`submit` for print HTML of our own making (an article's, or a course pack's title pages and
    folios), laid out with print.css under the same limits and checks. `origin` is what errors
    point at: an Article, or anything with its `source` and `line_of(needle)`; `formulas` draws the
    formulas (editions/math_pdf.py)."""
    article = origin
    stage = stage or Stage()
    request = LayoutRequest(
        markup=markup,
        stylesheets=tuple(styles_dir() / name for name in (STYLESHEET, *stage.stylesheets)),
        allowed_folders=(styles_dir(), *font_dirs(), *stage.allowed_folders),
        article_files=article_files or {},
        note_ids=tuple(footnote_ids(markup)),
        pdf_variant=options.get("pdf_variant") or None,
        identifier=identifier.encode("utf-8"),
        source=article.source,
        finisher=formulas or None,
        tagged=options.get("tagged", True),
    )
    time_limit, memory = pdf_limits()
    epoch = options.get("source_date_epoch")
    # fontTools stamps the subset fonts' `head.modified` with the clock unless SOURCE_DATE_EPOCH is set.
    job = layout.Job(lay_out, (request,), environment={} if epoch is None else {"SOURCE_DATE_EPOCH": str(epoch)}, memory=memory)
    worker = start_worker()
    number = worker.submit(job, what="WeasyPrint")

    def write(path: Path) -> Path:
        result = worker.result(number, time_limit)
        try:
            path.write_bytes(stage.finish(result) if stage.finish else result.pdf)
        except OSError as exc:
            raise OutputError(f"cannot write the PDF: {exc.strerror}", path=path.parent) from None
        _refuse_faults(article, result, path)
        return path

    return write


def _read_images(doc: ResolvedDocument, images: list[parts.LocalImage]) -> dict[str, bytes]:
    """The article's images as the layout worker gets them: it cannot see the article folder."""
    files = {}
    for image in images:
        key = article_key(image.src)
        if key is None:
            continue
        try:
            files[key] = image.read()  # a PDF figure's page comes as the PNG resolve made
        except OSError as exc:
            raise ResourceError(f"cannot read image '{image.src}': {exc.strerror}", path=doc.article.source,
                                line=doc.article.line_of(image.src)) from None
    return files


def _refuse_faults(article, result: LayoutResult, path: Path) -> None:
    if result.lost:
        raise ToolError(
            f"WeasyPrint lost {len(result.lost)} footnote(s) in every layout tried: {', '.join(result.lost)}",
            path=article.source,
            hint="a footnote called on a page's last lines can vanish (a WeasyPrint bug); "
            "move the note call a few words earlier or shorten the note",
        )
    too_long = result.too_long
    if too_long:
        raise ArticleError(
            f"{len(too_long)} note(s) longer than a page, which WeasyPrint cannot split: "
            + "; ".join(f"'{start}…'" for start in too_long),
            path=article.source,
            line=article.line_of(" ".join(too_long[0].split()[:4])),
            hint="shorten the note, or move most of it into the text",
        )
    # Reading the PDF back (pypdf, 0.05-0.2 s) is needed only when a font it embeds is not ours.
    undeclared = glyphs.undeclared_fonts(path) if not all(map(is_declared, result.embedded)) else {}
    problem = glyphs.describe(result.missing, undeclared)
    if problem:
        culprits = [*result.missing.characters, *"".join(undeclared.values())]
        raise ArticleError(
            f"the PDF cannot show every character: {problem}",
            path=article.source,
            line=next((line for char in culprits if (line := article.line_of(char))), None),
            hint="replace the character (or use an image), or declare a font that has it "
            "in scripts/pubpipe/editions/fonts.py",
        )


def begin(doc: ResolvedDocument, out_path: Path, options: dict[str, Any], stage: Stage | None = None) -> Callable[[], Path]:
    """Start the layout now; the returned function finishes it, writing `out_path` atomically.
    Between the two, the build renders the other editions while the worker lays this one out."""
    write = submit(doc, options, stage)

    def finish() -> Path:
        with atomic_path(out_path) as tmp:
            write(tmp)
        return out_path

    return finish


def build(doc: ResolvedDocument, out_path: Path, options: dict[str, Any]) -> Path:
    return begin(doc, out_path, options)()
