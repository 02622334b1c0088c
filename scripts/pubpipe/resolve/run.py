"""The resolve step: pandoc runs once per article, with citeproc and one CSL style.

Everything the editions show that depends on the citation style (in-text citations, notes, the
bibliography, the "Originally published in" entry) is produced here, in one pandoc process, by
the custom writer `lua/resolve.lua`. The editions only re-package this HTML; none of them
formats a citation, so they cannot disagree about one.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from pubpipe.errors import ArticleError, BibliographyError, PubpipeError, ToolError, UnsafeContentError
from pubpipe.load.article import Article
from pubpipe.load.links import check_links
from pubpipe.load.sanitize import check_document
from pubpipe.resolve import conditional, crossref, math
from pubpipe.resolve.document import Field, ResolvedDocument
from pubpipe.resolve.pandoc import filters_environment, pandoc_command, pandoc_input, run_pandoc
from pubpipe.resolve.pdf_figures import render_figures
from pubpipe.resolve.styles import installed_styles_folder, resolve_style

if TYPE_CHECKING:
    from pubpipe.runtime.cache import OutputCache

MISSING_CITATION = re.compile(r"Citeproc: citation (\S+) not found")


def _field(value: dict | None) -> Field | None:
    if not value or value.get("html") is None:
        return None
    return Field(html=math.add_alttext(value["html"].strip()), text=value["text"].strip())


def _entry(entry: dict | None, form: str) -> str | None:
    """A formatted record's HTML or its text (formulas in Unicode), None when there is none."""
    return ((entry or {}).get(form) or "").strip() or None


def _style(article: Article, cli_style: str | None) -> Path:
    meta = article.metadata
    try:
        return resolve_style(cli_style, meta.csl, article.folder, article.source, field=meta.csl_field)
    except PubpipeError as exc:
        if not cli_style and meta.csl and exc.line is None and exc.path in (None, article.source):
            exc.path, exc.line = article.source, article.line_of(f"{meta.csl_field}:")
        raise


def _citation_line(article: Article, key: str, with_locator: bool = False) -> int | None:
    """The line of `@key` in article.md, where `@key` is not the start of a longer key; with
    `with_locator`, of the first `@key [locator]`, else of `@key`."""
    pattern = re.compile(r"@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)" + (r"\}?\s*\[" if with_locator else ""))
    for number, line in enumerate(article.text.split("\n"), start=1):
        if pattern.search(line):
            return number
    return _citation_line(article, key) if with_locator else article.line_of("@" + key)


def _outside_brackets(article: Article, key: str, line: int | None) -> bool:
    """`@key` stands in the prose, not in [brackets]: a citation written in the text, or an at
    sign that was never meant as one (pandoc reads `@octocat` as a citation)."""
    if line is None:
        return False
    text = article.text.split("\n")[line - 1]
    at = text.find("@" + key)
    before = text[:at] if at >= 0 else ""
    return before.rfind("[") <= before.rfind("]")


def _dropped_raw(article: Article, items: list[dict]) -> list[str]:
    """Warnings for raw LaTeX and other non-HTML raw content, which pandoc's HTML writer drops."""
    warnings = []
    for item in items:
        text = (item.get("text") or "").strip()
        line = article.line_of(text.split("\n")[0]) if text else None
        where = f"line {line}: " if line else ""
        warnings.append(f"{where}raw {item.get('format')} ({text[:40]!r}) is left out of every edition")
    return warnings


def _wiki_links(article: Article, items: list[dict]) -> list[str]:
    """Warnings for Zettlr's and Obsidian's wiki links, whose label the editions show as text
    (lua/resolve.lua): the note they name is in the writer's vault, not in the article."""
    warnings, seen = [], set()
    for item in items:
        target, label = item.get("target") or "", item.get("label") or ""
        if (target, label) in seen:
            continue
        seen.add((target, label))
        line = article.line_of("[[" + target)
        where = f"line {line}: " if line else ""
        warnings.append(
            f"{where}the wiki link [[{target}]] names a note of your own vault, which no edition carries; "
            f"'{label}' is shown as plain text (link to a web address, [{label}](https://…), if readers should follow it)")
    return warnings


def _refuse_bibliography_images(article: Article, images: list[dict]) -> None:
    """A reference with an image (\\includegraphics in a BibTeX field): refused at the entry's line."""
    if not images:
        return
    key, src = images[0].get("key", ""), images[0].get("src", "")
    entry = next((entry for entry in article.bibliography_entries if entry.key == key), None)
    raise BibliographyError(
        f"the bibliography entry '{key}' holds an image ({src[:60]}); a reference list shows no images, "
        "and this one would have no description",
        path=entry.path if entry else article.source, line=entry.line if entry else None,
        hint="remove the image (\\includegraphics, or a Markdown image) from that entry's fields",
    )


