"""The resolve step: pandoc runs once per article, with citeproc and one CSL style.

Everything the editions show that depends on the citation style (in-text citations, notes, the
bibliography, the "Originally published in" entry) is produced here, in one pandoc process, by
the custom writer `lua/resolve.lua`. The editions only re-package this HTML; none of them
formats a citation, so they cannot disagree about one.

pandoc is the binary that the pypandoc-binary wheel ships; we locate it through pypandoc but run it
with subprocess ourselves, because we need its warnings (a missing citation key is only a
warning), a time limit and a memory limit, none of which pypandoc's convert functions expose.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pubpipe.article import Article
from pubpipe.errors import BibliographyError, LimitError, ToolError
from pubpipe.limits import parse_seconds
from pubpipe.sanitize import check_document
from pubpipe.styles import resolve_style

LUA_WRITER = Path(__file__).parent / "lua" / "resolve.lua"
TIME_LIMIT_VAR = "PUBPIPE_PANDOC_TIMEOUT"
MEMORY_LIMIT_VAR = "PUBPIPE_PANDOC_MEMORY"
DEFAULT_TIME_LIMIT = "60"
DEFAULT_MEMORY_LIMIT = "1G"
RTS_SIZE = re.compile(r"^[0-9]+[kKmMgG]?$")
MISSING_CITATION = re.compile(r"Citeproc: citation (\S+) not found")


@dataclass(frozen=True)
class Field:
    """A metadata value rendered once by pandoc: `html` for display, `text` for metadata slots."""

    html: str
    text: str


@dataclass(frozen=True)
class ResolvedDocument:
    article: Article
    style: Path
    body_html: str
    title: Field
    subtitle: Field | None
    authors: list[Field]
    date: Field | None
    rights: Field | None
    description: Field | None
    keywords: list[Field]
    original_entry_html: str | None
    pandoc_version: str
    warnings: list[str]

    @property
    def style_name(self) -> str:
        return self.style.stem


@functools.cache
def pandoc_path() -> str:
    """The pandoc that the pypandoc-binary wheel ships, found without importing pypandoc (whose
    import, urllib and all, cost 35 ms of every build); pypandoc's own search is the fallback."""
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        shipped = Path(folder) / "files" / "pandoc"
        if shipped.is_file() and os.access(shipped, os.X_OK):
            return str(shipped)
    import pypandoc

    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        raise ToolError(
            "pandoc was not found",
            hint="run `make` to install the pypandoc-binary package into .venv",
        ) from None


def pandoc_limits() -> tuple[float, str]:
    """(seconds, GHC heap size) for pandoc, read at each run so a caller or a test can set them."""
    seconds = parse_seconds(os.environ.get(TIME_LIMIT_VAR, DEFAULT_TIME_LIMIT), TIME_LIMIT_VAR)
    memory = os.environ.get(MEMORY_LIMIT_VAR, DEFAULT_MEMORY_LIMIT).strip()
    if not RTS_SIZE.match(memory):
        raise LimitError(f"{MEMORY_LIMIT_VAR} must be a size such as 1G or 512M, not {memory!r}")
    return seconds, memory


def pandoc_command(article: Article, style: Path) -> list[str]:
    command = [
        pandoc_path(),
        # -A64m: a larger allocation area means fewer garbage collections; on a 50-times longer
        # article pandoc runs about 15% faster, at about 25 MB more memory.
        "+RTS", f"-M{pandoc_limits()[1]}", "-A64m", "-RTS",
        str(article.source),
        "--from=markdown",
        f"--to={LUA_WRITER}",
        "--citeproc",
        f"--csl={style}",
        "--wrap=none",
        # The article's title is the page's only h1; the article's own `#` headings become h2.
        "--shift-heading-level-by=1",
        "--sandbox",
    ]
    for bibliography in article.metadata.bibliography:
        command.append(f"--bibliography={(article.folder / bibliography).resolve()}")
    return command


