"""The folders of source/: which are articles, and why any other cannot be built.

A folder's name becomes the article's slug: the names of its editions, words in the Makefile's
rules, arguments of the commands that make runs through a shell. make splits words at spaces and
reads `$ # : ; %` as its own syntax, and a shell runs backquotes, so a name outside a small safe
set could break every article's rules or run a command. The safe set is defined once, in
slug.ere (a POSIX extended regular expression), which the Makefile (scripts/make/articles.sh)
and this module both read. Folders whose names start with a dot (.git, an editor's folder) are
not articles and are passed over, as the shell's `*` passes over them.

An article's text is `article.md`. A folder brought from another tool keeps its own name for it:
JOSS's `paper.md`, Quarto's `index.qmd` or `<name>.qmd`, R Markdown's `<name>.Rmd`. So when there
is no article.md, the folder's one Markdown file is the article (a README, LICENSE or CHANGELOG is
never one); among several, JOSS's and Quarto's names are taken, and otherwise the user is asked to
say which. scripts/make/articles.sh lists a folder as an article when it holds any Markdown file,
and leaves the choice to this module.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from pathlib import Path

from pubpipe.errors import ArticleError, UsageError

ARTICLE_FILE = "article.md"
# The suffixes of the Markdown dialects that pandoc reads as its own Markdown.
TEXT_SUFFIXES = (".md", ".markdown", ".qmd", ".Rmd", ".rmd")
# What a folder's only Markdown file is called by JOSS and Quarto, in the order taken among several.
USUAL_NAMES = (ARTICLE_FILE, "paper.md", "index.qmd", "index.md", "index.Rmd")
# Files beside a paper in a repository, never the paper itself.
NOT_ARTICLES = ("README", "LICENSE", "LICENCE", "CHANGELOG", "CHANGES", "CONTRIBUTING", "CODE_OF_CONDUCT")
SAFE_SLUG = re.compile((Path(__file__).with_name("slug.ere")).read_text(encoding="ascii").strip())
# The folders of build/ that are not an article's: the course packs, the catalog, the set-up's logs
# and the corpus (reserved-slugs.txt, which scripts/make/articles.sh reads too).
RESERVED = frozenset(Path(__file__).with_name("reserved-slugs.txt").read_text(encoding="ascii").split())


def is_safe_slug(name: str) -> bool:
    return SAFE_SLUG.fullmatch(name) is not None


def suggested_slug(name: str) -> str:
    """A safe name close to `name`: accents dropped, each run of other unsafe characters made one
    hyphen, and any leading character a slug may not start with removed."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    kept = re.sub("-+", "-", "".join(c if is_safe_slug("a" + c) else "-" for c in plain))
    while kept and not is_safe_slug(kept[0]):
        kept = kept[1:]
    kept = kept.rstrip("-")
    return kept if is_safe_slug(kept) else "article"


def slug_problem(folder: Path) -> ArticleError | None:
    """Why `folder`'s name cannot be an article's slug, or None when it can."""
    name = folder.name
    if name in RESERVED:
        return ArticleError(
            f"an article cannot be called '{name}': build/{name}/ holds the pipeline's own files, which its editions "
            "would mix with; the article is not built",
            path=folder, hint=f"rename the folder, e.g. mv -- {shlex.quote(str(folder))} {shlex.quote(str(folder))}-article",
        )
    if is_safe_slug(name):
        return None
    unsafe = sorted({c for c in name if not is_safe_slug("a" + c)})
    what = ", ".join(repr(c) for c in unsafe) if unsafe else f"its first character {name[:1]!r}"
    suggestion = folder.with_name(suggested_slug(name))
    return ArticleError(
        f"this folder's name cannot be an article's name: it holds {what}, which make or the shell would "
        "read as syntax; the article is not built",
        path=folder,
        hint=f"rename the folder, e.g. mv -- {shlex.quote(str(folder))} {shlex.quote(str(suggestion))} "
        "(a name is made of letters A-Z and a-z, digits, '.', '_' and '-', and starts with a letter, digit or '_')",
    )


def text_files(folder: Path) -> list[Path]:
    """The folder's Markdown files that may be its article, by name."""
    return sorted(
        path for path in folder.glob("*")
        if path.suffix in TEXT_SUFFIXES and not path.name.startswith(".") and path.is_file()
        and path.stem.upper() not in NOT_ARTICLES
    )


def find_article_file(folder: Path) -> Path:
    """The file that holds the article's text (see the module's docstring), or the reason there is
    none to build."""
    candidates = text_files(folder)
    names = {path.name: path for path in candidates}
    for usual in USUAL_NAMES:
        if usual in names:
            return names[usual]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ArticleError(
            f"no {ARTICLE_FILE} (nor any other Markdown file) in this article folder, so there is nothing to build",
            path=folder,
            hint=f"add {folder / ARTICLE_FILE} (YAML front matter and the text; tests/fixtures/features/ is an "
            "example to copy), or move the folder out of its parent",
        )
    raise ArticleError(
        f"this folder holds {len(candidates)} Markdown files ({', '.join(sorted(names))}) and no {ARTICLE_FILE}, "
        "so which one is the article is not clear",
        path=folder,
        hint=f"rename the article's file to {ARTICLE_FILE} (or put each article in a folder of its own)",
    )


def article_problem(folder: Path) -> ArticleError | None:
    """Why `folder` is not a buildable article (an unsafe name, no article file), or None."""
    problem = slug_problem(folder)
    if problem is None:
        try:
            find_article_file(folder)
        except ArticleError as exc:
            problem = exc
    return problem


def scan_source(source_root: Path) -> list[tuple[Path, ArticleError | None]]:
    """Every folder of `source_root` in a stable order, each with the reason it cannot be built
    (None for an article). An empty or missing source folder is a usage error: nothing to do."""
    folders = sorted(path for path in source_root.glob("*") if path.is_dir() and not path.name.startswith(".")) \
        if source_root.is_dir() else []
    if not folders:
        raise UsageError(
            f"no articles found in {source_root}" + ("" if source_root.is_dir() else ": the folder does not exist"),
            hint=f"add a folder {source_root / '<slug>'}/ holding an {ARTICLE_FILE} (tests/fixtures/features/ is an example to copy)",
        )
    return [(folder, article_problem(folder)) for folder in folders]