def is_note_style(style: Path) -> bool:
    """A CSL style that puts citations in notes declares `class="note"` on its root element."""
    head = style.read_text(encoding="utf-8", errors="replace")[:4000]
    return re.search(r"<style\b[^>]*\bclass\s*=\s*[\"']note[\"']", head) is not None


def _citation_warnings(article: Article, style: Path, cases: list[dict]) -> list[str]:
    """The citation forms a style garbles (see citation_cases in lua/resolve.lua), with their lines."""
    warnings = []
    note_style = is_note_style(style)
    for case in cases:
        key, suffix = case.get("key", ""), " ".join((case.get("suffix") or "").split())
        if case.get("kind") == "author-in-text" and note_style:
            # The use with this locator, not the key's first use.
            line = _citation_line(article, key, with_locator=True)
            warnings.append(
                f"line {line}: '@{key} [{suffix}]' puts the author in the text and the rest in a note, which "
                f"then lacks the author (and a repeated one is empty); write '[@{key}, {suffix}]'")
        elif case.get("kind") == "volume":
            line = article.line_of(suffix.lstrip(", ")) or _citation_line(article, key)
            warnings.append(
                f"line {line}: the locator '{suffix.lstrip(', ')}' of @{key} repeats the item's own volume "
                f"({case.get('volume')}), which the style prints too; give only the page: '[@{key}, "
                f"{suffix.split(':', 1)[1].strip()}]'")
    return warnings


# The keys that make pandoc's citeproc read a file or fetch a URL (lua/read.lua takes them out).
READ_OR_FETCH = ("bibliography", "csl", "citation-style", "citation-abbreviations")
DELIMITER = re.compile(r"^[\s>]*(---|\.\.\.)[ \t]*$")


CITEPROC_FAILURE = re.compile(r"Citeproc\w*Error\W*(.*)", re.S)
ABBREVIATIONS_FAILURE = re.compile(r"Could not parse abbreviations file \S+\s*(.*)", re.S)


def _citeproc_failure(exc: ToolError, article: Article, style: Path) -> PubpipeError:
    """citeproc refusing the style (or the abbreviations) is a fault of that file, not of pandoc:
    name the file (pandoc does not) with citeproc's reason."""
    abbreviations = ABBREVIATIONS_FAILURE.search(exc.message)
    found = abbreviations or CITEPROC_FAILURE.search(exc.message)
    if not found:
        return exc
    if abbreviations and article.metadata.citation_abbreviations:
        path, what = article.folder / article.metadata.citation_abbreviations, "citation abbreviations file"
        hint = "it must be JSON as pandoc's manual shows: {\"default\": {\"container-title\": {\"Full\": \"Short\"}}}"
    else:
        path, what = style, "CSL style"
        hint = "fix the style (see the CSL specification), or name an installed style instead (see `pubpipe styles`)"
    reason = " ".join(found.group(1).split())
    return BibliographyError(f"citeproc cannot use this {what}: {reason[:300]}", path=path, hint=hint)


def _hidden_metadata(article: Article, keys: list[str]) -> PubpipeError:
    """The error for metadata blocks that pandoc found after the front matter (lua/read.lua).

    pandoc found them, so they are certain; their line is found here, as the first line of the
    body that sets one of their keys, or the '---' that opens that block.
    """
    lines = article.text.split("\n")
    body = range(article.body_start_line - 1, len(lines))
    setters = [re.compile(rf"^[\s>*+-]*['\"]?{re.escape(key)}['\"]?\s*:") for key in keys]
    line = next((index for index in body if any(p.match(lines[index]) for p in setters)), None)
    if line is not None:
        opening = next((index for index in range(line - 1, body.start - 1, -1) if DELIMITER.match(lines[index])), None)
        line = opening if opening is not None else line
    named = ", ".join(f"'{key}'" for key in keys)
    unsafe = [key for key in keys if key in READ_OR_FETCH]
    error = UnsafeContentError if unsafe else ArticleError
    return error(
        f"a second YAML metadata block in the body sets {named}; pandoc would obey it, but only the "
        f"front matter at the top of {article.source.name} may set metadata",
        path=article.source,
        line=line + 1 if line is not None else article.body_start_line,
        hint="move these keys into the front matter; if the '---' lines are meant as horizontal rules, "
        "put a blank line after the first one or write '***' instead",
    )


NOTE_MARK = re.compile(r"\^\[|\[\^[^\]\s]+\]")


