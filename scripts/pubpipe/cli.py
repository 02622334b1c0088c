"""The command line: argument parsing only. Each command is a thin function that imports the
module doing the work when it runs (Manubot's habit), so `pubpipe build --formats html` never loads
WeasyPrint."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from pubpipe import console
from pubpipe.errors import OutputError, PubpipeError, UsageError

INTERNAL_ERROR = 70
INTERRUPTED = 130
# What a program killed by SIGPIPE returns: the reader of our output (`| head`) stopped reading.
OUTPUT_CLOSED = 128 + 13
DESCRIPTION = (
    "Build an article's HTML, EPUB 3 and PDF editions from one source folder, and check that they "
    "agree. `make` runs these commands for you; see the README."
)


def _articles(args) -> list[tuple[Path, PubpipeError | None]]:
    """The folders to work on, each with the reason it cannot be built (None for an article):
    the slugs named on the command line, else every folder of --source."""
    from pubpipe.load.folders import ARTICLE_FILE, article_problem, scan_source

    source_root = Path(args.source)
    if not args.article:
        return scan_source(source_root)
    folders = []
    for slug in args.article:
        folder = Path(slug) if "/" in slug else source_root / slug
        if not folder.is_dir():
            raise UsageError(
                f"no article '{slug}': {folder} does not exist",
                hint=f"the articles are the folders of {source_root} that hold an {ARTICLE_FILE}",
            )
        folders.append((folder, article_problem(folder)))
    return folders


def _one_by_one(jobs: list[tuple[str, Callable[[], Any]]], kind: str) -> int:
    """Run each job (its name, its work), going on past a failed one. Alone, a job's error is raised
    with its own exit status; among several, each is reported and the status is 1."""
    failures = 0
    for index, (name, work) in enumerate(jobs, start=1):
        console.info(f"[{index}/{len(jobs)}] {name}" if len(jobs) > 1 else name)
        try:
            work()
        except PubpipeError as exc:
            if len(jobs) == 1:
                raise
            console.error(str(exc))
            failures += 1
    if failures:
        console.error(f"{failures} of {len(jobs)} {kind} failed; the others are done")
        return 1
    return 0


def _each_article(folders: list[tuple[Path, PubpipeError | None]], work: Callable[[Path], Any]) -> int:
    """`work(folder)` on each article; a folder that cannot be built counts as a failed one."""

    def job(folder: Path, problem: PubpipeError | None) -> Callable[[], Any]:
        def run() -> Any:
            if problem is not None:
                raise problem
            return work(folder)

        return run

    return _one_by_one([(folder.name, job(folder, problem)) for folder, problem in folders], "article folders")


def _formats(value: str) -> list[str]:
    from pubpipe.editions import EDITIONS

    formats = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in formats if name not in EDITIONS]
    if unknown:
        raise UsageError(f"unknown format(s): {', '.join(unknown)}", hint=f"choose from {', '.join(EDITIONS)}")
    return formats


def command_build(args) -> int:
    from pubpipe.build import build_article
    from pubpipe.editions import check_pdf_variant, default_options

    options = default_options()
    options.update(style=args.style or None, paper=args.paper or None, pdf_variant=args.pdf_variant, bleed=args.bleed)
    if options["paper"] and options["paper"] not in ("a4", "letter"):
        raise UsageError(f"unknown paper size '{args.paper}'", hint="use PAPER=a4 or PAPER=letter")
    check_pdf_variant(options["pdf_variant"])
    formats = _formats(args.formats)
    folders = _articles(args)
    return _each_article(folders, lambda folder: build_article(folder, formats, Path(args.build), options))


def command_articles(args) -> int:
    """Print the slug of each article of --source; report each folder that cannot be built."""
    from pubpipe.load.folders import scan_source

    folders = scan_source(Path(args.source))
    problems = [problem for _folder, problem in folders if problem is not None]
    for folder, problem in folders:
        if problem is None:
            console.info(folder.name)
        else:
            console.error(str(problem))
    return problems[0].exit_code if problems else 0


def command_watch(args) -> int:
    from pubpipe.editions import check_pdf_variant, default_options
    from pubpipe.watch import watch

    options = default_options()
    options.update(style=args.style or None, paper=args.paper or None, pdf_variant=args.pdf_variant)
    check_pdf_variant(options["pdf_variant"])
    if not 0 <= args.port <= 65535:
        raise UsageError(f"port {args.port} is out of range", hint="use PORT= a number from 1024 to 65535 (0: any free port)")
    ((folder, problem),) = _articles(args)
    if problem is not None:
        raise problem
    return watch(folder, Path(args.build), _formats(args.formats), options, "127.0.0.1", args.port)


def command_check(args) -> int:
    from pubpipe.check.report import overall
    from pubpipe.check.run import check_articles
    from pubpipe.errors import CheckFailed

    failed: list[tuple[str, int, Path]] = []
    errors: list[PubpipeError] = []
    if args.article or not args.pack:
        folders = _articles(args)
        errors = [problem for _folder, problem in folders if problem is not None]
        checks = check_articles([folder for folder, problem in folders if problem is None], Path(args.build),
                                {"style": args.style or None, "paper": args.paper or None,
                                 "validators": not args.no_validators})
        errors += [check.error for check in checks if check.error is not None]
        if len(folders) == 1 and errors and not args.pack:
            raise errors[0]
        for error in errors:
            console.error(str(error))
        if len(checks) > 1:
            console.info(overall(checks))
        failed = [(check.slug, len(check.findings), check.report) for check in checks if check.error is None and check.findings]
    if args.pack:
        from pubpipe.check.pack import check_pack
        from pubpipe.packs.build import pack_names

        for name in pack_names(Path(args.root), args.pack):
            findings, report = check_pack(Path(args.root), name, Path(args.source), Path(args.build),
                                          {"validators": not args.no_validators, "style": args.style or None,
                                           "paper": args.paper or None})
            if findings:
                failed.append((f"pack {name}", len(findings), report))
    if errors:
        problem = f"{console.plural(len(errors), 'article')} could not be checked (said above)"
        raise type(errors[0])(problem + (f"; {disagreement(failed)}" if failed else ""))
    if failed:
        raise CheckFailed(disagreement(failed))
    return 0


def disagreement(failed: list[tuple[str, int, Path | str]]) -> str:
    """check's message: each article that failed, its number of findings and its report."""
    details = "; ".join(f"{slug}: {console.plural(count, 'finding')}, see {report}" for slug, count, report in failed)
    return f"the editions do not agree: {details}"


