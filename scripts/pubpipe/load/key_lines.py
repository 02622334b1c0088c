"""Where each value of the front matter stands in article.md, so that a notice can give its line.

PyYAML's `safe_load` forgets positions; its composer keeps them on every node. The front matter is
composed once more here and every key and list item is mapped, by its path from the root
(`("author", 0, "affiliation")`), to its line in article.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, NoReturn

import yaml
from pubpipe.load.yaml_loader import SafeLoader

Path = tuple[Hashable, ...]


class KeyLines:
    """Lines of article.md by path; a path not found falls back to its nearest known ancestor."""

    def __init__(self, lines: dict[Path, int] | None = None, default: int | None = None):
        self._lines = dict(lines or {})
        self.default = default

    def line(self, *path: Hashable) -> int | None:
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self.default

    @classmethod
    def of_yaml(cls, block: str, first_line: int) -> "KeyLines":
        """`block` is the YAML text whose first line is line `first_line` of article.md."""
        try:
            root = yaml.compose(block, Loader=SafeLoader)
        except (yaml.YAMLError, RecursionError):
            return cls(default=first_line)
        found: dict[Path, int] = {}
        _walk(root, (), found, first_line, SafeLoader(""))
        return cls(found, default=first_line)


def shown_key(key: Hashable) -> str:
    """A key as YAML writes it, for messages: `null`, `true`, `3` (the loaded key is None, True, 3)."""
    return key if isinstance(key, str) else yaml.safe_dump(key).split("\n")[0]


def _walk(node, path: Path, found: dict[Path, int], offset: int, loader: SafeLoader) -> None:
    """Paths use the keys as loaded (`null:` is None, `3:` is 3), as the code that asks for a line has them."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (_loaded_key(key, loader),)
            found.setdefault(child, key.start_mark.line + offset)
            _walk(value, child, found, offset, loader)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            found.setdefault(child, item.start_mark.line + offset)
            _walk(item, child, found, offset, loader)


def _loaded_key(key, loader: SafeLoader) -> Hashable:
    if not isinstance(key, yaml.ScalarNode):
        return id(key)
    try:
        value = loader.construct_object(key)
        hash(value)
        return value
    except (yaml.YAMLError, TypeError, ValueError):
        return key.value


@dataclass
class Notices:
    """Warnings with their lines in article.md, gathered while the front matter is read; and
    refusals, for what is not a form of any convention."""

    lines: KeyLines
    items: list[tuple[int | None, str]] = field(default_factory=list)
    source: object = None  # article.md, for refusals

    def warn(self, path: tuple, message: str) -> None:
        self.items.append((self.lines.line(*path), message))

    def refuse(self, path: tuple, message: str, hint: str | None = None) -> NoReturn:
        from pubpipe.errors import ArticleError

        raise ArticleError(message, path=self.source, line=self.lines.line(*path), hint=hint)
