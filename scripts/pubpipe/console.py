"""What the tool says on the terminal: short by default, louder with -v, silent but errors with -q.

Warnings and errors are coloured when the output is a terminal (and NO_COLOR is unset), so they
stand out among the per-edition lines.
"""

from __future__ import annotations

import os
import sys

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL


def set_level(level: int) -> None:
    global _level
    _level = level


def _colour(code: str, text: str, stream) -> str:
    if stream.isatty() and not os.environ.get("NO_COLOR"):
        return f"\033[{code}m{text}\033[0m"
    return text


def info(message: str) -> None:
    if _level >= NORMAL:
        print(message, flush=True)


def detail(message: str) -> None:
    if _level >= VERBOSE:
        print(_colour("2", message, sys.stdout), flush=True)


def warning(message: str) -> None:
    print(_colour("33;1", "warning: ", sys.stderr) + message, file=sys.stderr, flush=True)


def error(message: str) -> None:
    print(_colour("31;1", "error: ", sys.stderr) + message, file=sys.stderr, flush=True)


def finding(message: str) -> None:
    """A difference or validator message: on stdout, after the summary lines it belongs to."""
    if _level >= QUIET:
        print(_colour("31", "✗ ", sys.stdout) + message, flush=True)


def human_size(size: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def plural(count: int, noun: str) -> str:
    """'1 finding', '2 findings'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
