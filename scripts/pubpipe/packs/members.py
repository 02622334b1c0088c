"""The articles of a pack: each one loaded and resolved as it would be on its own, with pandoc's
output kept in the build's cache (runtime/cache.py), so that a pack of a hundred articles runs
pandoc again only for the one that changed.

An article that cannot be found or does not build is reported with the pack file and the line
that names it, then the article's own error (its file, line and hint), so the teacher knows both
which entry of the pack failed and what to fix in the article. The error keeps the article's own
exit status (a wrong citation key is still 4).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pubpipe.errors import BibliographyError, PackError, PubpipeError
from pubpipe.packs.spec import PackSpec
from pubpipe.resolve import ResolvedDocument, resolve
from pubpipe.resolve.styles import resolve_style
from pubpipe.runtime.cache import OutputCache


def pack_style(spec: PackSpec, root: Path) -> Path | None:
    """The pack's `style:` as a file: a style name, or a .csl file inside packs/."""
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


def resolve_members(spec: PackSpec, source_root: Path, style: Path | None, cache: OutputCache) -> list[ResolvedDocument]:
    from pubpipe.load.article import load_article

    documents = []
    for item in spec.articles:
        folder = source_root / item.value
        if not folder.is_dir():
            known = sorted(path.name for path in source_root.glob("*") if path.is_dir())
            import difflib

            close = difflib.get_close_matches(item.value, known, n=3, cutoff=0.6)
            raise PackError(
                f"no article '{item.value}': {folder} does not exist",
                path=spec.path, line=item.line,
                hint=(f"did you mean {' or '.join(close)}? " if close else "") + f"the articles are the folders of {source_root}",
            )
        try:
            article = load_article(folder)
            documents.append(resolve(article, str(style) if style else None, cache=cache))
        except PubpipeError as exc:
            raise failure_in_pack(spec, item.value, exc) from None
    return documents


def in_pack(doc: ResolvedDocument, cite_as) -> ResolvedDocument:
    """The article as the pack shows it: the same text, cited as a chapter of the pack."""
    return dataclasses.replace(doc, cite_as=cite_as)
