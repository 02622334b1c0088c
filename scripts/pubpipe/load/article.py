"""The article folder: article.md, its validated metadata and its bibliography.

An article is a folder `source/<slug>/` holding `article.md` (YAML front matter and Pandoc
Markdown; or a JOSS `paper.md`, a Quarto `.qmd`: see load/folders.py), its bibliography and its
images. Everything is validated here, before pandoc runs,
because pandoc's own messages give lines inside the YAML block rather than in the file, treat a
missing citation as a warning, and let front matter name files anywhere on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pubpipe.errors import ArticleError, UnsafeContentError
from pubpipe.load.bibliography import Entry
from pubpipe.load.dates import FALLBACK_EPOCH, git_commit_time
from pubpipe.load.folders import find_article_file, slug_problem
from pubpipe.load.foreign_syntax import foreign_syntax
from pubpipe.load.front_matter import split_front_matter
from pubpipe.load.key_lines import KeyLines
from pubpipe.load.title_block import read_title_block, starts_with_title_block
from pubpipe.load.metadata import Metadata, validate_metadata
from pubpipe.load.text_file import read_text_file
from pubpipe.runtime.paths import HARD_LINK_HINT, hard_linked, inside_folder


@dataclass
class Article:
    slug: str
    folder: Path
    source: Path
    text: str
    metadata: Metadata
    body_start_line: int
    raw_meta: dict[str, Any] = field(repr=False, default_factory=dict)
    bibliography_entries: tuple[Entry, ...] = ()  # each key and where it is defined, for errors

    @property
    def citation_keys(self) -> tuple[str, ...]:
        return tuple(entry.key for entry in self.bibliography_entries)

    def line_of(self, needle: str) -> int | None:
        """The first line of article.md that contains `needle`, for error messages."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return None

    @property
    def date_epoch(self) -> int:
        """Seconds since 1970 for SOURCE_DATE_EPOCH: the article's date, else its last commit."""
        if self.metadata.date_epoch is not None:
            return max(self.metadata.date_epoch, FALLBACK_EPOCH)
        return git_commit_time(self.folder) or FALLBACK_EPOCH


def load_article(folder: Path) -> Article:
    folder = folder.resolve()
    problem = slug_problem(folder)
    if problem is not None:
        raise problem
    source = find_article_file(folder)
    if not inside_folder(source, folder):
        raise UnsafeContentError(
            f"{source.name} is a link to a file outside the article folder",
            path=source,
            hint="replace the link with the article file itself",
        )
    if hard_linked(source):
        raise UnsafeContentError(f"{source.name} is a hard link to a file that may lie outside the article folder",
                                 path=source, hint=HARD_LINK_HINT)
    text = read_text_file(source)
    if not text.strip():
        raise ArticleError(
            "the article is empty",
            path=source,
            hint="write a front matter block ('---', 'title: …', '---') and the article's text below it",
        )
    front, lines, body_start_line, body = read_front(text, source)
    if not body.strip():
        raise ArticleError(
            "the article has no body text after its front matter",
            path=source,
            line=body_start_line,
            hint="write the article's text below the closing '---' of the front matter",
        )
    metadata = validate_metadata(front, folder, source, text, lines, body)
    metadata = replace(metadata, notices=metadata.notices + tuple(foreign_syntax(body, body_start_line, front)))
    from pubpipe.load.bibliography import check_bibliographies, inline_entries

    entries = check_bibliographies(folder, metadata.bibliography, inline_entries(front, source, text))
    return Article(
        slug=folder.name,
        folder=folder,
        source=source,
        text=text,
        metadata=metadata,
        body_start_line=body_start_line,
        raw_meta=front,
        bibliography_entries=tuple(entries),
    )


def read_front(text: str, source: Path) -> tuple[dict[str, Any], KeyLines, int, str]:
    """The front matter (a YAML block, or pandoc's `%` title block), where each key stands, the
    first line of the body, and the body."""
    all_lines = text.split("\n")
    if starts_with_title_block(all_lines):
        front, lines, body_index = read_title_block(all_lines)
        return front, lines, body_index + 1, "\n".join(all_lines[body_index:])
    front, body_start_line, body = split_front_matter(text, source)
    block = "\n".join(all_lines[1: body_start_line - 2])
    return front, KeyLines.of_yaml(block, first_line=2), body_start_line, body

