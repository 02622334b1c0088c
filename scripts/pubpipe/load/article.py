"""The article folder and its typed metadata.

An article is a folder `source/<slug>/` holding `article.md` (YAML front matter and Pandoc
Markdown), its bibliography and its images. Everything is validated here, before pandoc runs,
because pandoc's own messages give lines inside the YAML block rather than in the file, treat a
missing citation as a warning, and let front matter name files anywhere on disk.

Front matter follows pandoc's and Quarto's conventions so that an existing pandoc article builds
unchanged: `author` may be a string, a list of strings, or a list of maps with `name`.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pubpipe.errors import ArticleError, UnsafeContentError
from pubpipe.paths import inside_folder

ARTICLE_FILE = "article.md"
PAPER_SIZES = ("a4", "letter")
# BCP 47 in the shape pandoc and the validators accept: language, optional script, region, variants.
LANG_PATTERN = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
URL_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# The zip format cannot store dates before 1980; an article with no date and no history gets this.
FALLBACK_EPOCH = 315532800


@dataclass(frozen=True)
class Metadata:
    """The front matter fields the editions use, as plain values. Rendered HTML comes from resolve."""

    title: str
    subtitle: str | None
    authors: list[str]
    lang: str
    date: str | None
    rights: str | None
    description: str | None
    keywords: list[str]
    identifier: str
    paper: str
    csl: str | None
    bibliography: list[str]
    original_file: str | None
    original_record: dict[str, Any] | None


@dataclass
class Article:
    slug: str
    folder: Path
    source: Path
    text: str
    metadata: Metadata
    body_start_line: int
    raw_meta: dict[str, Any] = field(repr=False, default_factory=dict)
    citation_keys: tuple[str, ...] = ()

    def line_of(self, needle: str) -> int | None:
        """The first line of article.md that contains `needle`, for error messages."""
        for number, line in enumerate(self.text.splitlines(), start=1):
            if needle in line:
                return number
        return None

    @property
    def date_epoch(self) -> int:
        """Seconds since 1970 for SOURCE_DATE_EPOCH: the article's date, else its last commit."""
        parsed = _parse_date(self.metadata.date)
        if parsed is not None:
            return max(parsed, FALLBACK_EPOCH)
        return _git_commit_time(self.folder) or FALLBACK_EPOCH


def load_article(folder: Path) -> Article:
    folder = folder.resolve()
    source = folder / ARTICLE_FILE
    if not source.is_file():
        raise ArticleError(
            "no article.md in this folder",
            path=folder,
            hint="every article is a folder source/<slug>/ with an article.md inside",
        )
    if not inside_folder(source, folder):
        raise UnsafeContentError(
            "article.md is a link to a file outside the article folder",
            path=source,
            hint="replace the link with the article file itself",
        )
    text = read_text_file(source)
    if not text.strip():
        raise ArticleError(
            "the article is empty",
            path=source,
            hint="write a front matter block ('---', 'title: …', '---') and the article's text below it",
        )
    front, body_start_line, body = split_front_matter(text, source)
    if not body.strip():
        raise ArticleError(
            "the article has no body text after its front matter",
            path=source,
            line=body_start_line,
            hint="write the article's text below the closing '---' of the front matter",
        )
    metadata = validate_metadata(front, folder, source, text)
    from pubpipe.bibliography import check_bibliographies, inline_entries  # they use read_text_file

    entries = check_bibliographies(folder, metadata.bibliography, inline_entries(front, source, text))
    return Article(
        slug=folder.name,
        folder=folder,
        source=source,
        text=text,
        metadata=metadata,
        body_start_line=body_start_line,
        raw_meta=front,
        citation_keys=tuple(entry.key for entry in entries),
    )


