"""Checking the article's bibliography files before pandoc reads them.

pandoc reports a malformed bibliography with a line for BibTeX only, says nothing of where a
CSL-JSON error is, and silently keeps one of two entries that share a key, so a citation can come
out as the wrong work. Each file is parsed here just far enough to know every entry's key and
line: syntax errors give the file and line, and duplicate keys name the key and both places.
pandoc still does the real parsing afterwards.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json import decoder as json_decoder
from json import scanner as json_scanner
from pathlib import Path

import yaml

from pubpipe.errors import BibliographyError

BIBTEX_SUFFIXES = (".bib", ".bibtex", ".biblatex")
JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    line: int


def check_bibliographies(folder: Path, names: list[str], inline: list[Entry] = ()) -> list[Entry]:
    """Every entry of every bibliography file, in order; raises on a syntax error or a duplicate key.

    `inline` are the entries of the front matter's own `references:`, which pandoc merges in too.
    """
    from pubpipe.load.text_file import read_text_file

    seen: dict[str, Entry] = {}
    entries = []
    groups = [list(inline)] + [parse_entries(folder / name, read_text_file(folder / name)) for name in names]
    for group in groups:
        for entry in group:
            first = seen.get(entry.key)
            if first is not None:
                where = f"line {first.line}" if first.path == entry.path else f"{first.path.name}:{first.line}"
                raise BibliographyError(
                    f"duplicate citation key '{entry.key}' (first defined at {where})",
                    path=entry.path, line=entry.line,
                    hint="pandoc would silently use only one of them; rename or remove one entry",
                )
            seen[entry.key] = entry
            entries.append(entry)
    return entries


def inline_entries(front: dict, source: Path, text: str) -> list[Entry]:
    """The keys of the front matter's `references:` list, with the line of each `id:`."""
    items = front.get("references")
    if not isinstance(items, list):
        return []
    entries = []
    for item in items:
        if isinstance(item, dict) and item.get("id") is not None:
            key = str(item["id"])
            pattern = re.compile(r"^\s*(-\s*)?id\s*:\s*['\"]?" + re.escape(key) + r"['\"]?\s*$")
            line = next((n for n, content in enumerate(text.split("\n"), 1) if pattern.match(content)), None)
            entries.append(Entry(key, source, line or 1))
    return entries


def parse_entries(path: Path, text: str) -> list[Entry]:
    suffix = path.suffix.lower()
    if suffix in BIBTEX_SUFFIXES:
        return _bibtex_entries(path, text)
    if suffix in JSON_SUFFIXES:
        return _csl_json_entries(path, text)
    if suffix in YAML_SUFFIXES:
        return _csl_yaml_entries(path, text)
    raise BibliographyError(
        f"unknown bibliography format '{suffix or path.name}'",
        path=path,
        hint="use BibTeX or BibLaTeX (.bib), CSL-JSON (.json) or CSL-YAML (.yaml)",
    )


# --- CSL-JSON ---------------------------------------------------------------------------------

class _LinedObject(dict):
    line: int = 0


def _object_with_line(s_and_end, strict, scan_once, object_hook, object_pairs_hook, memo=None, *rest):
    text, start = s_and_end
    pairs, end = json_decoder.JSONObject(s_and_end, strict, scan_once, None, list, memo, *rest)
    item = _LinedObject(pairs)
    item.line = text.count("\n", 0, start) + 1
    return item, end


def _lined_json_decoder() -> json.JSONDecoder:
    """Python's own JSON parser, with objects that remember the line they start on."""
    decoder = json.JSONDecoder()
    decoder.parse_object = _object_with_line
    decoder.scan_once = json_scanner.py_make_scanner(decoder)  # the C scanner ignores parse_object
    return decoder


