"""The YAML front matter block at the top of article.md, found by pandoc's rules and parsed with
its line numbers kept.

Where the block ends must be where pandoc ends it, or the two of us read different metadata:
pandoc opens a block only at a line `---` that is not followed by a blank line (otherwise it is
a horizontal rule), and closes it only at a line that starts with `---` or `...` in the first
column. An indented `---` inside a block scalar (`note: |`) does not close it. The resolve step
hands pandoc exactly this block and the body after it (pubpipe.resolve.pandoc), so a metadata
block anywhere else is found by pandoc itself and refused there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pubpipe.errors import ArticleError
from pubpipe.load.yaml_loader import SafeLoader

# pandoc's yamlMetaBlock: "---" then only spaces or tabs; the closing line "---" or "..." likewise.
OPENING = re.compile(r"^---[ \t]*$")
CLOSING = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split_front_matter(text: str, source: Path) -> tuple[dict[str, Any], int, str]:
    """Split the leading YAML block from the body; return (mapping, first body line, body)."""
    lines = text.split("\n")
    if not OPENING.match(lines[0]):
        raise ArticleError(
            "the article does not start with a YAML front matter block",
            path=source,
            line=1,
            hint="begin article.md with a line '---', the metadata (at least 'title:'), and '---'",
        )
    if len(lines) > 1 and not lines[1].strip():
        raise ArticleError(
            "a blank line follows the opening '---', so pandoc reads that line as a horizontal rule "
            "and not as the start of the front matter",
            path=source,
            line=2,
            hint="remove the blank line: the metadata starts on the line right after '---'",
        )
    end = next((index for index in range(1, len(lines)) if CLOSING.match(lines[index])), None)
    if end is None:
        raise ArticleError(
            "the front matter block is never closed",
            path=source,
            line=1,
            hint="end the metadata with a line holding only '---', at the start of the line",
        )
    front = parse_yaml_block("\n".join(lines[1:end]), source, first_line=2)
    return front, end + 2, "\n".join(lines[end + 1 :])


class _UniqueKeyLoader(SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one map.

    pandoc, like PyYAML, silently keeps the last of two equal keys (with a warning nobody reads),
    so a second `bibliography:` further down would quietly replace the first.
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                line = key_node.start_mark.line
                try:
                    if key in seen:
                        raise _DuplicateKey(key_node.value, seen[key], line)  # as written: `null`, not None
                    seen[key] = line
                except TypeError:  # an unhashable key; PyYAML itself refuses it below
                    continue
        return super().construct_mapping(node, deep=deep)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, first: int, line: int):
        super().__init__(key)
        self.key, self.first, self.line = key, first, line


def parse_yaml_block(block: str, source: Path, first_line: int) -> dict[str, Any]:
    """The mapping of a YAML block whose first line is line `first_line` of `source`."""
    try:
        front = yaml.load(block, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except RecursionError:
        raise ArticleError("the front matter is nested too deeply", path=source, line=first_line) from None
    except _DuplicateKey as exc:
        raise ArticleError(
            f"the key '{exc.key}' is given twice in the front matter (first at line {exc.first + first_line})",
            path=source,
            line=exc.line + first_line,
            hint="pandoc would silently use only the last one; keep one and remove the other",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + first_line if mark is not None else first_line - 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArticleError(
            f"malformed YAML front matter: {problem}",
            path=source,
            line=line,
            hint="check the indentation and quote values that contain ':' or start with a symbol",
        ) from None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        raise ArticleError(
            "the front matter must be a mapping of 'key: value' lines",
            path=source,
            line=first_line,
        )
    return front
