"""Checking the article's bibliography files before pandoc reads them.

pandoc reports a malformed bibliography with a line for BibTeX only, says nothing of where a
CSL-JSON error is, and silently keeps one of two entries that share a key, so a citation can come
out as the wrong work. Each file is read here, by a kept parser that tells lines (bibtexparser for
BibTeX, json's `raw_decode`, PyYAML's composer), far enough to know every entry's key and line:
syntax errors give the file and line, and duplicate keys name the key and both places. pandoc
still does the real parsing afterwards.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pubpipe.errors import BibliographyError
from pubpipe.load.yaml_loader import SafeLoader

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

_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_list_items(text: str, position: int) -> list[tuple[object, int]]:
    """The items of the JSON list that opens at `position`, each with the offset where it starts.
    json's public `raw_decode` parses one value from a given offset, so only the list's own
    brackets and commas are read here."""
    decoder = json.JSONDecoder()
    items: list[tuple[object, int]] = []
    position = _JSON_SPACE.match(text, position + 1).end()
    closed = text[position:position + 1] == "]"
    while not closed:
        value, end = decoder.raw_decode(text, position)
        items.append((value, position))
        position = _JSON_SPACE.match(text, end).end()
        closed = text[position:position + 1] == "]"
        if not closed and text[position:position + 1] != ",":
            raise json.JSONDecodeError("Expecting ',' delimiter", text, position)
        if not closed:
            position = _JSON_SPACE.match(text, position + 1).end()
    rest = _JSON_SPACE.match(text, position + 1).end()
    if rest < len(text):
        raise json.JSONDecodeError("Extra data", text, rest)
    return items


def _csl_json_entries(path: Path, text: str) -> list[Entry]:
    start = _JSON_SPACE.match(text).end()
    try:
        if text[start:start + 1] == "[":
            items = _json_list_items(text, start)
        else:
            items = [(json.loads(text), start)]  # one item on its own
    except RecursionError:
        raise BibliographyError("CSL-JSON nested too deeply to be a bibliography", path=path) from None
    except json.JSONDecodeError as exc:
        raise BibliographyError(
            f"malformed CSL-JSON: {exc.msg} (column {exc.colno})",
            path=path, line=exc.lineno,
            hint="look for a missing or extra comma, quote or bracket just before this point",
        ) from None
    if text[start:start + 1] != "[" and not isinstance(items[0][0], dict):
        raise BibliographyError("CSL-JSON must be a list of items ([{\"id\": …}, …])", path=path, line=1)
    entries = []
    for item, offset in items:
        line = text.count("\n", 0, offset) + 1
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
        documents = [node for node in yaml.compose_all(text, Loader=SafeLoader) if node is not None]
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

def _bibtex_entries(path: Path, text: str) -> list[Entry]:
    """Keys and lines from bibtexparser (v2), which also finds an entry that is never closed.

    bibtexparser forgives more than pandoc does (a missing comma between fields, say); pandoc's
    own message for those names the line too (resolve/pandoc.py). Duplicate keys are left to
    `check_bibliographies`, which names both places.
    """
    import bibtexparser
    from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its failures come back as blocks
    library = bibtexparser.parse_string(text)
    entries = []
    for block in library.blocks:
        line = block.start_line + 1  # bibtexparser counts from 0
        if isinstance(block, DuplicateBlockKeyBlock):
            if isinstance(block.ignore_error_block, bibtexparser.model.Entry):  # not a second @string
                entries.append(Entry(block.key, path, line))
        elif isinstance(block, ParsingFailedBlock):
            reason = getattr(block.error, "abort_reason", None) or str(block.error) or "the entry cannot be read"
            raise BibliographyError(
                f"malformed BibTeX in the entry that starts here: {reason}",
                path=path, line=line,
                hint="look for an unbalanced brace or quote, or a missing comma, in this entry",
            )
        elif isinstance(block, bibtexparser.model.Entry):
            entries.append(Entry(block.key, path, line))
    return entries