def _csl_json_entries(path: Path, text: str) -> list[Entry]:
    try:
        data = _lined_json_decoder().decode(text)
    except RecursionError:
        raise BibliographyError("CSL-JSON nested too deeply to be a bibliography", path=path) from None
    except json.JSONDecodeError as exc:
        raise BibliographyError(
            f"malformed CSL-JSON: {exc.msg} (column {exc.colno})",
            path=path, line=exc.lineno,
            hint="look for a missing or extra comma, quote or bracket just before this point",
        ) from None
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise BibliographyError("CSL-JSON must be a list of items ([{\"id\": …}, …])", path=path, line=1)
    entries = []
    for item in items:
        line = getattr(item, "line", 1)
        if not isinstance(item, dict):
            raise BibliographyError("every CSL-JSON item must be an object {…}", path=path, line=line)
        key = item.get("id")
        if not isinstance(key, (str, int)) or isinstance(key, bool) or str(key) == "":
            raise BibliographyError("a CSL-JSON item has no \"id\"", path=path, line=line,
                                    hint="give every item an \"id\": that is its citation key")
        entries.append(Entry(str(key), path, line))
    return entries


# --- CSL-YAML ---------------------------------------------------------------------------------

def _csl_yaml_entries(path: Path, text: str) -> list[Entry]:
    try:
        documents = [node for node in yaml.compose_all(text, Loader=yaml.SafeLoader) if node is not None]
    except RecursionError:
        raise BibliographyError("CSL-YAML nested too deeply to be a bibliography", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BibliographyError(
            f"malformed CSL-YAML: {problem}",
            path=path, line=mark.line + 1 if mark is not None else None,
            hint="check the indentation and quote values that contain ':' or start with a symbol",
        ) from None
    if not documents:
        raise BibliographyError("the bibliography file is empty", path=path)
    root = documents[0]
    items = root
    if isinstance(root, yaml.MappingNode):
        items = next((value for key, value in root.value if key.value == "references"), None)
    if not isinstance(items, yaml.SequenceNode):
        raise BibliographyError(
            "CSL-YAML must hold a list of items under 'references:'",
            path=path, line=root.start_mark.line + 1,
            hint="write 'references:' and below it one '- id: …' item per work",
        )
    entries = []
    for item in items.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            raise BibliographyError("every CSL-YAML item must be a map of 'field: value' lines", path=path, line=line)
        key_node = next((value for key, value in item.value if key.value == "id"), None)
        if not isinstance(key_node, yaml.ScalarNode) or not key_node.value.strip():
            raise BibliographyError("a CSL-YAML item has no 'id:'", path=path, line=line,
                                    hint="give every item an 'id:': that is its citation key")
        entries.append(Entry(key_node.value.strip(), path, key_node.start_mark.line + 1))
    return entries


# --- BibTeX and BibLaTeX ----------------------------------------------------------------------

_ENTRY_TYPE = re.compile(r"@\s*([A-Za-z]+)\s*")
_KEY = re.compile(r"\s*([^\s,{}()\"#%'=]+)\s*,")
_FIELD_NAME = re.compile(r"\s*([A-Za-z0-9_:.+\-]+)\s*=\s*")
_BARE_VALUE = re.compile(r"[A-Za-z0-9_:.+\-]+")
_CLOSERS = {"{": "}", "(": ")"}


class _BibtexSyntax(Exception):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def _bibtex_entries(path: Path, text: str) -> list[Entry]:
    parser = _BibtexParser(text)
    try:
        found = parser.parse()
    except _BibtexSyntax as exc:
        raise BibliographyError(
            f"malformed BibTeX: {exc.message}",
            path=path, line=text.count("\n", 0, exc.offset) + 1,
            hint="look for an unbalanced brace or quote, or a missing comma between fields",
        ) from None
    return [Entry(key, path, text.count("\n", 0, offset) + 1) for key, offset in found]


class _BibtexParser:
    """Enough of BibTeX's grammar to find entries, keys and unbalanced delimiters.

    Text between entries is a comment, as in BibTeX; `@comment`, `@string` and `@preamble` are
    skipped as balanced groups.
    """

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def parse(self) -> list[tuple[str, int]]:
        found = []
        while (at := self.text.find("@", self.pos)) >= 0:
            match = _ENTRY_TYPE.match(self.text, at)
            if not match:
                self.pos = at + 1
                continue
            kind = match.group(1).lower()
            self.pos = match.end()
            opener = self.text[self.pos: self.pos + 1]
            if opener not in _CLOSERS:
                if kind == "comment":
                    continue
                raise _BibtexSyntax(f"'@{match.group(1)}' is not followed by '{{'", self.pos)
            if kind in ("comment", "string", "preamble"):
                self._balanced(at)
                continue
            found.append(self._entry(at, _CLOSERS[opener]))
        return found

    def _balanced(self, start: int) -> None:
        """Skip a {…} or (…) group starting at self.pos, braces nested."""
        closer = _CLOSERS[self.text[self.pos]]
        depth = 0
        for index in range(self.pos, len(self.text)):
            char = self.text[index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            if closer == ")" and char == ")" and depth == 0 or closer == "}" and depth == 0:
                self.pos = index + 1
                return
        raise _BibtexSyntax("this entry is never closed (unbalanced braces)", start)

    def _entry(self, start: int, closer: str) -> tuple[str, int]:
        self.pos += 1
        key = _KEY.match(self.text, self.pos)
        if not key:
            raise _BibtexSyntax("the entry has no citation key followed by ','", self.pos)
        self.pos = key.end()
        last_field = None
        while True:
            self._skip_space()
            if self._peek() == closer:
                self.pos += 1
                return key.group(1), key.start(1)
            if self._peek() == "":
                if last_field is None:
                    raise _BibtexSyntax(f"the entry '{key.group(1)}' is never closed", start)
                # Most often a '{' inside a field is not closed, so that field ate the entry's end.
                raise _BibtexSyntax(
                    f"the entry '{key.group(1)}' is never closed; check the braces of its field "
                    f"'{last_field.group(1)}'", last_field.start(1),
                )
            name = _FIELD_NAME.match(self.text, self.pos)
            if not name:
                raise _BibtexSyntax(f"expected a field such as 'title = {{…}}' in entry '{key.group(1)}'", self.pos)
            self.pos, last_field = name.end(), name
            self._value(key.group(1))
            self._skip_space()
            if self._peek() == ",":
                self.pos += 1
            elif self._peek() == "":
                continue  # reported above, with the field
            elif self._peek() != closer:
                raise _BibtexSyntax(
                    f"missing ',' after the field '{name.group(1)}' in entry '{key.group(1)}'", self.pos
                )

    def _value(self, key: str) -> None:
        while True:
            self._skip_space()
            char = self._peek()
            if char == "{":
                self._braced(key)
            elif char == '"':
                self._quoted(key)
            elif bare := _BARE_VALUE.match(self.text, self.pos):
                self.pos = bare.end()
            else:
                raise _BibtexSyntax(f"a field of entry '{key}' has no value", self.pos)
            self._skip_space()
            if self._peek() != "#":
                return
            self.pos += 1

    def _braced(self, key: str) -> None:
        start, depth = self.pos, 0
        for index in range(self.pos, len(self.text)):
            char = self.text[index]
            if char == "{" and self.text[index - 1] != "\\":
                depth += 1
            elif char == "}" and self.text[index - 1] != "\\":
                depth -= 1
                if depth == 0:
                    self.pos = index + 1
                    return
        raise _BibtexSyntax(f"a '{{' in entry '{key}' is never closed", start)

    def _quoted(self, key: str) -> None:
        start, depth = self.pos, 0
        for index in range(self.pos + 1, len(self.text)):
            char = self.text[index]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char == '"' and depth == 0 and self.text[index - 1] != "\\":
                self.pos = index + 1
                return
        raise _BibtexSyntax(f"a '\"' in entry '{key}' is never closed", start)

    def _skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def _peek(self) -> str:
        return self.text[self.pos: self.pos + 1]
