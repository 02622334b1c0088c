"""Error types that the command line turns into a message and an exit status.

Every user error names what was wrong (file, line, field, key) and what to do about it, because an
editor reading it has no traceback and should not need one. Each class has its own exit status so
that scripts calling us can tell the causes apart; the table is documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class PubpipeError(Exception):
    """A failure the user can act on. `hint` says what to do instead."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    hint: str | None = None

    exit_code = 1

    def location(self) -> str:
        if self.path is None:
            return ""
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        return where

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}" if self.path is not None else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __reduce__(self):
        # Exceptions pickle through `args`, which the dataclass constructor leaves short; the PDF
        # is rendered in a child process (pubpipe.runtime.limits) that sends its error back by pickle.
        return (type(self), (self.message, self.path, self.line, self.hint))


class UsageError(PubpipeError):
    """Wrong command-line arguments or make variables."""

    exit_code = 2


class ArticleError(PubpipeError):
    """The article folder or its front matter is malformed."""

    exit_code = 3


class PackError(PubpipeError):
    """A pack file (packs/<name>.yaml) is malformed or names articles that cannot be had."""

    exit_code = 3


class BibliographyError(PubpipeError):
    """The bibliography file, a citation key or the CSL style is wrong."""

    exit_code = 4


class ResourceError(PubpipeError):
    """An image or other file the article refers to is missing or not allowed."""

    exit_code = 5


class UnsafeContentError(PubpipeError):
    """The article tries to reach outside its folder, the network, or to run code in a reader."""

    exit_code = 6


class LimitError(PubpipeError):
    """A tool ran past its time or memory limit."""

    exit_code = 7


class ToolError(PubpipeError):
    """A tool we depend on (pandoc, WeasyPrint, a validator) failed or is missing."""

    exit_code = 8


class OutputError(PubpipeError):
    """An output folder cannot be written."""

    exit_code = 9


class CheckFailed(PubpipeError):
    """`check` found differences between editions or validator complaints."""

    exit_code = 10
