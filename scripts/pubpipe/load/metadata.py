"""The front matter fields the editions use, validated into plain values with their lines.

Front matter follows the conventions of pandoc, Quarto, R Markdown, JOSS and pandoc-scholar so that
an article its author already has builds unchanged: the authors' forms are read by
pubpipe.load.authors, dates by pubpipe.load.dates, and keys that no convention defines are reported
by pubpipe.load.conventions. What cannot be honoured becomes a notice with its line (`notices`),
which the build prints as a warning.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pubpipe.errors import ArticleError, ResourceError, UnsafeContentError
from pubpipe.load.authors import Author, read_authors
from pubpipe.load.rights import rights_statement
from pubpipe.load.conventions import describe_ignored, ignored_keys, not_followed, unknown_keys
from pubpipe.load.foreign_syntax import meta_keys
from pubpipe.load.crossref_words import ReferenceWords, read_reference_words
from pubpipe.load.dates import read_date
from pubpipe.load.key_lines import KeyLines, Notices, shown_key
from pubpipe.runtime.paths import HARD_LINK_HINT, hard_linked, inside_folder

PAPER_SIZES = ("a4", "letter")
# BCP 47 in the shape pandoc and the validators accept: language, optional script, region, variants.
LANG_PATTERN = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
URL_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Metadata:
    """The front matter fields the editions use, as plain values. Rendered HTML comes from resolve."""

    title: str
    subtitle: str | None
    authors: list[Author]
    lang: str
    date: str | None  # as written
    rights: str | None
    description: str | None
    keywords: list[str]
    identifier: str
    paper: str
    csl: str | None
    csl_field: str  # "csl", or pandoc's other name for it, "citation-style"
    bibliography: list[str]
    citation_abbreviations: str | None
    original_file: str | None
    original_record: dict[str, Any] | None
    date_iso: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD, for the metadata slots
    date_epoch: int | None = None
    date_shown: bool = True  # False when `date:` holds no date to show (R code, Quarto's `today`)
    lang_given: bool = True
    doi: str | None = None
    citation: dict[str, Any] | None = None  # Quarto's `citation:`, the article's own CSL item
    extra_citation_fields: dict[str, Any] = field(default_factory=dict)  # publisher:, url: …
    notices: tuple[tuple[int | None, str], ...] = ()  # (line, message): reported, never fatal
    ignored: str = ""  # keys of other conventions that the editions do not use, for `pubpipe -v`
    # pandoc-crossref's and Quarto's words for captions and references (figPrefix: Fig.)
    reference_words: ReferenceWords = field(default_factory=ReferenceWords)

    @property
    def author_names(self) -> list[str]:
        return [author.name for author in self.authors]

    @property
    def affiliations(self) -> list[str]:
        """Every author's affiliations, each once, in order of first mention (they are numbered so)."""
        return list(dict.fromkeys(name for author in self.authors for name in author.affiliations))


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
    if required and not any(visible(char) for char in value):
        raise _field_error(source, text, key, "has no visible character, only zero-width or other invisible ones",
                           hint=f"write the {key} in words; an invisible heading cannot be read or found")
    return value.strip()


def _web_address(front: dict, source: Path, text: str) -> str | None:
    """The article's `url:`, which the editions link and the metadata publish: an http(s) address,
    since a reader's browser would run a `javascript:` one."""
    url = _plain_string(front, "url", source, text)
    if url is not None and not re.match(r"https?://[^\s/]", url, re.IGNORECASE):
        raise _field_error(source, text, "url", f"'{url}' is not a web address",
                           hint="give the article's address on the web, beginning with https://")
    return url


WEB_ADDRESS = re.compile(r"https?://[^\s/]", re.IGNORECASE)
DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+", re.IGNORECASE)


def _check_record_addresses(record: dict, where: str, source: Path, text: str) -> None:
    """A record's URL and DOI are published (citation_public_url, citation_doi, the BibTeX, RIS and
    CSL-JSON downloads) and followed by citation managers: a URL is held to http(s), like `url:`,
    and a DOI to a DOI's form, so that no `javascript:` address goes out under either."""
    for key in ("URL", "url"):
        value = record.get(key)
        if value is not None and not WEB_ADDRESS.match(str(value).strip()):
            raise _field_error(source, text, key, f"'{str(value)[:60]}' in {where} is not a web address",
                               hint="give the address on the web, beginning with https://")
    for key in ("DOI", "doi"):
        value = record.get(key)
        if value is not None and not DOI.fullmatch(str(value).strip()):
            raise _field_error(source, text, key, f"'{str(value)[:60]}' in {where} is not a DOI",
                               hint="give the DOI as 10.NNNN/… (or https://doi.org/10.NNNN/…), or leave it out")


# Letters that show nothing: Hangul fillers and the blank Braille pattern.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def visible(char: str) -> bool:
    """Whether a character leaves a mark: not a space, a control, a format character (zero-width
    space, joiners, direction marks, soft hyphen), a combining mark on its own, or a blank letter."""
    import unicodedata

    return not char.isspace() and char not in BLANK_LETTERS and unicodedata.category(char) not in (
        "Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn")


