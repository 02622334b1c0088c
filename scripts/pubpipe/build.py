"""Building the editions of one article: load, resolve once, render each requested edition.

The build is one thread. When a printed edition is wanted, the layout worker (runtime/layout.py)
is started first, so that it imports WeasyPrint while pandoc runs; the printed editions' layouts
are then sent to it before the HTML and EPUB are rendered here, so that the two overlap too.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.editions import EDITIONS, begin, output_path
from pubpipe.load.article import load_article
from pubpipe.resolve import ResolvedDocument, resolve
from pubpipe.runtime import layout
from pubpipe.runtime.cache import OutputCache
from pubpipe.runtime.output import edition_set, source_date_epoch

# The editions that WeasyPrint lays out, in the layout worker.
PRINTED = ("pdf", "handout", "press")
# A resolve warning that names its line first (resolve/run.py).
LINE_FIRST = re.compile(r"line (?P<line>\d+): (?P<rest>.*)", re.S)


def prepare(folder: Path, options: dict[str, Any], build_root: Path) -> tuple[ResolvedDocument, dict[str, Any]]:
    """Load and resolve once; return the document and the options with the article's date stamp.

    Separate from build_article so that `pubpipe watch` can put the HTML in place before it
    renders the slower editions from the same resolved document. pandoc's output is kept in the
    build's cache, keyed by everything it depends on: `make check` reads the editions against
    that same resolved document without running pandoc again, and a build of one more edition
    (`make PAPER=letter`) does not run it either.
    """
    started = time.perf_counter()
    article = load_article(folder)
    report_notices(article)
    document = resolve(article, options.get("style"), OutputCache(build_root / ".cache"))
    for message in document.warnings:
        console.warning(located(article.source, message))
    console.detail(f"{article.slug}: resolved with {document.style_name} in {time.perf_counter() - started:.2f} s")
    options = dict(options)
    options["source_date_epoch"] = source_date_epoch(article.date_epoch)
    return document, options


def located(source, message: str) -> str:
    """`file:line: message` for a resolve warning that begins "line N: ", as editors and CI read
    locations; `file: message` for the others."""
    found = LINE_FIRST.match(message)
    return f"{source}:{found['line']}: {found['rest']}" if found else f"{source}: {message}"


def report_notices(article) -> None:
    """What the front matter asked for and the editions cannot honour, each with its line."""
    for line, message in article.metadata.notices:
        console.warning(f"{article.source}{f':{line}' if line else ''}: {message}")
    if article.metadata.ignored:
        console.detail(f"{article.slug}: front matter keys of other tools, not used here: {article.metadata.ignored}")


def build_article(
    folder: Path,
    formats: list[str],
    build_root: Path,
    options: dict[str, Any],
    prepared: tuple[ResolvedDocument, dict[str, Any]] | None = None,
) -> list[Path]:
    formats = [name for name in formats if name in EDITIONS]
    if any(name in PRINTED for name in formats):
        from pubpipe.editions.pdf import start_worker

        start_worker()
    try:
        document, options = prepared or prepare(folder, options, build_root)
        options = {**options, "cache": OutputCache(build_root / ".cache")}
        slug = document.article.slug
        written: dict[str, tuple[Path, float]] = {}
        # All editions are put in place together once every one is done (see output.edition_set).
        with edition_set(build_root / slug):
            # The printed editions' layouts go to the worker first; the others render here meanwhile.
            begun = {}
            for name in sorted(formats, key=lambda name: name not in PRINTED):
                begun[name] = (time.perf_counter(), begin(name, document, output_path(build_root, slug, name), options))
                if name in PRINTED:
                    console.detail(f"{slug}: {name} is being laid out")
            for name in sorted(formats, key=lambda name: name in PRINTED):
                step, finish = begun[name]
                step = step if name in PRINTED else time.perf_counter()
                written[name] = (finish(), time.perf_counter() - step)
    except BaseException:
        layout.forget_pending()  # a layout nobody will collect is stopped, not left running
        raise
    for name in formats:
        path, seconds = written[name]
        files = _files_of(name, path, slug)
        for index, file in enumerate(files, start=1):
            took = f"  {seconds:.2f} s" if index == len(files) else ""
            console.info(f"  {name if index == 1 else '':<5} {file}  {console.human_size(file.stat().st_size)}{took}")
    return [written[name][0] for name in formats]


def _files_of(name: str, path: Path, slug: str) -> list[Path]:
    """The files an edition wrote: the handout's booklet has its A4 and Letter sheets beside it."""
    if name == "handout":
        from pubpipe.editions.handout import handout_paths

        return [*handout_paths(path, slug).values(), path]
    return [path]