def command_pack(args) -> int:
    from pubpipe.editions import default_options
    from pubpipe.load.metadata import PAPER_SIZES
    from pubpipe.packs.build import FORMATS, build_pack, pack_names

    formats = [name.strip() for name in args.formats.split(",") if name.strip()]
    unknown = [name for name in formats if name not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) for a pack: {', '.join(unknown)}", hint=f"choose from {', '.join(FORMATS)}")
    options = default_options()
    if args.paper and args.paper not in PAPER_SIZES:
        raise UsageError(f"unknown paper size '{args.paper}'", hint="use PAPER=a4 or PAPER=letter")
    # Given on the command line (make's STYLE= and PAPER=), they win over the pack file's.
    options.update(pdf_variant=args.pdf_variant, style=args.style or None, paper=args.paper or None)
    root = Path(args.root)
    names = pack_names(root, args.pack)
    jobs = [(f"pack {name}", functools.partial(build_pack, root, name, formats, Path(args.source), Path(args.build), options))
            for name in names]
    return _one_by_one(jobs, "packs")


def command_catalog(args) -> int:
    from pubpipe.catalog.opds import write_catalog

    path, count = write_catalog(Path(args.build))
    console.info(f"  {path}  {count} entries")
    return 0


def command_serve(args) -> int:
    from pubpipe.catalog.serve import serve

    if not args.host.strip():
        # An empty address would listen on every interface: sharing is asked for by name.
        raise UsageError("HOST is empty", hint="leave HOST out to serve on 127.0.0.1, or say HOST=0.0.0.0 to share on a LAN")
    return serve(Path(args.folder), args.host, args.port)


def command_fonts(args) -> int:
    from pubpipe.editions.font_instances import ensure_instances

    console.info(f"fonts ready in {ensure_instances(announce=console.info)}")
    return 0


def command_validators(args) -> int:
    from pubpipe.runtime.jvm_start import prepare

    console.info(f"validators prepared in {prepare()}")
    return 0


def command_styles(args) -> int:
    from pubpipe.resolve.styles import available_style_names

    for name in available_style_names():
        print(name)
    return 0


