"""The article's date, as people write it, read into an ISO date for the metadata.

Authors write `2019-10-11`, `11 October 2019`, `October 11, 2019`, `11.10.2019`, `11. Oktober
2019` or `2019年10月11日`. The editions show the date as written; the metadata slots (EPUB
`dc:date`, the HTML's `DC.date` and `citation_publication_date`, the PDF's dates through
SOURCE_DATE_EPOCH) need ISO 8601. Month names and the order of day, month and year come from the
Unicode CLDR for the article's language (through Babel), so a German `11.10.2019` is the 11th of
October and a US `10/11/2019` is too. A numeric date that could be read both ways is not guessed:
without a `lang:` that decides (a region, or a language that writes only one order) it is reported.

A date that cannot be read is reported with its line and left out of the metadata; none is
invented. Quarto's keywords are handled where a reproducible build allows it: `last-modified`
becomes the last commit of the article folder; `today` and `now` would change with every build,
so they are reported.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The zip format cannot store dates before 1980; an article with no date and no history gets this.
FALLBACK_EPOCH = 315532800

ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$"
)
NUMERIC = re.compile(r"^(\d{1,4})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{1,4})\.?$")
YEAR_MONTH_DAY_CJK = re.compile(r"^(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(?:(\d{1,2})\s*[日일])?$")
R_INLINE = re.compile(r"`r\s[^`]*`")
QUARTO_KEYWORDS = ("today", "now", "last-modified")
# Languages in which one order of day and month is written; English is written both ways, so
# `en` decides only with a region (en-US month first, en-GB day first).
ENGLISH = "en"


@dataclass(frozen=True)
class ReadDate:
    """`iso` is YYYY, YYYY-MM or YYYY-MM-DD (what EPUB's dc:date allows); `problem` says why none."""

    iso: str | None
    epoch: int | None = None
    problem: str | None = None
    hint: str | None = None
    shown: bool = True  # False for values that are no date to show (`today`, R code)


def read_date(value, lang: str | None, lang_given: bool, folder: Path | None = None) -> ReadDate:
    """Read `value` (a YAML scalar) in the article's language."""
    if isinstance(value, dt.datetime):
        return _of(value.date().isoformat(), value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc))
    if isinstance(value, dt.date):
        return _of(value.isoformat())
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return ReadDate(None, problem="is not a date", hint="write the date as 2019-10-11 or 11 October 2019")
    text = " ".join(value.split())
    if R_INLINE.search(text):
        return ReadDate(None, shown=False, problem=f"'{text}' is R code, which only R Markdown's knitr runs",
                        hint="write the date itself, for example 2019-10-11")
    if text.lower() in QUARTO_KEYWORDS:
        return _quarto_keyword(text.lower(), folder)
    return (_iso(text) or _cjk(text) or _numeric(text, lang, lang_given) or _with_month_name(text, lang)
            or ReadDate(None, problem=f"'{text}' is not a date we can read",
                        hint="write it as 2019-10-11, 11 October 2019 or October 11, 2019 "
                        "(month names in the article's language are understood too)"))


def _of(iso: str, moment: dt.datetime | None = None) -> ReadDate:
    if moment is None:
        parts = [int(p) for p in iso.split("-")] + [1, 1]
        moment = dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.timezone.utc)
    return ReadDate(iso, int(moment.timestamp()))


def _checked(year: int, month: int | None = None, day: int | None = None) -> ReadDate | None:
    try:
        dt.date(year, month or 1, day or 1)
    except ValueError:
        return None
    if year < 1:
        return None
    iso = f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
    return _of(iso)


def _iso(text: str) -> ReadDate | None:
    match = ISO.match(text)
    if not match:
        return None
    year, month, day = int(match["y"]), match["m"], match["d"]
    read = _checked(year, int(month) if month else None, int(day) if day else None)
    if read is None:
        return ReadDate(None, problem=f"'{text}' is not a valid date", hint="check the month and the day")
    if match["time"] and day:
        zone = match["zone"] or "Z"
        moment = dt.datetime.fromisoformat(f"{read.iso}T{match['time']}{'+00:00' if zone == 'Z' else zone}")
        return ReadDate(read.iso, int(moment.timestamp()))
    return read


def _cjk(text: str) -> ReadDate | None:
    match = YEAR_MONTH_DAY_CJK.match(text)
    if not match:
        return None
    return _checked(int(match[1]), int(match[2]), int(match[3]) if match[3] else None) or ReadDate(
        None, problem=f"'{text}' is not a valid date", hint="check the month and the day")


def _numeric(text: str, lang: str | None, lang_given: bool) -> ReadDate | None:
    match = NUMERIC.match(text)
    if not match:
        return None
    first, _, second, third = match.groups()
    if len(first) == 4:
        return _checked(int(first), int(second), int(third)) or ReadDate(
            None, problem=f"'{text}' is not a valid date", hint="year, month, day: check the month and the day")
    if len(third) != 4:
        return ReadDate(None, problem=f"'{text}' has a two-digit year",
                        hint="write the year in full, or better the whole date as 2019-10-11")
    a, b, year = int(first), int(second), int(third)
    order = _day_month_order(lang) if lang_given else None
    if a > 12 >= b:
        order = "dm"
    elif b > 12 >= a:
        order = "md"
    elif a == b:
        order = "dm"
    if order is None:
        return ReadDate(None, problem=f"'{text}' could be {_spoken(year, b, a)} or {_spoken(year, a, b)}",
                        hint="write the date as YYYY-MM-DD, or set lang: to a language or region that "
                        "writes one order (en-GB or de: day first; en-US: month first)")
    day, month = (a, b) if order == "dm" else (b, a)
    return _checked(year, month, day) or ReadDate(None, problem=f"'{text}' is not a valid date",
                                                  hint="check the month and the day")


