"""The articles of a pack: each one loaded and resolved as it would be on its own, with pandoc's
output kept in the build's cache (runtime/cache.py), so that a pack of a hundred articles runs
pandoc again only for the one that changed.

An article is named by its slug (a folder of source/) or by its folder's path inside the project.
An article that cannot be found or does not build is reported with the pack file and the line
that names it, then the article's own error (its file, line and hint), so the teacher knows both
which entry of the pack failed and what to fix in the article. The error keeps the article's own
exit status (a wrong citation key is still 4).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from pubpipe.errors import BibliographyError, PackError, PubpipeError
from pubpipe.packs.spec import Located, PackSpec
from pubpipe.resolve import ResolvedDocument, resolve
from pubpipe.resolve.styles import resolve_style
from pubpipe.runtime.cache import OutputCache


def pack_style(spec: PackSpec, root: Path, command_line: str | None = None) -> Path | None:
    """The pack's style as a file: the command line's (`make pack STYLE=apa`), which wins as it
    does over an article's `csl:`, else the pack's `style:`, a style name or a .csl file inside
    packs/; None: each article keeps its own."""
    if command_line:
        return resolve_style(command_line, None, root, spec.path)
    if spec.style is None:
        return None
    value = spec.style.value
    try:
        if value.endswith(".csl") or "/" in value:
            from pubpipe.runtime.paths import inside_folder

            path = spec.path.parent / value
            if not inside_folder(path, spec.path.parent):
                raise BibliographyError(f"the style file {value} lies outside {spec.path.parent}",
                                        hint="copy the .csl file into the packs folder")
            return resolve_style(str(path), None, spec.path.parent, spec.path)
        return resolve_style(value, None, spec.path.parent, spec.path)
    except BibliographyError as exc:
        raise BibliographyError(exc.message, path=spec.path, line=spec.style.line, hint=exc.hint) from None


def failure_in_pack(spec: PackSpec, slug: str, exc: PubpipeError) -> PubpipeError:
    """The article's error, led by the pack line that names the article."""
    where = exc.location() or "the article"
    failure = type(exc)(
        f"the article '{slug}' does not build:\n  {where}: {exc.message}",
        path=spec.path, line=spec.article_line(slug), hint=exc.hint,
    )
    return failure


def _close_names(value: str, folder: Path) -> str:
    """'did you mean …? ' for the article folders of `folder` whose names are close to `value`."""
    import difflib

    known = sorted(path.name for path in folder.glob("*") if _is_article(path)) if folder.is_dir() else []
    close = difflib.get_close_matches(value, known, n=3, cutoff=0.6)
    return f"did you mean {' or '.join(close)}? " if close else ""


def _is_article(folder: Path) -> bool:
    from pubpipe.load.folders import article_problem

    return folder.is_dir() and article_problem(folder) is None


def member_folder(spec: PackSpec, item: Located, root: Path, source_root: Path) -> Path:
    """The article folder an entry of the pack names: a slug is a folder of source/; a path (with
    '/') is read from the project root, and must lead to an article folder inside the project, so a
    pack file cannot bind /etc or a neighbour's files into a volume, by '..' or by a symlink."""
    from pubpipe.load.folders import ARTICLE_FILE
    from pubpipe.runtime.paths import inside_folder

    value = item.value
    if "/" not in value:
        folder = source_root / value
        if not _is_article(folder):
            raise PackError(f"no article '{value}' in {source_root}", path=spec.path, line=item.line,
                            hint=_close_names(value, source_root) + f"the articles are the folders of {source_root}")
        return folder
    # Normalised before anything is looked at: 'tests/../source/x' is source/x.
    relative = Path(os.path.normpath(value))
    if relative.parts[:1] == ("..",):
        raise PackError(f"'{value}' leads out of the project through '..'", path=spec.path, line=item.line,
                        hint=f"a pack names only folders inside {root.resolve()}; copy the article into source/")
    folder = root / relative
    if not inside_folder(folder, root):
        raise PackError(f"'{value}' leads out of the project through a symbolic link (to {folder.resolve()})",
                        path=spec.path, line=item.line,
                        hint=f"a pack names only folders inside {root.resolve()}; copy the article into source/")
    if not _is_article(folder):
        what = "does not exist" if not folder.exists() else f"is not an article folder (it has no {ARTICLE_FILE} or other Markdown file)"
        raise PackError(f"'{value}' {what}", path=spec.path, line=item.line,
                        hint=_close_names(folder.name, folder.parent)
                        + "name a folder that holds an article.md, by its path from the project root")
    return folder


def member_folders(spec: PackSpec, root: Path, source_root: Path) -> list[Path]:
    """Every entry's folder, each article once: its folder's name is its name inside the volume
    (ids, links, file names), so two folders of the same name cannot share a pack either."""
    folders: list[Path] = []
    seen: dict[str, tuple[Path, int]] = {}
    for item in spec.articles:
        folder = member_folder(spec, item, root, source_root)
        name = folder.resolve().name  # the article's slug (load/article.py)
        if name in seen:
            other, line = seen[name]
            same = folder.resolve() == other.resolve()
            raise PackError(
                f"'{item.value}' is " + ("the same article as" if same else "a second article named")
                + f" '{name}' (line {line})", path=spec.path, line=item.line,
                hint="a volume holds each article once" if same else
                "the articles of a pack need different folder names; rename one folder")
        seen[name] = (folder, item.line)
        folders.append(folder)
    return folders


def resolve_members(spec: PackSpec, folders: list[Path], style: Path | None, cache: OutputCache) -> list[ResolvedDocument]:
    from pubpipe.load.article import load_article

    documents = []
    for folder in folders:
        try:
            article = load_article(folder)
            documents.append(resolve(article, str(style) if style else None, cache=cache))
        except PubpipeError as exc:
            raise failure_in_pack(spec, folder.name, exc) from None
    return documents


def in_pack(doc: ResolvedDocument, cite_as) -> ResolvedDocument:
    """The article as the pack shows it: the same text, cited as a chapter of the pack."""
    return dataclasses.replace(doc, cite_as=cite_as)
