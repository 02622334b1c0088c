"""The front-matter keys we know: the ones the editions use and the ones other tools define.

A key nobody defines is most often a typo (`autor:`, `bibliografy:`) whose value is then lost
without a word, so it is reported with its line and the nearest known key. A key that pandoc,
Quarto, R Markdown, JOSS, pandoc-scholar, pandoc-crossref, Zettlr or the Programming Historian
define, and that has no place in our editions (`format:`, `toc:`, `difficulty:`), is no mistake:
it is ignored without a warning, and `pubpipe -v` lists what was ignored. pandoc-crossref's and
Quarto's cross-reference settings are read, or reported when not followed, by load/crossref_words.py.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from pubpipe.load.crossref_words import HONOURED_KEYS, REPORTED_KEYS

# What the editions show or obey. `authors`, `affiliations`, `institute`: pubpipe.load.authors;
# `tags` become keywords when there are none; `doi` and `citation` feed "Cite this article".
USED = {
    "title", "subtitle", "author", "authors", "affiliations", "institute", "institutes", "date", "lang",
    "rights", "copyright", "license", "description", "abstract", "keywords", "tags", "identifier", "doi",
    "paper", "csl", "bibliography", "references", "nocite", "original", "citation-abbreviations",
    "link-citations", "link-bibliography", "reference-section-title", "suppress-bibliography",
    "notes-after-punctuation", "lang", "citation", "publisher", "container-title", "url",
} | HONOURED_KEYS  # pandoc-crossref's and Quarto's words for captions and references: load/crossref_words.py

# Keys that other tools define and that have no place in our editions, by who defines them.
IGNORED = {
    "pandoc": {
        "subject", "dir", "category", "toc", "toc-depth", "lof", "lot",
        "header-includes", "include-before", "include-after", "css", "title-prefix", "pagetitle",
        "author-meta", "date-meta", "thanks", "documentclass", "classoption", "geometry", "papersize",
        "fontsize", "fontfamily", "fontfamilyoptions", "mainfont", "sansfont", "monofont", "mathfont",
        "mainfontoptions", "sansfontoptions", "monofontoptions", "mathfontoptions", "CJKmainfont",
        "CJKoptions", "linestretch", "linkcolor", "urlcolor", "citecolor", "toccolor", "filecolor",
        "colorlinks", "numbersections", "secnumdepth", "indent", "pagestyle", "margin-left",
        "margin-right", "margin-top", "margin-bottom", "fontenc", "babel-lang", "babel-otherlangs",
        "polyglossia-lang", "polyglossia-otherlangs", "hyperrefoptions", "biblio-title", "biblio-style",
        "biblatexoptions", "natbiboptions", "cover-image", "belongs-to-collection", "group-position",
        "creator", "contributor", "type", "format", "source", "relation", "coverage", "ibooks",
        "page-progression-direction", "accessModes", "accessModeSufficient", "accessibilityFeatures",
        "accessibilityHazards", "accessibilitySummary", "epub-cover-image", "document-css", "max-width",
        "backgroundcolor", "fontcolor", "monobackgroundcolor", "highlighting-macros", "beamerarticle",
        "aspectratio", "theme", "colortheme", "fonttheme", "innertheme", "outertheme", "institute",
        "logo", "navigation", "section-titles", "titlegraphic", "revealjs-url", "slideNumber",
        "keywords", "lang", "translator", "editor", "version", "zotero", "citeproc", "variables",
        "metadata", "filters", "pdf-engine", "pdf-engine-opts", "template", "data-dir", "defaults",
        "mathjax", "katex", "webtex", "highlight-style", "section-divs", "strip-comments",
        "extract-media", "reference-doc", "resource-path", "pandoc_args", "graphics", "tables",
        "links-as-notes", "hyperref", "block-headings", "csquotes", "microtypeoptions", "subparagraph",
    },
    "Quarto": {
        "execute", "jupyter", "engine", "knitr", "editor", "number-sections", "number-depth",
        "number-offset", "date-format", "date-modified", "funding", "citation-location",
        "reference-location", "fig-cap-location", "tbl-cap-location", "cap-location",
        "title-block-banner", "title-block-style", "title-block-categories", "categories", "image",
        "image-alt", "draft", "execute-dir", "code-fold", "code-tools", "code-overflow", "echo",
        "warning", "error", "output", "fig-width", "fig-height", "fig-format", "fig-dpi", "fig-align",
        "lightbox", "include-in-header", "include-before-body", "include-after-body", "shortcodes",
        "google-scholar", "appendix-style", "keep-tex", "keep-md", "keep-ipynb", "self-contained",
        "embed-resources", "order", "aliases", "sidebar", "comments", "freeze", "params", "resources",
        "journal", "other-links", "code-links", "notebook-links", "title-meta", "smooth-scroll",
        "anchor-sections", "page-layout", "grid", "mainfont", "citeproc", "bibliographystyle",
        "cite-method", "fig-pos", "tbl-colwidths", "df-print", "toc-location", "toc-expand",
        "highlight-style", "code-line-numbers", "code-block-bg", "code-block-border-left", "html-math-method",
        "search", "website", "project", "book", "listing", "pdf-engine", "quarto-required", "keep-yaml",
    },
    "R Markdown / bookdown": {
        "output", "knit", "site", "runtime", "vignette", "editor_options", "always_allow_html",
        "github-repo", "cover-image", "biblio-style", "documentclass", "classoption", "params",
        "bibliography", "link-citations", "colorlinks", "graphics", "mainfont", "fontsize",
        "rmd_files", "book_filename", "delete_merged_file", "new_session", "before_chapter_script",
        "favicon", "apple-touch-icon", "apple-touch-icon-size", "twitter-handle", "subparagraph",
        "affiliation", "abstract", "thanks", "keywords", "header-includes", "lof", "lot",
    },
    "JOSS": {
        "aas-doi", "aas-journal", "journal", "editor", "reviewers", "submitted", "published", "volume",
        "issue", "page", "software_repository_url", "archive_doi", "formatted_doi", "paper_url",
        "review_issue_url", "software_review_url", "citation_author", "draft", "article", "repository",
        "archive", "equal-contrib", "software-repository",
    },
    "pandoc-scholar": {"project", "link-citations", "institute", "institutes", "journal"},
    "Zettlr": {"id", "tags", "zkn", "projects"},
    "Programming Historian": {
        "collection", "layout", "slug", "reviewers", "editors", "translator", "translation_date",
        "translation-editor", "translation-reviewer", "review-ticket", "difficulty", "activity",
        "topics", "avatar_alt", "original", "lesson-partners", "partnership-url", "mathjax",
        "redirect_from", "exclude_from_check", "lesson-testers", "tested_date", "series_total",
        "sequence", "retired", "retirement-reason", "categories", "doi",
    },
}

# Keys of other tools that change what the reader sees, which the editions do not follow: not
# listed as another tool's business (pubpipe -v) but reported with their line, since the
# editions then differ from what the author asked for.
NOT_FOLLOWED = {
    "date-format": "the editions show the date as the front matter writes it; write it in the form you want",
    "number-sections": "headings carry no numbers (a section is referred to by its title)",
    "numbersections": "headings carry no numbers (a section is referred to by its title)",
    "toc": "the web page has no table of contents (the EPUB's is its navigation, the PDF's its bookmarks)",
}
for keys in IGNORED.values():
    keys.difference_update(NOT_FOLLOWED)

# pandoc-crossref's settings that pubpipe does not follow are reported by load/crossref_words.py.
KNOWN = USED | REPORTED_KEYS | NOT_FOLLOWED.keys() | {key for keys in IGNORED.values() for key in keys}


def unknown_keys(front: dict[str, Any]) -> list[tuple[Any, str | None]]:
    """(key as loaded, nearest known key or None) for each top-level key that no convention defines."""
    found = []
    for key in front:
        name = str(key)
        if name in KNOWN or name.startswith(("x-", "_")):
            continue
        nearest = difflib.get_close_matches(name, sorted(KNOWN), n=1, cutoff=0.6)
        found.append((key, nearest[0] if nearest else None))
    return found


def not_followed(front: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, why) for each key of NOT_FOLLOWED that asks for something (not false, not empty)."""
    return [(key, NOT_FOLLOWED[key]) for key in front if key in NOT_FOLLOWED and front[key] not in (False, None, "", [])]


def ignored_keys(front: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, the convention that defines it) for each key that is known but not used."""
    found = []
    for key in front:
        name = str(key)
        if name in USED:
            continue
        owner = next((who for who, keys in IGNORED.items() if name in keys), None)
        if owner:
            found.append((name, owner))
    return found


def describe_ignored(pairs: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{key} ({owner})" for key, owner in pairs)