def run_pandoc(command: list[str], cwd: Path, timeout: float | None = None) -> tuple[str, str]:
    """Run pandoc under the time and memory limits; return (stdout, stderr)."""
    limit, memory = pandoc_limits()
    timeout = timeout or limit
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise LimitError(
            f"pandoc took longer than the time limit of {timeout:g} s",
            hint="the input may be pathological (deeply nested brackets, for instance); "
            f"raise the limit with {TIME_LIMIT_VAR} if the article is simply very long",
        ) from None
    except OSError as exc:
        raise ToolError(f"cannot run pandoc: {exc.strerror}", hint="run `make` to reinstall .venv") from None
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode == 251 or "Heap exhausted" in stderr:
        # GHC raises a limit below the binary's built-in -H to that size, and says so.
        effective = re.search(r"maximum heap size is \d+ bytes \(([^)]+)\)", stderr)
        actual = f" (in effect {effective.group(1)})" if effective and effective.group(1).replace(" ", "") != f"{memory}B" else ""
        raise LimitError(
            f"pandoc ran out of its memory limit of {memory}{actual}",
            hint=f"raise the limit with {MEMORY_LIMIT_VAR} (for example 2G) if the article is very large",
        )
    if result.returncode != 0:
        raise ToolError(f"pandoc failed: {stderr.strip() or 'exit status ' + str(result.returncode)}")
    return result.stdout.decode("utf-8"), stderr


def _field(value: dict | None) -> Field | None:
    if not value or value.get("html") is None:
        return None
    return Field(html=value["html"].strip(), text=value["text"].strip())


def _style(article: Article, cli_style: str | None) -> Path:
    try:
        return resolve_style(cli_style, article.metadata.csl, article.folder, article.source)
    except BibliographyError as exc:
        if exc.path is None and not cli_style and article.metadata.csl:
            exc.path, exc.line = article.source, article.line_of("csl:")
        raise


def _citation_line(article: Article, key: str) -> int | None:
    """The line of `@key` in article.md, where `@key` is not the start of a longer key."""
    pattern = re.compile(r"@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)")
    for number, line in enumerate(article.text.split("\n"), start=1):
        if pattern.search(line):
            return number
    return article.line_of("@" + key)


def _dropped_raw(article: Article, items: list[dict]) -> list[str]:
    """Warnings for raw LaTeX and other non-HTML raw content, which pandoc's HTML writer drops."""
    warnings = []
    for item in items:
        text = (item.get("text") or "").strip()
        line = article.line_of(text.split("\n")[0]) if text else None
        where = f"line {line}" if line else "the article"
        warnings.append(f"raw {item.get('format')} at {where} ({text[:40]!r}) is left out of every edition")
    return warnings


def resolve(article: Article, cli_style: str | None = None) -> ResolvedDocument:
    style = _style(article, cli_style)
    stdout, stderr = run_pandoc(pandoc_command(article, style), cwd=article.folder)
    warnings = [line.strip() for line in stderr.splitlines() if line.strip()]
    missing = [match.group(1) for line in warnings if (match := MISSING_CITATION.search(line))]
    if missing:
        key = missing[0]
        others = f" (and {len(missing) - 1} more: {', '.join(missing[1:])})" if len(missing) > 1 else ""
        close = difflib.get_close_matches(key, article.citation_keys, n=3, cutoff=0.6)
        suggestion = f"did you mean {' or '.join(f'@{name}' for name in close)}? Otherwise " if close else ""
        raise BibliographyError(
            f"citation key '{key}' is not in the bibliography{others}",
            path=article.source,
            line=_citation_line(article, key),
            hint=f"{suggestion}add the work to the bibliography file, or correct the key after '@'",
        )
    data = json.loads(stdout)
    title = _field(data.get("title"))
    if title is None:
        raise ToolError("pandoc returned no title; the resolve writer and the article disagree")
    warnings += _dropped_raw(article, data.get("dropped_raw") or [])
    document = ResolvedDocument(
        article=article,
        style=style,
        body_html=data["body"],
        title=title,
        subtitle=_field(data.get("subtitle")),
        authors=[field for item in data.get("authors") or [] if (field := _field(item))],
        date=_field(data.get("date")),
        rights=_field(data.get("rights")),
        description=_field(data.get("description")),
        keywords=[field for item in data.get("keywords") or [] if (field := _field(item))],
        original_entry_html=(data.get("original_entry") or "").strip() or None,
        pandoc_version=data.get("pandoc_version", ""),
        warnings=warnings,
    )
    check_document(document)  # the raw-HTML policy, once for all editions (pubpipe.sanitize)
    return document