def _string_list(front: dict, key: str, source: Path, text: str) -> list[str]:
    value = front.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, (str, int, float)) for item in value):
        return [str(item).strip() for item in value]
    raise _field_error(source, text, key, "must be a list of text items or a comma-separated string")


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
        # A missing file the article refers to, like a missing image: exit 5 (the README's table).
        raise ResourceError(
            f"front matter field '{key}': the file {value} does not exist in {folder}",
            path=source,
            line=_field_error(source, text, key, "").line,
            hint=f"put {value} in the article folder, or correct the name",
        )
    if hard_linked(folder / value):
        raise UnsafeContentError(
            f"front matter field '{key}' names a hard link ({value}), which may be a file outside the article folder",
            path=source, line=_field_error(source, text, key, "").line, hint=HARD_LINK_HINT,
        )
    return value


def validate_metadata(front: dict[str, Any], folder: Path, source: Path, text: str,
                      lines: KeyLines | None = None, body: str = "") -> Metadata:
    lines = lines or KeyLines(default=1)
    notices = Notices(lines, source=source)
    title = _plain_string(front, "title", source, text, required=True)
    given_lang = _plain_string(front, "lang", source, text)
    lang = given_lang or _guessed_language(body, notices, lines)
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
    alias = _plain_string(front, "citation-style", source, text)  # pandoc's other name for csl
    if csl and alias:
        raise _field_error(source, text, "citation-style", "names a style as well as 'csl:'",
                           hint="pandoc would ignore 'citation-style:'; keep only 'csl:'")
    csl_field = "citation-style" if alias and not csl else "csl"
    csl = csl or alias
    # citeproc reads this file itself, outside pandoc's --sandbox; resolve passes it on.
    abbreviations = _plain_string(front, "citation-abbreviations", source, text)
    if abbreviations is not None:
        abbreviations = _relative_file(abbreviations, "citation-abbreviations", folder, source, text)
    original = front.get("original")
    original_file = original_record = None
    if isinstance(original, str):
        # The Programming Historian names the lesson a translation comes from: `original: slug`.
        notices.warn(("original",), f"'original: {original}' names no file or record (the Programming Historian's "
                     "form, for the lesson a translation comes from); it is ignored. pubpipe's 'original:' is a map "
                     "with 'file:' and/or 'record:'")
        original = None
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
            _check_record_addresses(original_record, "original: record:", source, text)
    if isinstance(front.get("citation"), dict):
        _check_record_addresses(front["citation"], "citation:", source, text)
    if front.get("doi") is not None:
        _check_record_addresses({"doi": front["doi"]}, "doi:", source, text)
    authors = read_authors(front, notices)
    names = [author.name for author in authors]
    identifier = _plain_string(front, "identifier", source, text) or derived_identifier(title, names, folder.name)
    date = front.get("date")
    read = read_date(date, lang, given_lang is not None, folder) if date is not None else None
    if read is not None and read.problem:
        notices.warn(("date",), f"the date {read.problem}; the editions carry no date in their metadata"
                     + (f" (hint: {read.hint})" if read.hint else ""))
    reference_words = read_reference_words(front, notices)
    shown_in_text = meta_keys(body)
    for key, why in not_followed(front):
        notices.warn((key,), f"'{key}:' is not honoured: {why}")
    for key, nearest in unknown_keys(front):
        if key in shown_in_text:
            continue
        guess = f"; did you mean '{nearest}'?" if nearest else ""
        notices.warn((key,), f"unknown front matter key '{shown_key(key)}' is ignored{guess}")
    keywords_key = "keywords" if front.get("keywords") is not None else "tags"
    rights = rights_statement(front, _plain_string(front, "rights", source, text), notices)
    return Metadata(
        title=title,
        subtitle=_plain_string(front, "subtitle", source, text),
        authors=authors,
        lang=lang,
        date=_plain_string(front, "date", source, text),
        date_iso=read.iso if read else None,
        date_epoch=read.epoch if read else None,
        date_shown=read.shown if read else True,
        lang_given=given_lang is not None,
        doi=_plain_string(front, "doi", source, text),
        citation=front.get("citation") if isinstance(front.get("citation"), dict) else None,
        extra_citation_fields={key: front[key] for key in ("publisher", "container-title") if front.get(key) is not None}
        | ({"url": url} if (url := _web_address(front, source, text)) else {}),
        notices=tuple(notices.items),
        ignored=describe_ignored(ignored_keys(front)),
        reference_words=reference_words,
        rights=rights,
        description=_plain_string(front, "description", source, text),
        keywords=_string_list(front, keywords_key, source, text),
        identifier=identifier,
        paper=paper,
        csl=csl,
        csl_field=csl_field,
        bibliography=bibliography,
        citation_abbreviations=abbreviations,
        original_file=original_file,
        original_record=original_record,
    )


def _guessed_language(body: str, notices: Notices, lines: KeyLines) -> str:
    """The detected language when there is no `lang:` and the text says clearly (see language.py)."""
    from pubpipe.load.language import DEFAULT, guess_language

    guess = guess_language(body)
    if guess is None or guess.lang.split("-")[0] == DEFAULT:
        return DEFAULT
    notices.warn(("title",), f"no 'lang:' is given and the text reads as '{guess.lang}' "
                 f"(certainty {guess.probability:.2f}); the editions are marked '{guess.lang}': "
                 f"add 'lang: {guess.lang}' to the front matter to say so")
    return guess.lang


def derived_identifier(title: str, authors: list[str], slug: str) -> str:
    """A stable identifier from the metadata: the same article always gets the same UUID."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join([slug, title, *authors])))
