"""Comparing two Summaries, part by part. The same comparison serves two purposes: edition against
edition (codes X-00n) and edition against the canonical source (F-002), so a difference is always
reported the same way whatever the pair."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Iterable, Sequence

from pubpipe.check.findings import Finding
from pubpipe.check.summary import SOFT_HYPHEN, Located, Reference, Summary, normalise_text, words

CONTEXT_WORDS = 6
MAX_FINDINGS_PER_PART = 8


def _code(a: Summary, b: Summary, x_code: str) -> str:
    return "F-002" if "source" in (a.medium, b.medium) else x_code


def _snippet(tokens: Sequence[str], start: int, end: int) -> str:
    before = " ".join(tokens[max(0, start - CONTEXT_WORDS):start])
    changed = " ".join(tokens[start:end])
    after = " ".join(tokens[end:end + CONTEXT_WORDS])
    return f"…{before} [{changed}] {after}…".replace(" []", " [—]").strip()


def diff_words(a_words: list[tuple[str, str]], b_words: list[tuple[str, str]]) -> Iterable[tuple[int, int, int, int]]:
    """The differing stretches between two word sequences, as (a_start, a_end, b_start, b_end).

    The common beginning and end are skipped before difflib looks at the rest: editions nearly
    always agree, and difflib's matching is quadratic in the frequent words of a long article.
    """
    a_tokens = [w for w, _ in a_words]
    b_tokens = [w for w, _ in b_words]
    prefix = 0
    limit = min(len(a_tokens), len(b_tokens))
    while prefix < limit and a_tokens[prefix] == b_tokens[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a_tokens[-1 - suffix] == b_tokens[-1 - suffix]:
        suffix += 1
    a_middle = a_tokens[prefix:len(a_tokens) - suffix]
    b_middle = b_tokens[prefix:len(b_tokens) - suffix]
    if not a_middle and not b_middle:
        return
    matcher = difflib.SequenceMatcher(None, a_middle, b_middle, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            yield i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix


def _where(located: list[tuple[str, str]], index: int) -> str:
    if not located:
        return ""
    return located[min(index, len(located) - 1)][1]


def _broken_words(a_tokens: Sequence[str], b_tokens: Sequence[str]) -> str | None:
    """The edition that breaks words where the other has them whole, without a hyphen
    ("Defa ult", "100 0.0 00": a table too wide for its page); None when the letters differ."""
    if len(a_tokens) != len(b_tokens) and "".join(a_tokens) == "".join(b_tokens):
        return "a" if len(a_tokens) > len(b_tokens) else "b"
    return None


def compare_word_streams(code: str, part: str, a: Summary, a_words, b: Summary, b_words) -> list[Finding]:
    findings = []
    a_tokens = [w for w, _ in a_words]
    b_tokens = [w for w, _ in b_words]
    stretches = list(diff_words(a_words, b_words))
    for i1, i2, j1, j2 in stretches[:MAX_FINDINGS_PER_PART]:
        broken = _broken_words(a_tokens[i1:i2], b_tokens[j1:j2])
        hint = "" if broken is None else (
            f": {(a if broken == 'a' else b).edition} breaks words inside, without a hyphen (a table or a line "
            "too wide for its page?)")
        findings.append(Finding(
            code=code,
            editions=(a.edition, b.edition),
            message=f"{part} differs between {a.edition} and {b.edition}{hint}",
            where={a.edition: _where(a_words, i1), b.edition: _where(b_words, j1)},
            expected=_snippet(a_tokens, i1, i2),
            found=_snippet(b_tokens, j1, j2),
        ))
    if len(stretches) > MAX_FINDINGS_PER_PART:
        findings.append(Finding(code, (a.edition, b.edition),
                                f"{len(stretches) - MAX_FINDINGS_PER_PART} more differences in the {part} not shown"))
    return findings


def _located_words(items: Iterable[Located]) -> list[tuple[str, str]]:
    return [(word, item.where) for item in items for word in words(item.text)]


def compare_lists(code: str, part: str, a: Summary, a_items: list[str], a_where: list[str],
                  b: Summary, b_items: list[str], b_where: list[str]) -> list[Finding]:
    """Compare two lists of short texts item by item (headings, notes, entries, metadata lists)."""
    findings = []
    matcher = difflib.SequenceMatcher(None, a_items, b_items, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        findings.append(Finding(
            code=code,
            editions=(a.edition, b.edition),
            message=f"{part}: {a.edition} has {i2 - i1}, {b.edition} has {j2 - j1} that the other lacks"
            if tag != "replace" else f"{part} differ between {a.edition} and {b.edition}",
            where={a.edition: a_where[i1] if i1 < len(a_where) else "end", b.edition: b_where[j1] if j1 < len(b_where) else "end"},
            expected=" | ".join(a_items[i1:i2]),
            found=" | ".join(b_items[j1:j2]),
        ))
        if len(findings) >= MAX_FINDINGS_PER_PART:
            break
    return findings


def _key(text: str) -> str:
    return " ".join(words(text))


def _find_in_order(needles: list[Located], haystack: list[str]) -> list[int | None]:
    """Where each needle's words occur in `haystack`, searching onward from the previous match.

    The first word may end a longer one: a superscript citation ("field¹˒²") has no space before
    it, so a text without markup reads it as part of the word it follows."""
    positions: list[int | None] = []
    start = 0
    for needle in needles:
        tokens = words(needle.text)
        found = None
        for index in range(start, len(haystack) - len(tokens) + 1):
            if not tokens or haystack[index].endswith(tokens[0]) and haystack[index + 1:index + len(tokens)] == tokens[1:]:
                found = index
                break
        positions.append(found)
        if found is not None:
            start = found + len(tokens)
    return positions


def _unmarked(code: str, part: str, marked: Summary, items: list[Located], plain: Summary, haystack: list[str]) -> list[Finding]:
    """For an edition without markup for this part (the PDF's citations, captions): every item the
    other edition marks must occur in its text, in the same order."""
    findings = []
    for item, position in zip(items, _find_in_order(items, haystack)):
        if position is None:
            findings.append(Finding(
                code=code,
                editions=(marked.edition, plain.edition),
                message=f"{part}: {plain.edition} does not carry this one from {marked.edition} (in order)",
                where={marked.edition: item.where},
                expected=item.text,
            ))
    return findings[:MAX_FINDINGS_PER_PART]


def compare(a: Summary, b: Summary) -> list[Finding]:
    findings: list[Finding] = []
    findings += compare_word_streams(_code(a, b, "X-001"), "text", a, a.body_words(), b, b.body_words())

    findings += compare_lists(
        _code(a, b, "X-002"), "headings",
        a, [f"h{h.level} {_key(h.text)}" for h in a.headings], [h.where for h in a.headings],
        b, [f"h{h.level} {_key(h.text)}" for h in b.headings], [h.where for h in b.headings],
    )

    findings += _compare_marked_or_found(_code(a, b, "X-003"), "citations", a, a.citations, b, b.citations,
                                         marked=lambda s: s.citations_marked)
    a_self = sorted({_key(c.text) for c in a.self_citations})
    b_self = sorted({_key(c.text) for c in b.self_citations})
    if a_self != b_self:
        findings.append(Finding(_code(a, b, "X-003"), (a.edition, b.edition),
                                "the article's own citation entry (Originally published in / Cite this article) differs",
                                expected=" | ".join(a_self), found=" | ".join(b_self)))

    findings += compare_lists(
        _code(a, b, "X-004"), "bibliography entries",
        a, [_key(e.text) for e in a.bibliography], [e.where for e in a.bibliography],
        b, [_key(e.text) for e in b.bibliography], [e.where for e in b.bibliography],
    )
    findings += compare_lists(
        _code(a, b, "X-004"), "italics in bibliography entries",
        a, [" / ".join(_key(i) for i in e.italics) for e in a.bibliography], [e.where for e in a.bibliography],
        b, [" / ".join(_key(i) for i in e.italics) for e in b.bibliography], [e.where for e in b.bibliography],
    )

    findings += compare_lists(
        _code(a, b, "X-005"), "notes",
        a, [_key(n.text) for n in a.notes], [n.where for n in a.notes],
        b, [_key(n.text) for n in b.notes], [n.where for n in b.notes],
    )

    findings += _compare_marked_or_found(_code(a, b, "X-006"), "captions", a, a.captions, b, b.captions,
                                         marked=lambda s: s.medium != "pdf")
    if a.medium != "pdf" and b.medium != "pdf":
        findings += compare_lists(
            _code(a, b, "X-006"), "image alt texts",
            a, [_key(t.text) for t in a.alt_texts], [t.where for t in a.alt_texts],
            b, [_key(t.text) for t in b.alt_texts], [t.where for t in b.alt_texts],
        )
        external = lambda s: [link for link in s.links if link.split(":", 1)[0] in ("http", "https", "mailto")]  # noqa: E731
        findings += compare_lists(_code(a, b, "X-008"), "external link targets",
                                  a, external(a), [""] * len(external(a)), b, external(b), [""] * len(external(b)))

    findings += compare_lists(
        _code(a, b, "X-013"), "list numbers",
        a, [n.text for n in a.list_numbers], [n.where for n in a.list_numbers],
        b, [n.text for n in b.list_numbers], [n.where for n in b.list_numbers],
    )
    findings += compare_formulas(a, b)
    findings += compare_references(a, b)
    findings += compare_metadata(a, b)
    return findings


def _tex(text: str) -> str:
    """A formula's TeX as compared: white space folded (TeX ignores it in math)."""
    return " ".join(normalise_text(text).split())


def compare_formulas(a: Summary, b: Summary) -> list[Finding]:
    """X-009: the same formulas, in the same order, by their TeX. The PDF tells only the text
    alternatives of its figures, images and formulas together; against it, the other edition's
    list of both is compared, and a difference that touches a formula is X-009, else X-006."""
    if a.formulas_marked and b.formulas_marked:
        return compare_lists(_code(a, b, "X-009"), "formulas",
                             a, [_tex(f.text) for f in a.formulas], [f.where for f in a.formulas],
                             b, [_tex(f.text) for f in b.formulas], [f.where for f in b.formulas])
    if not a.formulas_marked and not b.formulas_marked:
        return []
    marked = a if a.formulas_marked else b
    tex = {_tex(f.text) for f in marked.formulas}
    findings = compare_lists("X-009", "formulas and image alt texts",
                             a, [_tex(f.text) for f in a.figure_alts], [f.where for f in a.figure_alts],
                             b, [_tex(f.text) for f in b.figure_alts], [f.where for f in b.figure_alts])
    classified = []
    for finding in findings:
        items = [item for item in (finding.expected.split(" | ") + finding.found.split(" | ")) if item]
        x_code = "X-009" if any(item in tex for item in items) or not items else "X-006"
        classified.append(dataclasses.replace(finding, code=_code(a, b, x_code)))
    return classified


LINE_END_HYPHENS = ("-", "\u2010", SOFT_HYPHEN, "\x02")


def joined_references(references: list[Reference]) -> list[Reference]:
    """Neighbouring references to one target as one: the PDF breaks a link at a line end into two,
    maybe inside a word ("Equa-" and "tion"), whose hyphen (which pdfium may give as U+0002) is
    then the layout's, joined as the PDF reader joins the text's."""
    joined: list[Reference] = []
    for reference in references:
        if joined and joined[-1].target == reference.target:
            before = joined[-1].text
            text = before[:-1] + SOFT_HYPHEN if before[-1:] in LINE_END_HYPHENS else before + " "
            joined[-1] = Reference(text + reference.text, reference.target, joined[-1].where)
        else:
            joined.append(reference)
    return joined


def _cross_references(summary: Summary) -> list[Reference]:
    """The links within the article but citeproc's (`link-citations: true`) to bibliography
    entries (#ref-…): citations are compared as citations (X-003), whatever a medium links."""
    return joined_references([r for r in summary.references if not r.target.startswith("ref-")])


def compare_references(a: Summary, b: Summary) -> list[Finding]:
    """X-010: the same cross-references (words and target) in order, and, where both editions
    mark them, the same numbered targets with the same numbers."""
    a_refs, b_refs = _cross_references(a), _cross_references(b)
    findings = compare_lists(_code(a, b, "X-010"), "cross-references",
                             a, [f"{_key(r.text)} -> #{r.target}" for r in a_refs], [r.where for r in a_refs],
                             b, [f"{_key(r.text)} -> #{r.target}" for r in b_refs], [r.where for r in b_refs])
    if a.formulas_marked and b.formulas_marked:  # the PDF does not mark its numbers
        findings += compare_lists(_code(a, b, "X-010"), "numbered figures, tables and formulas",
                                  a, [n.text for n in a.numbered], [n.where for n in a.numbered],
                                  b, [n.text for n in b.numbered], [n.where for n in b.numbered])
    return findings


def dangling_references(summary: Summary) -> list[Finding]:
    """X-010 within one edition: every cross-reference leads to a place that exists in it."""
    anchors = set(summary.anchors)
    return [
        Finding("X-010", (summary.edition,), f"a cross-reference in {summary.edition} leads nowhere: #{r.target} does not exist",
                where={summary.edition: r.where}, found=r.text)
        for r in summary.references if r.target not in anchors
    ][:MAX_FINDINGS_PER_PART]


def _compare_marked_or_found(code, part, a, a_items, b, b_items, marked) -> list[Finding]:
    if marked(a) and marked(b):
        return compare_lists(code, part, a, [_key(c.text) for c in a_items], [c.where for c in a_items],
                             b, [_key(c.text) for c in b_items], [c.where for c in b_items])
    if marked(a) != marked(b):
        marked_side, plain = (a, b) if marked(a) else (b, a)
        items = a_items if marked(a) else b_items
        haystack = [w for w, _ in plain.body_words()] + [w for w, _ in _located_words(plain.notes)]
        return _unmarked(code, part, marked_side, items, plain, haystack)
    return []


def _metadata_value(value) -> str:
    if isinstance(value, list):
        return " | ".join(_key(v) for v in value)
    return _key(value) if isinstance(value, str) else ""


def compare_metadata(a: Summary, b: Summary) -> list[Finding]:
    """Fields both editions carry must agree. The PDF's one Author field holds all the names."""
    findings = []
    for name in sorted(set(a.metadata) & set(b.metadata)):
        left, right = a.metadata[name], b.metadata[name]
        if name == "authors" and "pdf" in (a.medium, b.medium):
            left, right = _key(", ".join(left or [])), _key(", ".join(right or []))
        elif name == "language":
            left, right = (left or "").lower(), (right or "").lower()
        else:
            left, right = _metadata_value(left), _metadata_value(right)
        if left != right:
            findings.append(Finding(_code(a, b, "X-007"), (a.edition, b.edition), f"metadata field '{name}' differs",
                                    expected=str(a.metadata[name]), found=str(b.metadata[name])))
    return findings
