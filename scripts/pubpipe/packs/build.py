"""Building a course pack: its articles resolved (from the cache when unchanged), the volume's own
words formatted, then each requested edition of the volume.

Every file of the pack is written beside its target and put in place with the others only when all
of them are complete (runtime/output.edition_set), so a failed build (an article that no longer
builds, a style that does not exist) leaves the previous volume as it was.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.errors import UsageError
from pubpipe.load.dates import git_commit_time, read_date
from pubpipe.packs.front import Front, resolve_front
from pubpipe.packs.members import in_pack, member_folders, pack_style, resolve_members
from pubpipe.packs.spec import PackSpec, find_packs, load_pack, pack_path
from pubpipe.resolve import ResolvedDocument
from pubpipe.runtime.cache import OutputCache
from pubpipe.runtime.output import atomic_path, edition_set, source_date_epoch, write_bytes_atomic

FORMATS = ("pdf", "epub", "html", "handout")
HANDOUT_SHEETS = ("a4", "letter")


def pack_folder(build_root: Path, name: str) -> Path:
    return build_root / "packs" / name


def pack_outputs(build_root: Path, name: str, formats: list[str]) -> list[Path]:
    """The files a build writes for `formats`, in a stable order."""
    folder = pack_folder(build_root, name)
    files = {
        "pdf": [f"{name}.pdf"],
        "epub": [f"{name}.epub"],
        "html": [f"{name}.html"],
        "handout": [f"{name}-a4.pdf", f"{name}-letter.pdf", f"{name}-booklet.pdf"],
    }
    return [folder / file for fmt in FORMATS if fmt in formats for file in files[fmt]]


def pack_names(root: Path, names: list[str]) -> list[str]:
    available = find_packs(root)
    if not names:
        if not available:
            raise UsageError(f"no packs found in {root / 'packs'}", hint="write packs/<name>.yaml (see the README: course packs)")
        return available
    for name in names:
        if name not in available:
            hint = f"the packs are: {', '.join(available)}" if available else "write packs/<name>.yaml first"
            raise UsageError(f"no pack '{name}': {pack_path(root, name)} does not exist", hint=hint)
    return names


def _epoch(spec: PackSpec, docs: list[ResolvedDocument]) -> int:
    """The volume's timestamp: SOURCE_DATE_EPOCH, else the pack's date, else the pack file's last
    commit, else its newest article's: never the clock."""
    dated = read_date(spec.date, spec.lang, False).epoch if spec.date else None
    fallback = dated or git_commit_time(spec.path.parent) or max(doc.article.date_epoch for doc in docs)
    return source_date_epoch(fallback)


@dataclass(frozen=True)
class Prepared:
    """A pack ready to render: its file, its own words, its articles as the pack shows them."""

    spec: PackSpec
    front: Front
    docs: list[ResolvedDocument]
    options: dict[str, Any]
    cache: OutputCache  # the pack's layouts (build/packs/<name>/.cache)
    folder: Path
    article_folders: list[Path]  # as the pack file names them, from the project root or source/
    style: Path | None  # one style for every article (the command line's, else the pack's), or None
    paper: str  # the volume's paper: the command line's, else the pack's


def prepare_pack(root: Path, name: str, source_root: Path, build_root: Path, options: dict[str, Any]) -> Prepared:
    spec = load_pack(pack_path(root, name))
    folder = pack_folder(build_root, name)
    cache = OutputCache(folder / ".cache")
    style = pack_style(spec, root, options.get("style"))
    paper = options.get("paper") or spec.paper
    article_folders = member_folders(spec, root, source_root)
    docs = resolve_members(spec, article_folders, style, OutputCache(build_root / ".cache"))
    lang = spec.lang or docs[0].article.metadata.lang
    options = dict(options, source_date_epoch=_epoch(spec, docs))
    front = resolve_front(spec, lang, docs, style, cache)
    docs = [in_pack(doc, front.citations.get(doc.article.slug)) for doc in docs]
    return Prepared(spec, front, docs, options, cache, folder, article_folders, style, paper)


def build_pack(root: Path, name: str, formats: list[str], source_root: Path, build_root: Path,
               options: dict[str, Any]) -> list[Path]:
    from pubpipe.packs import epub, html, pdf

    started = time.perf_counter()
    pack = prepare_pack(root, name, source_root, build_root, options)
    spec, front, docs, options, cache, folder = pack.spec, pack.front, pack.docs, pack.options, pack.cache, pack.folder
    console.detail(f"{name}: {len(docs)} articles resolved in {time.perf_counter() - started:.2f} s")
    outputs = pack_outputs(build_root, name, formats)
    with edition_set(folder):
        # Every paper's article layouts go to the worker first: it lays out the next paper's
        # while this process assembles a volume.
        papers = ([pack.paper] if "pdf" in formats else []) + (list(HANDOUT_SHEETS) + ["a5"] if "handout" in formats else [])
        sent = {paper: pdf.send_layouts(spec, docs, paper, options, cache) for paper in dict.fromkeys(papers)}
        written: dict[str, Path] = {}  # paper -> the volume on it, as staged in this build
        if "pdf" in formats:
            with atomic_path(folder / f"{name}.pdf") as tmp:
                pdf.volume_pdf(spec, front, docs, pack.paper, tmp, options, cache, sent=sent[pack.paper])
            written[pack.paper] = tmp
        if "handout" in formats:
            for paper in HANDOUT_SHEETS:
                with atomic_path(folder / f"{name}-{paper}.pdf") as tmp:
                    if paper in written:  # the same volume on the same paper: not assembled twice
                        shutil.copyfile(written[paper], tmp)
                    else:
                        pdf.volume_pdf(spec, front, docs, paper, tmp, options, cache, sent=sent[paper])
            _booklet(spec, front, docs, folder / f"{name}-booklet.pdf", options, cache, sent["a5"])
        if "epub" in formats:
            epub.write_epub(spec, front, docs, folder / f"{name}.epub", options)
        if "html" in formats:
            html.write_html(spec, front, docs, folder, options)
    if "html" in formats:
        html.remove_pages_of_others(folder, docs)
    _write_make_sources(spec, pack.article_folders, folder)
    for path in outputs:
        console.info(f"  {path}  {console.human_size(path.stat().st_size)}")
    console.detail(f"{name}: built in {time.perf_counter() - started:.2f} s")
    return outputs


def _booklet(spec, front, docs, target: Path, options: dict[str, Any], cache: OutputCache, sent: "pdf.Layouts") -> None:
    """The volume on A5 pages, every article on a right-hand page, imposed two-up on A4 sheets."""
    from pubpipe.editions.impose import impose_booklet
    from pubpipe.packs import pdf

    with tempfile.TemporaryDirectory(prefix="pubpipe-pack-booklet-") as scratch:
        pages = Path(scratch) / "a5.pdf"
        pdf.volume_pdf(spec, front, docs, "a5", pages, options, cache, recto_starts=True, sent=sent)
        with atomic_path(target) as tmp:
            impose_booklet(pages, tmp)


def _write_make_sources(spec: PackSpec, article_folders: list[Path], folder: Path) -> None:
    """What make must watch for this pack: its articles' folders, as the pack file names them (the
    Makefile includes this, and keeps a listing of each folder's files: scripts/make/listing.sh).
    Their names are safe in a make rule (packs/spec.py)."""
    folders = " ".join(article.as_posix() for article in article_folders)
    text = f"# Written by `pubpipe pack {spec.name}`: the folders of its articles.\npack_folders_{spec.name} := {folders}\n"
    write_bytes_atomic(folder / ".sources.mk", text.encode("utf-8"))
