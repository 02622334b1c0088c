"""The pack file, `packs/<name>.yaml`: what a volume holds, validated with the line of every value.

A pack names its articles in reading order, each by its slug (a folder of source/) or by a path
inside the project (`tests/fixtures/features`), and says what the volume is called, who
edited it and when; optionally a citation style, a paper size and a preface in Markdown. Every
mistake a teacher can make here (a misspelt slug, an article listed twice, an unknown key, a
style that does not exist) is reported with this file and the line of the offending value,
since the volume is built long after the file was written and far from it.

The file is parsed twice by PyYAML: once into nodes, which keep their line, and once into values.
Duplicate keys are refused here, because YAML lets the last one win without a word.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from pubpipe.errors import PackError
from pubpipe.load.dates import read_date
from pubpipe.load.metadata import LANG_PATTERN, PAPER_SIZES
from pubpipe.load.text_file import read_text_file
from pubpipe.load.yaml_loader import SafeLoader

PACKS_FOLDER = "packs"
PACK_SUFFIX = ".yaml"
# A pack's name becomes file names and a make target: letters, digits, dashes and underscores.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# An article's folder name as make can name it in a prerequisite (no spaces, no '$', ':' or '#').
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
KEYS = {
    "title": "the volume's title (required)",
    "subtitle": "a line under the title",
    "editor": "who edited the volume: a name or a list of names (required; `editors:` also works)",
    "editors": "the same as editor:",
    "date": "the volume's date, YYYY, YYYY-MM or YYYY-MM-DD",
    "lang": "the volume's language, a BCP 47 tag (default: the first article's)",
    "style": "a CSL style name, or a .csl file in packs/, for every article (default: each article's own)",
    "paper": "a4 or letter, for the volume's PDF (default a4)",
    "description": "one or two sentences for catalogues",
    "keywords": "a list of subjects",
    "rights": "the volume's copyright or licence",
    "identifier": "a URN for the volume (default: derived from its name, title and editors)",
    "preface": "Markdown, printed before the first article",
    "articles": "the articles in reading order (required): slugs (folders of source/) or folders named by their path from the project root",
}


@dataclass(frozen=True)
class Located:
    """A value of the pack file and the line it was written on."""

    value: Any
    line: int


@dataclass(frozen=True)
class PackSpec:
    name: str
    path: Path
    title: str
    subtitle: str | None
    editors: list[str]
    date: str | None
    lang: str | None
    style: Located | None
    paper: str
    description: str | None
    keywords: list[str]
    rights: str | None
    identifier: str
    preface: Located | None
    articles: list[Located]  # slugs or project-relative paths, with their lines
    lines: dict[str, int]  # key -> line, for errors found later (a style pandoc rejects)

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key)

    def article_line(self, slug: str) -> int | None:
        """The line naming the article whose folder is called `slug`, by slug or by path."""
        return next((item.line for item in self.articles if PurePosixPath(item.value).name == slug), None)


def pack_path(root: Path, name: str) -> Path:
    return root / PACKS_FOLDER / f"{name}{PACK_SUFFIX}"


def find_packs(root: Path) -> list[str]:
    return sorted(path.stem for path in (root / PACKS_FOLDER).glob(f"*{PACK_SUFFIX}"))


def _error(path: Path, line: int | None, message: str, hint: str | None = None) -> PackError:
    return PackError(message, path=path, line=line, hint=hint)


def _mapping_nodes(text: str, path: Path) -> yaml.MappingNode:
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except RecursionError:
        raise _error(path, 1, "the pack file is nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _error(path, mark.line + 1 if mark else 1, f"malformed YAML: {problem}",
                     hint="check the indentation, and quote values that contain ': ' or start with a symbol") from None
    if not isinstance(root, yaml.MappingNode):
        raise _error(path, 1, "the pack file must be a mapping of 'key: value' lines",
                     hint="start with 'title: …', 'editor: …' and 'articles:' followed by '- slug' lines")
    return root


def _value(node: yaml.Node) -> Any:
    """The Python value of one node, built by the same safe constructor as yaml.safe_load."""
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _text(path: Path, key: str, located: Located | None, required: bool = False) -> str | None:
    if located is None:
        if required:
            raise _error(path, None, f"'{key}:' is missing", hint=f"add a line '{key}: …' ({KEYS[key]})")
        return None
    value = located.value
    if isinstance(value, (int, float)) and not isinstance(value, bool) or hasattr(value, "isoformat"):
        value = str(value)
    if not isinstance(value, str) or (required and not value.strip()):
        raise _error(path, located.line, f"'{key}:' must be text", hint=KEYS[key])
    return value.strip() or None


def _names(path: Path, key: str, located: Located) -> list[str]:
    items = located.value if isinstance(located.value, list) else [located.value]
    names = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            item = item["name"]
        if not isinstance(item, str) or not item.strip():
            raise _error(path, located.line, f"'{key}:' must be a name, a list of names or a list of maps with 'name:'")
        names.append(" ".join(item.split()))
    return names


def _strings(path: Path, key: str, located: Located | None) -> list[str]:
    if located is None:
        return []
    value = located.value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return [str(item).strip() for item in value]
    raise _error(path, located.line, f"'{key}:' must be a list of text items")


def _entry_problem(entry: Any) -> tuple[str, str] | None:
    """Why an entry of `articles:` cannot name an article folder, and what to write instead; None
    when it can. Only its form is judged here: where it leads is the builder's (packs/members.py)."""
    example = "a slug such as tashkent-declaration-1966, or a path such as tests/fixtures/features"
    if not isinstance(entry, str) or not entry:
        return f"an article must be named by its slug or its folder's path, not {entry!r}", example
    if "/" not in entry:
        if SLUG_PATTERN.match(entry):
            return None
        return (f"an article must be named by its slug, not {entry!r}",
                "the slug is the name of the article's folder in source/ (letters, digits, '.', '-', '_')")
    path = PurePosixPath(entry)
    if path.is_absolute() or entry.startswith("~"):
        return (f"'{entry}' is an absolute path: a pack names only folders inside its project",
                "write the folder's path from the project root (the folder holding packs/), e.g. tests/fixtures/features")
    unsafe = [part for part in path.parts if part not in (".", "..") and not SLUG_PATTERN.match(part)]
    if unsafe:
        # The path becomes a prerequisite of the pack's make rule, which cannot hold spaces, '$', ':' or '#'.
        return (f"the folder name {unsafe[0]!r} in '{entry}' cannot name an article",
                "rename the folder with letters, digits, '.', '-' and '_' only")
    return None