def read_text_file(path: Path) -> str:
    """Read a UTF-8 text file. A BOM and CRLF line ends are accepted (pandoc ignores them); bytes
    that are not UTF-8 and NUL bytes are refused with their offset, since they are nearly always a
    file saved in the wrong encoding or not a text file at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read the file: {exc.strerror}", path=path) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ArticleError(
            f"NUL byte at byte offset {nul}",
            path=path,
            line=data.count(b"\n", 0, nul) + 1,
            hint="this does not look like a text file; save it again as plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ArticleError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
            path=path,
            line=line,
            hint="save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


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


def _field_error(source: Path, text: str, key: str, message: str, hint: str | None = None) -> ArticleError:
    line = None
    for number, content in enumerate(text.split("\n"), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*:", content):
            line = number
            break
    return ArticleError(f"front matter field '{key}': {message}", path=source, line=line, hint=hint)


def _plain_string(front: dict, key: str, source: Path, text: str, required: bool = False) -> str | None:
    value = front.get(key)
    if value is None:
        if required:
            raise _field_error(source, text, key, "is missing", hint=f"add a line '{key}: …' to the front matter")
        return None
    if isinstance(value, (dt.date, int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _field_error(source, text, key, f"must be text, not a {type(value).__name__}")
    if required and not value.strip():
        raise _field_error(source, text, key, "is empty")
    return value.strip()


def _string_list(front: dict, key: str, source: Path, text: str) -> list[str]:
    value = front.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return [str(item).strip() for item in value]
    raise _field_error(source, text, key, "must be a list of text items or a comma-separated string")


def _authors(front: dict, source: Path, text: str) -> list[str]:
    value = front.get("author")
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            names.append(item["name"].strip())
        else:
            raise _field_error(
                source, text, "author",
                "each author must be a name or a map with 'name:'",
                hint="write 'author: Jane Doe', a list of names, or '- name: Jane Doe'",
            )
    return names


def _relative_file(value: str, key: str, folder: Path, source: Path, text: str) -> str:
    if URL_PATTERN.match(value) and not re.match(r"^[a-zA-Z]:[\\/]", value):
        raise UnsafeContentError(
            f"front matter field '{key}' names a URL ({value}); articles may only use their own files",
            path=source,
            line=_field_error(source, text, key, "").line,
            hint="download the file into the article folder and name it by its relative path",
        )
    if not inside_folder(folder / value, folder):
        raise UnsafeContentError(
            f"front matter field '{key}' names a file outside the article folder: {value}",
            path=source,
            line=_field_error(source, text, key, "").line,
            hint="copy the file into the article folder and name it by its relative path",
        )
    if not (folder / value).is_file():
        raise _field_error(source, text, key, f"the file {value} does not exist in {folder}")
    return value


def validate_metadata(front: dict[str, Any], folder: Path, source: Path, text: str) -> Metadata:
    title = _plain_string(front, "title", source, text, required=True)
    lang = _plain_string(front, "lang", source, text) or "en"
    if not LANG_PATTERN.match(lang):
        raise _field_error(source, text, "lang", f"'{lang}' is not a language tag", hint="use a BCP 47 tag such as en, en-GB or ru")
    paper = (_plain_string(front, "paper", source, text) or "a4").lower()
    if paper not in PAPER_SIZES:
        raise _field_error(source, text, "paper", f"'{paper}' is not a known paper size", hint="use a4 or letter")
    bibliography = front.get("bibliography")
    if isinstance(bibliography, str):
        bibliography = [bibliography]
    if bibliography is None:
        bibliography = []
    if not isinstance(bibliography, list) or not all(isinstance(item, str) for item in bibliography):
        raise _field_error(source, text, "bibliography", "must be a file name or a list of file names")
    bibliography = [_relative_file(item, "bibliography", folder, source, text) for item in bibliography]
    csl = _plain_string(front, "csl", source, text)
    # citeproc reads this file itself, outside pandoc's --sandbox; the editions do not use it.
    abbreviations = front.get("citation-abbreviations")
    if abbreviations is not None:
        _relative_file(str(abbreviations), "citation-abbreviations", folder, source, text)
    original = front.get("original")
    original_file = original_record = None
    if original is not None:
        if not isinstance(original, dict):
            raise _field_error(source, text, "original", "must be a map with 'file:' and/or 'record:'")
        if original.get("file") is not None:
            original_file = _relative_file(str(original["file"]), "original", folder, source, text)
        if original.get("record") is not None:
            if not isinstance(original["record"], dict) or not original["record"].get("type"):
                raise _field_error(
                    source, text, "original",
                    "'record:' must be a CSL item with at least 'type:' and 'title:'",
                )
            original_record = original["record"]
    authors = _authors(front, source, text)
    identifier = _plain_string(front, "identifier", source, text) or derived_identifier(title, authors, folder.name)
    return Metadata(
        title=title,
        subtitle=_plain_string(front, "subtitle", source, text),
        authors=authors,
        lang=lang,
        date=_plain_string(front, "date", source, text),
        rights=_plain_string(front, "rights", source, text),
        description=_plain_string(front, "description", source, text),
        keywords=_string_list(front, "keywords", source, text),
        identifier=identifier,
        paper=paper,
        csl=csl,
        bibliography=bibliography,
        original_file=original_file,
        original_record=original_record,
    )


def derived_identifier(title: str, authors: list[str], slug: str) -> str:
    """A stable identifier from the metadata: the same article always gets the same UUID."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([slug, title, *authors])))


def _parse_date(value: str | None) -> int | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            parsed = dt.datetime.strptime(value.strip()[: len(dt.datetime(2000, 1, 1).strftime(pattern))], pattern)
        except ValueError:
            continue
        return int(parsed.replace(tzinfo=dt.timezone.utc).timestamp())
    return None


def _git_commit_time(folder: Path) -> int | None:
    """The last commit time of the folder in the editor's repository.

    An article folder that carries its own `.git` is not asked: its config could make `git log`
    run a program (gpg.program with log.showSignature, for one).
    """
    if (folder / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-c", "log.showSignature=false", "log", "-1", "--no-show-signature", "--format=%ct", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


def find_articles(source_root: Path) -> list[Path]:
    """Every folder directly under source/ that holds an article.md, in a stable order."""
    return sorted(path.parent for path in source_root.glob(f"*/{ARTICLE_FILE}"))
