"""The volume on the web: an index page (`<name>.html`) and one page per article
(`articles/<slug>.html`).

An index and separate pages rather than one long page: each article page is the single-article
web edition (editions/html.py), self-contained and with its own notes, so it loads as fast as the
article alone, can be sent on its own, and keeps its ids without renaming; a reader moves through
the volume with the links above each article (contents, previous, next). The index carries the
volume's metadata (Dublin Core, description), its title page, its preface and the contents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pubpipe.editions import html as article_html
from pubpipe.editions import parts
from pubpipe.editions.direction import direction
from pubpipe.editions.metadata_tags import dublin_core
from pubpipe.labels import for_language, lang_attribute_for_english
from pubpipe.packs.front import Front
from pubpipe.packs.parts import preface_section, title_page
from pubpipe.packs.spec import PackSpec
from pubpipe.resolve import ResolvedDocument
from pubpipe.runtime.output import write_bytes_atomic
from pubpipe.runtime.paths import styles_dir

ARTICLES_FOLDER = "articles"


def article_href(slug: str) -> str:
    """An article's page, relative to the index."""
    return f"{ARTICLES_FOLDER}/{slug}.html"


def _navigation(spec: PackSpec, front: Front, docs: list[ResolvedDocument], index: int) -> str:
    """Above an article: back to the volume's contents, and to the articles before and after it."""
    labels = for_language(front.lang)
    links = [f'<a href="../{parts.esc(spec.name)}.html" rel="contents"><span{labels.lang_attribute}>'
             f"{parts.esc(labels.contents)}</span>: {front.title.html}</a>"]
    for offset, rel, arrow in ((-1, "prev", "←"), (1, "next", "→")):
        if 0 <= index + offset < len(docs):
            other = docs[index + offset]
            text = f"{arrow} {other.title.html}" if rel == "prev" else f"{other.title.html} {arrow}"
            links.append(f'<a href="{parts.esc(other.article.slug)}.html" rel="{rel}" '
                         f'lang="{parts.esc(other.article.metadata.lang)}">{text}</a>')
    return (f'<nav class="pack-navigation" aria-label="{parts.esc(front.title.text)}" lang="{parts.esc(front.lang)}">'
            f'<ul>{"".join(f"<li>{link}</li>" for link in links)}</ul></nav>\n')


def _contents(front: Front, docs: list[ResolvedDocument]) -> str:
    labels = for_language(front.lang)
    items = []
    for doc in docs:
        authors = ", ".join(author.html for author in doc.authors)
        summary = f'<p class="toc-description">{doc.description.html}</p>' if doc.description else ""
        items.append(
            f'<li lang="{parts.esc(doc.article.metadata.lang)}"><a class="toc-entry" href="{article_href(doc.article.slug)}">'
            f'<span class="toc-title">{doc.title.html}</span></a>'
            + (f' <span class="toc-authors">{authors}</span>' if authors else "")
            + f"{summary}</li>"
        )
    return (
        '<nav class="pack-contents" id="pack-contents" aria-labelledby="pack-contents-heading">'
        f'<h2 id="pack-contents-heading"{labels.lang_attribute}>{parts.esc(labels.contents)}</h2>'
        f'<ol class="toc">{"".join(items)}</ol></nav>'
    )


def _head(spec: PackSpec, front: Front) -> str:
    return "".join(dublin_core(front.title, front.editors, front.lang, spec.identifier, front.rights,
                               front.description, front.keywords, front.date.text if front.date else None, "Collection"))


def index_page(spec: PackSpec, front: Front, docs: list[ResolvedDocument]) -> str:
    labels = for_language(front.lang)
    css = (styles_dir() / article_html.STYLESHEET).read_text(encoding="utf-8")
    styles = ", ".join(sorted({doc.style_name for doc in docs}))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{parts.esc(front.lang)}" dir="{direction(front.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{parts.esc(front.title.text)}</title>\n{_head(spec, front)}"
        f"<style>\n{css}</style>\n</head>\n<body>\n"
        f'<a class="skip-link" href="#main"{labels.lang_attribute}>{parts.esc(labels.skip_to_article)}</a>\n'
        '<main id="main" class="pack-index">\n'
        f"{title_page(front)}\n{_contents(front, docs)}\n{preface_section(front, 'h2')}\n</main>\n"
        f'<footer class="page-footer"><p{lang_attribute_for_english(front.lang)}>Made from the articles’ sources with pandoc '
        f"{parts.esc(front.pandoc_version)}; citations in the CSL style {parts.esc(styles)}.</p></footer>\n"
        "</body>\n</html>\n"
    )


def write_html(spec: PackSpec, front: Front, docs: list[ResolvedDocument], folder: Path, options: dict[str, Any]) -> Path:
    """Write the index and every article page; the caller's edition set puts them in place together."""
    for index, doc in enumerate(docs):
        page = article_html.render(doc, navigation=_navigation(spec, front, docs, index))
        write_bytes_atomic(folder / article_href(doc.article.slug), page.encode("utf-8"))
    return write_bytes_atomic(folder / f"{spec.name}.html", index_page(spec, front, docs).encode("utf-8"))


def remove_pages_of_others(folder: Path, docs: list[ResolvedDocument]) -> None:
    """Pages of articles no longer in the pack: gone, so the folder holds the volume and no more."""
    kept = {f"{doc.article.slug}.html" for doc in docs}
    for page in (folder / ARTICLES_FOLDER).glob("*.html"):
        if page.name not in kept:
            page.unlink(missing_ok=True)
