"""The volume's PDF in one paper size: each article laid out on its own, then assembled.

Each article is laid out by WeasyPrint exactly as its own print edition is (editions/pdf.py),
with two differences: no page numbers of its own, and "Cite this article" names the pack. The
result is kept (runtime/cache.py) under a key made of the very HTML WeasyPrint is given, the
article's files, the stylesheets and our code, so that a second build lays out only the articles
whose key changed. Page numbers are not part of an article's layout, so an article that grows by
a page changes no other article's layout: the numbers through the volume are laid out on a sheet
of their own (one small WeasyPrint run) and drawn on the pages when the volume is assembled.

The title pages (title, editors, contents with page numbers, preface) are laid out last, once
the articles' page counts are known, and numbered i, ii, … so that the first article is page 1
whatever their length. In the booklet every article starts on a right-hand page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.editions import parts
from pubpipe.editions.fonts import font_face_css
from pubpipe.editions.pdf import PAPER_CSS, print_head, print_html, submit, submit_markup
from pubpipe.errors import PubpipeError
from pubpipe.labels import for_language
from pubpipe.packs.assemble import Part, assemble
from pubpipe.packs.front import Front
from pubpipe.packs.members import failure_in_pack
from pubpipe.packs.parts import preface_section, title_page
from pubpipe.packs.spec import PackSpec
from pubpipe.resolve import ResolvedDocument
from pubpipe.runtime.cache import OutputCache, code_digest, digest, folder_digest


@dataclass(frozen=True)
class Origin:
    """What layout errors of the title pages point at: the pack file."""

    folder: Path
    source: Path

    def line_of(self, needle: str) -> int | None:
        for number, line in enumerate(self.source.read_text(encoding="utf-8").split("\n"), start=1):
            if needle in line:
                return number
        return None


@dataclass(frozen=True)
class Entry:
    """An article in the contents: where it starts, and the name its first page is linked by."""

    doc: ResolvedDocument
    first_page: int  # its printed page number
    anchor: str  # the prefixed destination of its title block


def prefix(slug: str) -> str:
    """Destination names of an article inside the volume ("<slug>/fn1"): ids stay unique."""
    return f"{slug}/"


@dataclass(frozen=True)
class Layouts:
    """The articles laid out for the pack on one paper: those in the cache, and those sent to the
    layout worker (article, cache name, key, write), collected when the volume is assembled."""

    paper: str
    paths: list[Path]
    sent: list[tuple[ResolvedDocument, str, str, Any]]


def send_layouts(spec: PackSpec, docs: list[ResolvedDocument], paper: str, options: dict[str, Any],
                 cache: OutputCache) -> Layouts:
    """Every article on `paper` from the cache when nothing it depends on changed; the others go
    to the layout worker at once, without waiting, so that a build can send the layouts of all its
    papers first and assemble one volume while the worker lays out the next."""
    page_options = dict(options, paper=paper, folios=False, bleed=None)
    sent = []
    for doc in docs:
        key = digest(print_html(doc, page_options), folder_digest(doc.article.folder), code_digest(),
                     str(options.get("pdf_variant")), str(options["source_date_epoch"]))
        name = f"layout/{doc.article.slug}-{paper}.pdf"
        if cache.get(name, key) is None:
            console.detail(f"  laying out {doc.article.slug} on {paper}")
            try:
                sent.append((doc, name, key, submit(doc, page_options)))
            except PubpipeError as exc:
                raise failure_in_pack(spec, doc.article.slug, exc) from None
    return Layouts(paper, [cache.root / f"layout/{doc.article.slug}-{paper}.pdf" for doc in docs], sent)


def collect_layouts(spec: PackSpec, layouts: Layouts, cache: OutputCache) -> list[Path]:
    """Wait for the layouts sent, in order, and keep each in the cache."""
    for doc, name, key, write in layouts.sent:
        try:
            cache.put(name, key, _written(cache, name, write))
        except PubpipeError as exc:
            raise failure_in_pack(spec, doc.article.slug, exc) from None
    return layouts.paths


def _written(cache: OutputCache, name: str, write) -> bytes:
    """The bytes the layout worker's `write` puts in a scratch file of the cache."""
    scratch = cache.root / f"{name}.part"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        write(scratch)
        return scratch.read_bytes()
    finally:
        scratch.unlink(missing_ok=True)


