"""Running pandoc: the binary that the pypandoc-binary wheel ships, under a time and a memory limit.

We locate pandoc through pypandoc but run it with subprocess ourselves, because we need its
warnings (a missing citation key is only a warning), a time limit and a memory limit, none of which
pypandoc's convert functions expose.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Iterable

from pubpipe.errors import BibliographyError, LimitError, ToolError, UsageError
from pubpipe.load.article import Article
from pubpipe.load.foreign_syntax import code_chunks_as_code_blocks
from pubpipe.resolve.conditional import mark_lines
from pubpipe.resolve.ids import RESERVED_IDS
from pubpipe.resolve.styles import installed_styles_folder
from pubpipe.runtime import sandbox
from pubpipe.runtime.limits import parse_seconds

LUA_READER = Path(__file__).parent / "lua" / "read.lua"
LUA_WRITER = Path(__file__).parent / "lua" / "resolve.lua"
# Run in this order, before citeproc: pandoc-scholar's typed citations become plain ones, Quarto's
# page breaks and meta shortcodes are expanded, raw TeX
# math environments become formulas, Quarto's callouts boxes (so that their titles are no
# sections), code chunks code blocks without Quarto's option lines, then labels are numbered and
# references resolved, so that @fig:x never reaches citeproc as a citation key.
LUA_FILTERS = tuple(Path(__file__).parent / "lua" / name
                    for name in ("conditional.lua", "cito.lua", "bibtex_braces.lua", "shortcodes.lua", "math.lua", "callouts.lua", "chunks.lua", "crossref.lua"))
TIME_LIMIT_VAR = "PUBPIPE_PANDOC_TIMEOUT"
MEMORY_LIMIT_VAR = "PUBPIPE_PANDOC_MEMORY"
DEFAULT_TIME_LIMIT = "60"
DEFAULT_MEMORY_LIMIT = "1G"
RTS_SIZE = re.compile(r"^[0-9]+[kKmMgG]?$")
# pandoc's own parse of a bibliography (BibTeX, mostly, which is more forgiving in load/) fails so:
BIBLIOGRAPHY_ERROR = re.compile(
    r"Error reading bibliography file (?P<path>.+?):\s*\(line (?P<line>\d+), column (?P<column>\d+)\):\s*(?P<reason>[^\n]+)"
)


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
        raise UsageError(f"{MEMORY_LIMIT_VAR} must be a size such as 1G or 512M, not {memory!r}")
    return seconds, memory


def front_for_writer(article: Article) -> str:
    """What the load step read from the front matter's many forms, for lua/resolve.lua to render:
    pandoc itself knows only its own `author:` form, and would show R code or Quarto's `today`
    as a date."""
    from pubpipe.load.citation import own_record

    meta = article.metadata
    return json.dumps({
        "own_record": None if meta.original_record else own_record(meta, article.slug),
        "authors": meta.author_names,
        "affiliations": meta.affiliations,
        "keywords": meta.keywords,
        "date_shown": meta.date_shown,
        # the statement as written, or made of Quarto's copyright: and license: (load/rights.py)
        "rights": meta.rights,
    }, ensure_ascii=False)


def filters_environment(article: Article) -> dict[str, str]:
    """The filters' settings, passed to pandoc as environment variables: the words they write in
    the article's language, and what else they need to know of the article."""
    from pubpipe.load.foreign_syntax import OWN_PREFIX, SET_BY_THE_BUILD
    from pubpipe.resolve import callouts, crossref

    hidden = {"PUBPIPE_META_HIDDEN": json.dumps({"keys": list(SET_BY_THE_BUILD), "prefix": OWN_PREFIX})}
    return {**callouts.filter_environment(article), **crossref.filter_environment(article), **hidden}


def pandoc_command(article: Article, style: Path) -> list[str]:
    """pandoc's command line. The keys that make citeproc read or fetch (bibliography, csl,
    citation-abbreviations) are set here alone, from the load step's validated values: the
    reader (lua/read.lua) removes whatever the article itself gave pandoc for them."""
    command = [
        pandoc_path(),
        # -A64m: a larger allocation area means fewer garbage collections; on a 50-times longer
        # article pandoc runs about 15% faster, at about 25 MB more memory.
        "+RTS", f"-M{pandoc_limits()[1]}", "-A64m", "-RTS",
        "-",  # the article, as pandoc_input gives it
        f"--from={LUA_READER}",
        f"--to={LUA_WRITER}",
        *(f"--lua-filter={path}" for path in LUA_FILTERS),
        "--citeproc",
        # Formulas as MathML for the web and the EPUB; the PDF draws the same TeX (editions/math_svg.py).
        "--mathml",
        f"--csl={style}",
        "--wrap=none",
        # The article's title is the page's only h1; the article's own `#` headings become h2.
        "--shift-heading-level-by=1",
        "--sandbox",
        f"--metadata=pubpipe-front:{front_for_writer(article)}",
        # citeproc looks for a style's parent here first, by name (pubpipe.resolve.styles), and
        # for nothing else: bibliographies and abbreviations are given by absolute paths.
        f"--resource-path={installed_styles_folder()}",
        # The ids an author's element may not have; resolve.lua renames such elements.
        f"--variable=reserved-ids:{','.join(RESERVED_IDS)}",
    ]
    for bibliography in article.metadata.bibliography:
        command.append(f"--bibliography={(article.folder / bibliography).resolve()}")
    if article.metadata.citation_abbreviations:
        command.append(f"--citation-abbreviations={(article.folder / article.metadata.citation_abbreviations).resolve()}")
    return command


def pandoc_input(article: Article) -> bytes:
    """What pandoc reads on stdin: the front matter block as the load step found it, and the
    body on its own (lua/read.lua), its lines numbered as in article.md, its code chunks written
    as pandoc's code blocks (pubpipe.load.foreign_syntax), its conditional content marked with
    its lines (pubpipe.resolve.conditional)."""
    lines = article.text.split("\n")
    front_lines = article.body_start_line - 1
    parts = {
        "front": "\n".join(lines[:front_lines]) + "\n",
        "body": mark_lines("\n" * front_lines + code_chunks_as_code_blocks("\n".join(lines[front_lines:]))),
    }
    return json.dumps(parts).encode("ascii")


def run_pandoc(command: list[str], cwd: Path, reads: Iterable[Path] = (), timeout: float | None = None,
               stdin: bytes | None = None,
               env: dict[str, str] | None = None) -> tuple[str, str]:
    """Run pandoc under the time and memory limits, in the OS sandbox (runtime/sandbox.py) where it
    sees only `reads`, its own binary and the resolve writer, and no network; return (stdout, stderr).
    `env`: variables pandoc is given besides the few the sandbox passes (the filters' settings)."""
    limit, memory = pandoc_limits()
    timeout = timeout or limit
    view = [Path(command[0]), LUA_WRITER.parent, cwd, *reads]
    command = sandbox.wrap(command, read_only=view, tools=False, cwd=cwd, env=env)
    try:
        result = subprocess.run(command, cwd=cwd, input=stdin, capture_output=True, timeout=timeout, check=False,
                                env={**os.environ, **env} if env else None)
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
        if found := BIBLIOGRAPHY_ERROR.search(stderr):
            raise BibliographyError(
                f"malformed bibliography: {' '.join(found['reason'].split())} (column {found['column']})",
                path=found["path"], line=int(found["line"]),
                hint="look for an unbalanced brace or quote, or a missing comma, just before this point",
            )
        raise ToolError(f"pandoc failed: {stderr.strip() or 'exit status ' + str(result.returncode)}")
    return result.stdout.decode("utf-8"), stderr