def parser() -> argparse.ArgumentParser:
    # The common options are accepted before and after the command (`pubpipe -q build`, `pubpipe build -q`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="print errors only")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="print each step")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show Python tracebacks")
    top = argparse.ArgumentParser(prog="pubpipe", description=DESCRIPTION, parents=[common])
    commands = top.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", parents=[common], help="build editions of one or more articles")
    build.add_argument("article", nargs="*", help="article slugs (default: every folder of --source)")
    build.add_argument("--formats", default="html,epub,pdf", help="comma-separated: html, epub, pdf")
    build.add_argument("--style", default=None, help="CSL style name or .csl path")
    build.add_argument("--paper", default=None, help="a4 or letter (default: the article's paper:)")
    build.add_argument("--pdf-variant", default="pdf/ua-1", help="WeasyPrint PDF variant, e.g. pdf/a-3b")
    build.add_argument("--bleed", default=None, help="bleed with crop marks, e.g. 3mm")
    build.add_argument("--source", default="source", help="folder of articles")
    build.add_argument("--build", default="build", help="output folder")
    build.set_defaults(run=command_build)

    check = commands.add_parser("check", parents=[common], help="check that the built editions agree with each other and the original")
    check.add_argument("article", nargs="*", help="article slugs (default: every folder of --source)")
    check.add_argument("--style", default=None, help="the CSL style the editions were built with")
    check.add_argument("--paper", default=None, help="the paper size the PDF was built with")
    check.add_argument("--source", default="source", help="folder of articles")
    check.add_argument("--build", default="build", help="folder of the built editions")
    check.add_argument("--no-validators", action="store_true", help="compare the editions only (no EPUBCheck, Nu, Ace, axe)")
    check.add_argument("--pack", action="append", default=[], help="also check this course pack (repeatable)")
    check.add_argument("--root", default=".", help="the folder holding packs/")
    check.set_defaults(run=command_check)

    watch = commands.add_parser("watch", parents=[common], help="rebuild an article on every change and preview its HTML")
    watch.add_argument("article", nargs=1, help="the article's slug")
    watch.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (0: any free port)")
    watch.add_argument("--formats", default="html,epub,pdf", help="comma-separated: html, epub, pdf")
    watch.add_argument("--style", default=None, help="CSL style name or .csl path")
    watch.add_argument("--paper", default=None, help="a4 or letter (default: the article's paper:)")
    watch.add_argument("--pdf-variant", default="pdf/ua-1", help="WeasyPrint PDF variant, e.g. pdf/a-3b")
    watch.add_argument("--source", default="source", help="folder of articles")
    watch.add_argument("--build", default="build", help="output folder")
    watch.set_defaults(run=command_watch)

    pack = commands.add_parser("pack", parents=[common], help="build course packs: one volume of several articles (packs/<name>.yaml)")
    pack.add_argument("pack", nargs="*", help="pack names (default: every packs/*.yaml)")
    pack.add_argument("--formats", default="pdf,epub,html,handout", help="comma-separated: pdf, epub, html, handout")
    pack.add_argument("--style", default=None, help="CSL style name or .csl path for every article (default: the pack's style:)")
    pack.add_argument("--paper", default=None, help="a4 or letter for <name>.pdf (default: the pack's paper:)")
    pack.add_argument("--pdf-variant", default="pdf/ua-1", help="WeasyPrint PDF variant, e.g. pdf/a-3b")
    pack.add_argument("--root", default=".", help="the folder holding packs/")
    pack.add_argument("--source", default="source", help="folder of articles")
    pack.add_argument("--build", default="build", help="output folder")
    pack.set_defaults(run=command_pack)

    catalog = commands.add_parser("catalog", parents=[common], help="write the OPDS catalog of every built article and pack (build/opds/catalog.xml)")
    catalog.add_argument("--build", default="build", help="folder of the built editions")
    catalog.set_defaults(run=command_catalog)

    serve = commands.add_parser("serve", parents=[common], help="serve a folder (build/) read-only over HTTP, for e-readers")
    serve.add_argument("folder", nargs="?", default="build", help="the folder to serve (default: build)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface, to share on a LAN)")
    serve.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    serve.set_defaults(run=command_serve)

    fonts = commands.add_parser("fonts", parents=[common], help="prepare the print edition's fonts (make setup runs it)")
    fonts.set_defaults(run=command_fonts)

    validators = commands.add_parser("validators", parents=[common], help="prepare quicker starts for EPUBCheck and the Nu checker (make setup runs it)")
    validators.set_defaults(run=command_validators)

    articles = commands.add_parser("articles", parents=[common], help="list the articles of --source; name each folder that cannot be built")
    articles.add_argument("--source", default="source", help="folder of articles")
    articles.set_defaults(run=command_articles)

    styles = commands.add_parser("styles", parents=[common], help="list the CSL style names that --style accepts")
    styles.set_defaults(run=command_styles)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for flag in ("quiet", "verbose", "debug"):
        setattr(args, flag, getattr(args, flag, False))
    console.set_level(console.QUIET if args.quiet else console.VERBOSE if args.verbose else console.NORMAL)
    started = time.perf_counter()
    try:
        status = args.run(args)
    except PubpipeError as exc:
        if args.debug:
            traceback.print_exc()
        console.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("interrupted; earlier editions are left as they were")
        return INTERRUPTED
    except BrokenPipeError:
        # Python would report the pipe again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OUTPUT_CLOSED
    except Exception as exc:  # a full disk, or a bug of ours: say which, and what to do
        if args.debug:
            raise
        from pubpipe.runtime.output import FULL

        if isinstance(exc, OSError) and exc.errno in FULL:
            # Outside an edition's own file (which pubpipe.runtime.output names): a report, a lock.
            console.error(f"{exc.filename or 'output'}: cannot write: {exc.strerror}\n"
                          "  hint: free some space, raise `ulimit -f`, or build elsewhere with --build")
            return OutputError.exit_code
        console.error(f"internal error: {type(exc).__name__}: {exc}\n  hint: run again with --debug and report the traceback")
        return INTERNAL_ERROR
    console.detail(f"done in {time.perf_counter() - started:.2f} s")
    return status