def _articles(path: Path, node: yaml.Node | None, key_line: int | None) -> list[Located]:
    if node is None:
        raise _error(path, None, "'articles:' is missing", hint="list the articles' slugs under 'articles:', one '- slug' a line")
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise _error(path, key_line, "'articles:' must be a list of slugs",
                     hint="write one line '- slug' for each folder source/<slug>/, in reading order")
    articles: list[Located] = []
    first_line: dict[str, int] = {}
    for item in node.value:
        line = item.start_mark.line + 1
        entry = _value(item)
        entry = entry.strip() if isinstance(entry, str) else entry
        problem = _entry_problem(entry)
        if problem:
            raise _error(path, line, problem[0], hint=problem[1])
        if entry in first_line:
            raise _error(path, line, f"the article '{entry}' is listed twice (first at line {first_line[entry]})",
                         hint="a volume holds each article once; remove one of the two lines")
        first_line[entry] = line
        articles.append(Located(entry, line))
    return articles


def load_pack(path: Path) -> PackSpec:
    """Read and validate a pack file; the articles are checked against source/ by the builder."""
    name = path.name.removesuffix(PACK_SUFFIX)
    if not NAME_PATTERN.match(name):
        raise _error(path, None, f"'{name}' cannot name a pack",
                     hint="name the file with letters, digits, '-' and '_' only, e.g. packs/history-101.yaml")
    if not path.is_file():
        raise _error(path, None, "no such pack file", hint=f"create {path}, or see the packs in {path.parent}")
    text = read_text_file(path)
    root = _mapping_nodes(text, path)
    nodes: dict[str, yaml.Node] = {}
    lines: dict[str, int] = {}
    for key_node, value_node in root.value:
        key = _value(key_node)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str) or key not in KEYS:
            known = ", ".join(KEYS)
            raise _error(path, line, f"unknown key {key!r}", hint=f"the keys a pack may have: {known}")
        if key in nodes:
            raise _error(path, line, f"'{key}:' is given twice (first at line {lines[key]})", hint="keep one of them")
        nodes[key], lines[key] = value_node, line
    if "editor" in nodes and "editors" in nodes:
        raise _error(path, lines["editors"], "give 'editor:' or 'editors:', not both")

    def located(key: str) -> Located | None:
        return Located(_value(nodes[key]), lines[key]) if key in nodes else None

    title = _text(path, "title", located("title"), required=True)
    editor_key = "editors" if "editors" in nodes else "editor"
    if located(editor_key) is None:
        raise _error(path, None, "'editor:' is missing", hint="add a line 'editor: Your Name' (or a list under 'editors:')")
    editors = _names(path, editor_key, located(editor_key))
    lang = _text(path, "lang", located("lang"))
    if lang and not LANG_PATTERN.match(lang):
        raise _error(path, lines["lang"], f"'{lang}' is not a language tag", hint="use a BCP 47 tag such as en, en-GB or fr")
    date = None
    if "date" in nodes:
        # Read as an article's date is (load/dates.py); kept as the W3C date EPUB's dc:date takes.
        read = read_date(located("date").value, lang, bool(lang))
        if read.iso is None:
            raise _error(path, lines["date"], f"'date:' {read.problem}", hint=read.hint)
        date = read.iso
    paper = (_text(path, "paper", located("paper")) or "a4").lower()
    if paper not in PAPER_SIZES:
        raise _error(path, lines["paper"], f"'{paper}' is not a paper size this pipeline prints", hint="use a4 or letter")
    style = located("style")
    if style is not None:
        style = Located(_text(path, "style", style, required=True), style.line)
    preface = located("preface")
    if preface is not None:
        # A block scalar's text starts on the line after its key: errors in the Markdown are
        # reported on the pack file's own lines (see packs.front).
        start = nodes["preface"].start_mark.line + (1 if nodes["preface"].style in ("|", ">") else 0)
        preface = Located(_text(path, "preface", preface, required=True), start + 1)
    identifier = _text(path, "identifier", located("identifier")) or derived_identifier(name, title, editors)
    return PackSpec(
        name=name,
        path=path,
        title=title,
        subtitle=_text(path, "subtitle", located("subtitle")),
        editors=editors,
        date=date,
        lang=lang,
        style=style,
        paper=paper,
        description=_text(path, "description", located("description")),
        keywords=_strings(path, "keywords", located("keywords")),
        rights=_text(path, "rights", located("rights")),
        identifier=identifier,
        preface=preface,
        articles=_articles(path, nodes.get("articles"), lines.get("articles")),
        lines=lines,
    )


def derived_identifier(name: str, title: str, editors: list[str]) -> str:
    """The same pack always gets the same UUID, and no article can share it."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(["pack", name, title, *editors])))
