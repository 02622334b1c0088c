"""The YAML front matter block at the top of article.md, parsed with its line numbers kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pubpipe.errors import ArticleError


def split_front_matter(text: str, source: Path) -> tuple[dict[str, Any], int, str]:
    """Split the leading YAML block from the body; return (mapping, first body line, body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ArticleError(
            "the article does not start with a YAML front matter block",
            path=source,
            line=1,
            hint="begin article.md with a line '---', the metadata (at least 'title:'), and '---'",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            end = index
            break
    else:
        raise ArticleError(
            "the front matter block is never closed",
            path=source,
            line=1,
            hint="end the metadata with a line holding only '---'",
        )
    block = "\n".join(lines[1:end])
    try:
        front = yaml.safe_load(block)
    except RecursionError:
        raise ArticleError("the front matter is nested too deeply", path=source, line=2) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 2 if mark is not None else 1
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
            line=2,
        )
    return front, end + 2, "\n".join(lines[end + 1 :])