def _note_in_front_matter(article: Article, key: str) -> ArticleError:
    """A note in a front-matter field (lua/resolve.lua finds it): refused at the line of its mark,
    since a field is repeated where a note cannot follow it (the page's title, the Cite box, the
    metadata), and in the title block its number would clash with the body's first note."""
    lines = article.text.split("\n")[:article.body_start_line - 1]
    keys = ("author", "authors") if key == "author" else ("affiliations", "institute") if key == "affiliations" else (key,)
    start = next((index for index, line in enumerate(lines)
                  if re.match(rf"^\s*(?:{'|'.join(keys)})\s*:", line)), None)
    mark = next((index for index in range(start or 0, len(lines)) if NOTE_MARK.search(lines[index])), None) \
        if start is not None else None
    line = mark if mark is not None else start
    return ArticleError(
        f"the front matter's '{key}' has a note (^[…] or [^…]); no edition can show a note there: its "
        "number would clash with the text's own notes, and the field is repeated where a note cannot "
        "follow it (the page's title, 'Cite this article', the metadata)",
        path=article.source,
        line=line + 1 if line is not None else None,
        hint="take the note out of the front matter and put its words in the text: a funding or "
        "thanks statement in an 'Acknowledgements' section, an author's note after the abstract",
    )


def resolve(article: Article, cli_style: str | None = None, cache: OutputCache | None = None) -> ResolvedDocument:
    """`cache`: where pandoc's output for the same inputs may already be (a course pack keeps its
    articles' outputs, so that changing one article runs pandoc for that one alone)."""
    style = _style(article, cli_style)
    command = pandoc_command(article, style)

    def run() -> tuple[str, str]:
        try:
            return run_pandoc(command, cwd=article.folder, reads=[style, installed_styles_folder()],
                              stdin=pandoc_input(article), env=filters_environment(article))
        except ToolError as exc:
            raise _citeproc_failure(exc, article, style) from None

    stdout, stderr = run() if cache is None else cache.pandoc_output(article, style, command, run)
    math.check_conversions(article, stderr)
    warnings = ["pandoc: " + line.strip() for line in stderr.splitlines() if line.strip()]
    data = json.loads(stdout)
    if data.get("metadata_notes"):
        raise _note_in_front_matter(article, data["metadata_notes"][0])
    if data.get("hidden_metadata"):
        # Before the citations: a hidden block that names a bibliography is why its keys are missing.
        raise _hidden_metadata(article, data["hidden_metadata"])
    missing = [match.group(1) for line in warnings if (match := MISSING_CITATION.search(line))]
    if missing:
        key = missing[0]
        others = f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        close = difflib.get_close_matches(key, article.citation_keys, n=3, cutoff=0.6)
        line = _citation_line(article, key)
        if close:
            hint = f"did you mean {' or '.join(f'@{name}' for name in close)}? Otherwise add the work to the bibliography file"
        elif _outside_brackets(article, key, line):
            hint = (f"if '@{key}' is not meant as a citation (a GitHub or social-media handle, say), "
                    f"escape the at sign: \\@{key}; if it is, add the work to the bibliography file")
        else:
            hint = "add the work to the bibliography file, or correct the key after '@'"
        raise BibliographyError(
            f"citation key '{key}' is not in the bibliography{others}",
            path=article.source,
            line=line,
            hint=hint,
        )
    math.refuse_raw_mathml(article, data.get("math"))
    targets, notices = crossref.check_targets(article, data.get("crossref"))
    warnings += notices
    title = _field(data.get("title"))
    if title is None:
        raise ToolError("pandoc returned no title; the resolve writer and the article disagree")
    warnings = math.text_as_tex(article, warnings, data.get("text_as_tex") or [])
    _refuse_bibliography_images(article, data.get("bibliography_images") or [])
    warnings += _dropped_raw(article, data.get("dropped_raw") or [])
    warnings += _wiki_links(article, data.get("wiki_links") or [])
    warnings += conditional.notices(data.get("conditional"))
    warnings += _citation_warnings(article, style, data.get("citation_cases") or [])
    document = ResolvedDocument(
        article=article,
        style=style,
        body_html=math.add_alttext(data["body"]),
        title=title,
        subtitle=_field(data.get("subtitle")),
        authors=[field for item in data.get("authors") or [] if (field := _field(item))],
        date=_field(data.get("date")),
        rights=_field(data.get("rights")),
        description=_field(data.get("description")),
        keywords=[field for item in data.get("keywords") or [] if (field := _field(item))],
        original_entry_html=_entry(data.get("original_entry"), "html"),
        original_entry_text=_entry(data.get("original_entry"), "text"),
        record_titles={key: value.strip() for key, value in (data.get("record_titles") or {}).items() if value},
        original_exports=data.get("original_exports") or {},
        pandoc_version=data.get("pandoc_version", ""),
        warnings=warnings,
        affiliations=[field for item in data.get("affiliations") or [] if (field := _field(item))],
        abstract=_field(data.get("abstract")),
        own_entry_html=_entry(data.get("own_entry"), "html"),
        targets=targets,
        rendered_figures=render_figures(article, data.get("pdf_figures") or []),
    )
    check_document(document, cache)  # the raw-HTML policy, once for all editions (pubpipe.load.sanitize)
    check_links(document)  # links that would break in the editions (pubpipe.load.links)
    return document
