"""The element ids that are not the author's to give.

pandoc's HTML writer names its list of notes `footnotes`, each note `fnN` and each call `fnrefN`;
citeproc names the bibliography `refs` and each entry `ref-KEY`; the editions name the parts they
add (the title block, the body, the "Cite this article" box, the EPUB's navigation and colophon).
An author's heading called "Footnotes" gets the id `footnotes` from pandoc, and the editions would
then carry the id twice, which EPUBCheck (RSC-005) and the Nu checker refuse. The resolve step
therefore gives such an author's element the first free `ID-N` instead, and links to it follow
(lua/resolve.lua, `free_reserved_ids`). A test builds every edition and holds this list to them.
"""

from __future__ import annotations

# The editions' own ids (parts.py, html.py, epub.py, epub_pages.py, footnotes.py) and pandoc's
# `footnotes`. The numbered `fnN` and `fnrefN` are reserved by pattern in resolve.lua; `refs` and
# `ref-KEY` belong to citeproc's elements, which keep them.
RESERVED_IDS = (
    "article", "article-body", "article-title", "cite-this", "cite-this-heading", "colophon",
    "colophon-heading", "footnotes", "footnotes-heading", "landmarks", "landmarks-heading", "main",
    "refs-end", "rights", "title-block", "titlepage", "toc", "toc-heading",
)
