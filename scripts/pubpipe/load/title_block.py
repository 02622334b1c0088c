"""pandoc's `%` title block: the oldest way to give a Markdown file its title, authors and date.

    % The title, which may go on
      over indented lines
    % First Author; Second Author
    % 11 October 2019

pandoc reads it by itself (extension `pandoc_title_block`, on by default); it is read here too so
that the load step knows the title, the authors and the date with their lines, exactly as it knows
them from a YAML block. A field may be left empty (`%` alone); authors are separated by `;` or by
indented continuation lines, as pandoc's manual describes.
"""

from __future__ import annotations

from typing import Any

from pubpipe.load.key_lines import KeyLines

FIELDS = ("title", "author", "date")


def starts_with_title_block(lines: list[str]) -> bool:
    return bool(lines) and lines[0].startswith("%")


def read_title_block(lines: list[str]) -> tuple[dict[str, Any], KeyLines, int]:
    """(metadata, its lines, index of the first body line) for text that starts with a `%` line."""
    groups: list[tuple[int, list[str]]] = []  # (line number, pieces) for each `%` field
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("%"):
            groups.append((index + 1, [line[1:].strip()]))
        elif groups and line[:1] in (" ", "\t") and line.strip():
            groups[-1][1].append(line.strip())
        else:
            break
        index += 1
    front: dict[str, Any] = {}
    found: dict[tuple, int] = {}
    for name, (number, pieces) in zip(FIELDS, groups):
        if name == "author":
            names = [part.strip() for piece in pieces for part in piece.split(";") if part.strip()]
            if names:
                front["author"] = names
                found[("author",)] = number
        elif " ".join(pieces).strip():
            front[name] = " ".join(pieces).strip()
            found[(name,)] = number
    return front, KeyLines(found, default=1), index
