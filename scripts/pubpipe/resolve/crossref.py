"""Cross-references: the settings of the crossref filter (lua/crossref.lua) and its verdicts.

The filter numbers figures, tables, equations and code listings and turns every reference into a link, once, in
the resolve step, so all editions read "Figure 2" where the author wrote @fig:map. Here its words
are chosen for the article's language (pubpipe.labels), and what it could not resolve becomes an
error that names the line and the nearest label: a reference to a label that does not exist, a
label defined twice, a formula with two labels.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from dataclasses import dataclass

from pubpipe.errors import ArticleError
from pubpipe.labels import ReferenceNames, reference_names
from pubpipe.load.crossref_words import CAPTIONED, KINDS, ReferenceWords
from pubpipe.load.article import Article

ENVIRONMENT_VARIABLE = "PUBPIPE_CROSSREF"
LABEL_PREFIX = re.compile(r"^(fig|tbl|eq|sec|lst)[:-]", re.IGNORECASE)


@dataclass(frozen=True)
class Target:
    """A numbered figure, table, equation or listing, or a labelled section, as every edition shows it."""

    id: str
    kind: str  # figure, table, equation, listing, section
    number: int | str | None  # a subfigure: its figure's number and its letter, "1a"


def filter_environment(article: Article) -> dict[str, str]:
    """The filter's settings: the words of captions and references, the author's where the front
    matter sets them (pubpipe.load.crossref_words) and else the article's language's, and the
    bibliography's keys that only look like labels (a work keyed fig-2019 stays a citation)."""
    names, native = reference_names(article.metadata.lang)
    settings = {
        "names": {field.name: getattr(names, field.name) for field in dataclasses.fields(names)},
        "native": native,
        **_words(names, article.metadata.reference_words),
        "citation_keys": [key for key in article.citation_keys if LABEL_PREFIX.match(key)],
    }
    return {ENVIRONMENT_VARIABLE: json.dumps(settings, ensure_ascii=False)}


def _words(names: ReferenceNames, own: ReferenceWords) -> dict:
    """Each word as {text or forms, own}: the author's words are read as Markdown, as pandoc-crossref
    reads them, and are never marked as English standing in for the article's language."""
    def word(text: str | None, default: str) -> dict:
        return {"text": default, "own": False} if text is None else {"text": text, "own": True}

    def forms(given: list[str] | None, kind: str) -> dict:
        if given is None:
            return {"forms": [getattr(names, kind), getattr(names, kind + "s")], "own": False}
        return {"forms": given, "own": True}

    return {
        "captions": {kind: word(own.titles.get(kind), getattr(names, kind)) for kind in CAPTIONED},
        "prefixes": {kind: forms(own.prefixes.get(kind), kind) for kind in KINDS},
        "capital_prefixes": {kind: {"forms": given, "own": True} for kind, given in own.capital_prefixes.items()},
        "caption_separator": word(own.title_delimiter, names.caption_separator),
    }


def _lines_with(article: Article, patterns: list[re.Pattern]) -> list[int]:
    return [number for number, line in enumerate(article.text.split("\n"), start=1)
            if any(pattern.search(line) for pattern in patterns)]


def _definitions(label: str) -> list[re.Pattern]:
    escaped = re.escape(label)
    return [re.compile(r"\{#" + escaped + r"[\s}]"), re.compile(r"\\label\s*\{" + escaped + r"\}")]


def _uses(label: str, written: str | None) -> list[re.Pattern]:
    escaped = re.escape(label)
    patterns = [re.compile(r"@" + escaped + r"(?![\w:.#$%&+?<>~/-]*\w)"), re.compile(r"\\\w+\*?\s*\{[^}]*\b" + escaped + r"\b")]
    if written:
        patterns.insert(0, re.compile(re.escape(written)))
    return patterns


def check_targets(article: Article, verdict: str | None) -> tuple[list[Target], list[str]]:
    """The numbered targets, in order, and warnings; raises ArticleError on the first problem the
    filter found."""
    data = json.loads(verdict) if verdict else {}
    targets = [Target(item["id"], item["kind"], item.get("number")) for item in data.get("targets") or []]
    problems = data.get("problems") or []
    if not problems:
        return targets, [_typed_number(article, notice) for notice in data.get("notices") or []]
    first = problems[0]
    label, written = first.get("label") or "", first.get("written")
    more = _the_others(problems[1:])
    if first["problem"] == "unknown":
        known = [target.id for target in targets]
        close = difflib.get_close_matches(label, known, n=1, cutoff=0.0) if known else []
        nearest = f"the nearest label is '{close[0]}'" if close else "the article defines no label"
        lines = _lines_with(article, _uses(label, written))
        chunk = _lines_with(article, [re.compile(r"^\s*(#|//)\|\s*label:\s*[\"']?" + re.escape(label) + r"[\"']?\s*$")])
        hint = (f"'{label}' labels a code chunk (line {chunk[0]}): Quarto gives the label to what the chunk draws "
                "when it runs, and pubpipe runs no code; render the article with Quarto first (keep-md: true) and "
                "build the Markdown it keeps" if chunk else
                f"{nearest}; label a figure with {{#fig:name}}, a table caption with {{#tbl:name}}, "
                "a display formula with {#eq:name} or \\label{name}, a code block with {#lst:name}, a heading with {#sec:name}")
        raise ArticleError(
            f"the reference {written or label} names no figure, table, equation, listing or section{more}",
            path=article.source, line=lines[0] if lines else None, hint=hint,
        )
    lines = _lines_with(article, _definitions(label))
    if first["problem"] == "duplicate":
        raise ArticleError(
            f"the label '{label}' is defined twice{more}",
            path=article.source, line=lines[1] if len(lines) > 1 else (lines[0] if lines else None),
            hint=f"give each figure, table, equation and section its own label (first defined on line {lines[0]})"
            if len(lines) > 1 else "give each figure, table, equation and section its own label",
        )
    raise ArticleError(
        f"one display formula carries several labels ('{label}' and more){more}",
        path=article.source, line=lines[0] if lines else None,
        hint="a formula gets one number: keep one \\label, or split the environment into several formulas",
    )


# The other problems, named after the first: "(and 3 more)" left the author to find them one build at a time.
PROBLEM_WORDS = {"unknown": "names nothing", "duplicate": "is defined twice", "several-labels": "shares a formula"}
OTHERS_NAMED = 4


def _the_others(problems: list[dict]) -> str:
    if not problems:
        return ""
    named = [f"'{problem.get('written') or problem.get('label')}' {PROBLEM_WORDS.get(problem['problem'], problem['problem'])}"
             for problem in problems[:OTHERS_NAMED]]
    rest = f", and {len(problems) - OTHERS_NAMED} more" if len(problems) > OTHERS_NAMED else ""
    return f" (also {', '.join(named)}{rest})"


def _typed_number(article: Article, notice: dict) -> str:
    lines = _lines_with(article, _definitions(notice["label"]))
    where = f"line {lines[0]}: " if lines else ""
    return (f"{where}the caption labelled {notice['label']} starts with '{notice['typed'].strip()}' typed by hand; "
            "labelled captions are numbered for you, so remove the number from the caption")