def _spoken(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).strftime("%-d %B %Y")
    except ValueError:
        return f"{year}-{month:02d}-{day:02d}"


def _locale(lang: str | None):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse((lang or ENGLISH).replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return None


def _day_month_order(lang: str | None) -> str | None:
    """'dm' or 'md' from CLDR's short date pattern of `lang`; None for bare English (both occur)."""
    if not lang or lang.lower() == ENGLISH:
        return None
    from babel.dates import get_date_format

    locale = _locale(lang)
    if locale is None:
        return None
    pattern = get_date_format("short", locale=locale).pattern
    day, month = pattern.find("d"), pattern.find("M")
    if day < 0 or month < 0:
        return None
    return "dm" if day < month else "md"


@functools.lru_cache(maxsize=16)
def _month_names(lang: str | None) -> dict[str, int]:
    """Every spelling of each month in `lang` and in English, casefolded, without a final dot."""
    from babel.dates import get_month_names

    names: dict[str, int] = {}
    for locale in filter(None, {_locale(lang), _locale(ENGLISH)}):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    names.setdefault(name.casefold().rstrip("."), number)
    names.setdefault("sept", 9)
    return names


WORD = re.compile(r"\d+|[^\W\d_]+\.?", re.UNICODE)
FILLER = {"de", "del", "le", "la", "der", "den", "the", "of", "am", "el", "г", "года"}


def _with_month_name(text: str, lang: str | None) -> ReadDate | None:
    """`11 October 2019`, `October 11, 2019`, `11. Oktober 2019`, `le 11 octobre 2019`,
    `Oct. 2019`: one month name, a day of at most two digits, a year of four."""
    months = _month_names(lang)
    month = day = year = None
    for token in WORD.findall(text):
        if token.isdigit():
            if len(token) == 4 and year is None:
                year = int(token)
            elif len(token) <= 2 and day is None:
                day = int(token)
            else:
                return None
            continue
        name = token.casefold().rstrip(".")
        if name in months and month is None:
            month = months[name]
        elif name not in FILLER and not re.fullmatch(r"(st|nd|rd|th|er|e)", name):
            return None  # a word that is no month: "Spring 2019", "circa 1900"
    if month is None or year is None:
        return None
    return _checked(year, month, day) or ReadDate(None, problem=f"'{text}' is not a valid date",
                                                  hint="check the day of the month")


def _quarto_keyword(keyword: str, folder: Path | None) -> ReadDate:
    if keyword == "last-modified":
        when = git_commit_time(folder) if folder else None
        if when is not None:
            day = dt.datetime.fromtimestamp(when, dt.timezone.utc).date().isoformat()
            return ReadDate(day, when, shown=False)
        return ReadDate(None, shown=False, problem="'last-modified' needs the article folder's git history, and it has none",
                        hint="write the date itself, for example 2019-10-11")
    return ReadDate(None, shown=False,
                    problem=f"'{keyword}' is Quarto's keyword for the moment of rendering; a reproducible "
                    "build cannot take it, and no date is invented",
                    hint="write the date itself, for example 2019-10-11, or 'last-modified' for the "
                    "folder's last commit")


def git_commit_time(folder: Path) -> int | None:
    """The last commit time of the folder in the editor's repository: one that holds the folder,
    never one inside it.

    The folder is the article's, which a stranger may have written, and git obeys the config of
    the repository it finds: a folder laid out as a bare repository (HEAD, objects/, refs/, a
    config naming a promisor remote and core.sshCommand) made `git log` run a command of the
    article's. So git is not left to find a repository from the folder: the repository is looked
    for above it, and named to git (--git-dir, --work-tree), which then reads no other.
    """
    repository = _enclosing_repository(folder)
    if repository is None:
        return None
    git_dir, work_tree = repository
    try:
        result = subprocess.run(
            ["git", f"--git-dir={git_dir}", f"--work-tree={work_tree}", "-c", "log.showSignature=false",
             "-c", "core.fsmonitor=false", "log", "-1", "--no-show-signature", "--format=%ct", "--",
             str(folder.resolve().relative_to(work_tree))],
            cwd=work_tree, capture_output=True, text=True, timeout=10, check=False, stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


def _enclosing_repository(folder: Path) -> tuple[Path, Path] | None:
    """(git dir, work tree) of the nearest `.git` in a folder above `folder`, or None."""
    folder = folder.resolve()
    for above in folder.parents:
        marker = above / ".git"
        if marker.is_dir() or marker.is_file():  # a folder, or a worktree's file naming one
            return marker, above
    return None