def _page_count(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def front_html(spec: PackSpec, front: Front, entries: list[Entry], paper: str, epoch: int) -> str:
    """The title page, the contents with page numbers and links, and the preface."""
    labels = for_language(front.lang)
    items = []
    for entry in entries:
        authors = ", ".join(author.html for author in entry.doc.authors)
        lang = entry.doc.article.metadata.lang
        items.append(
            f'<li lang="{parts.esc(lang)}"><a class="toc-entry" href="#{parts.esc(entry.anchor)}">'
            f'<span class="toc-title">{entry.doc.title.html}</span> '
            f'<span class="toc-page">{entry.first_page}</span></a>'
            + (f'<span class="toc-authors">{authors}</span>' if authors else "")
            # The link's target here only keeps WeasyPrint from dropping the link; the article's own
            # destination of the same name replaces it when the volume is assembled.
            + f'<span id="{parts.esc(entry.anchor)}"></span></li>'
        )
    contents = (
        '<nav class="pack-contents" id="pack-contents" aria-labelledby="pack-contents-heading">'
        f'<h2 id="pack-contents-heading"{labels.lang_attribute}>{parts.esc(labels.contents)}</h2>'
        f'<ol class="toc">{"".join(items)}</ol></nav>'
    )
    preface = preface_section(front, "h2")
    page_css = (f"@page {{ size: {PAPER_CSS[paper]}; }}"
                "@page { @top-left { content: none; } @top-right { content: none; } "
                "@bottom-center { content: counter(page, lower-roman); } }"
                "@page :first { @bottom-center { content: none; } }" + CENTRED_FOLIOS)
    return (
        f'<!DOCTYPE html><html lang="{parts.esc(front.lang)}" class="paper-{paper} pack-front">'
        f"<head>{print_head(front.title, front.editors, front.description, front.keywords, epoch, page_css)}</head><body>"
        f"{title_page(front)}{contents}{preface}</body></html>"
    )


# A volume's folios are centred (folio_html draws them over the articles' pages, whose parity the
# volume decides): print.css's outside folios are switched off on the volume's own pages.
CENTRED_FOLIOS = "@page :left { @bottom-left { content: none; } } @page :right { @bottom-right { content: none; } }"


def folio_html(numbers: list[int], paper: str, lang: str) -> str:
    """One page per number, blank but for the number where an article's own folio would be."""
    pages = "".join(f'<div class="folio-page" data-folio="{number}"></div>' for number in numbers)
    css = (".folio-page { string-set: folio attr(data-folio); break-after: page; height: 1px; }"
           "@page { @top-left { content: none; } @top-right { content: none; } @bottom-center { content: string(folio); } }"
           + CENTRED_FOLIOS)
    return (f'<!DOCTYPE html><html lang="{parts.esc(lang)}" class="paper-{paper} pack-folios"><head><meta charset="utf-8">'
            f"<title>folios</title><style>{font_face_css()}@page {{ size: {PAPER_CSS[paper]}; }}{css}</style></head>"
            f"<body>{pages}</body></html>")


def _laid_out(cache: OutputCache, name: str, markup: str, options: dict[str, Any], origin: Origin, identifier: str) -> Path:
    key = digest(markup, code_digest(), str(options.get("pdf_variant")), str(options.get("tagged", True)),
                 str(options["source_date_epoch"]))
    if cache.get(name, key) is None:
        cache.put(name, key, _written(cache, name, submit_markup(markup, options, origin, identifier)))
    return cache.root / name


def volume_pdf(spec: PackSpec, front: Front, docs: list[ResolvedDocument], paper: str, target: Path,
               options: dict[str, Any], cache: OutputCache, recto_starts: bool = False,
               sent: Layouts | None = None) -> list[int]:
    """Write the volume on `paper` to `target`; return each article's first page number. `sent`:
    the articles' layouts on that paper, if send_layouts has sent them already."""
    layouts = collect_layouts(spec, sent or send_layouts(spec, docs, paper, options, cache), cache)
    counts = [_page_count(path) for path in layouts]
    # Page numbers: from 1 at the first article; in the booklet an article that would start on a
    # left-hand (even) page is preceded by a blank page, counted but not numbered.
    starts, blanks, number = [], [], 1
    for count in counts:
        blank = recto_starts and number % 2 == 0
        number += blank
        blanks.append(blank)
        starts.append(number)
        number += count
    entries = [Entry(doc, start, prefix(doc.article.slug) + "title-block") for doc, start in zip(docs, starts)]
    origin = Origin(spec.path.parent, spec.path)
    epoch = options["source_date_epoch"]
    front_pdf = _laid_out(cache, f"front-{paper}.pdf", front_html(spec, front, entries, paper, epoch),
                          dict(options, paper=paper), origin, spec.identifier)
    numbers = [n for start, count in zip(starts, counts) for n in range(start, start + count)]
    folios = _laid_out(cache, f"folios-{paper}.pdf", folio_html(numbers, paper, front.lang),
                       dict(options, paper=paper, pdf_variant=None, tagged=False), origin, spec.identifier)
    if recto_starts and blanks and _page_count(front_pdf) % 2:
        blanks[0] = True  # the first article is page 1, a right-hand page: the title pages end even
    assemble(front_pdf, [Part(path, prefix(doc.article.slug), doc.article.metadata.lang, blank)
                         for path, doc, blank in zip(layouts, docs, blanks)],
             folios, target, epoch=epoch)
    return starts

