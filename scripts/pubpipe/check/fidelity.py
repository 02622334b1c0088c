"""F-001: is the canonical source faithful to the original as received, word for word, in order?

The original is whatever the article's `original.file` names (a text dump of the printed article,
typically). It may start with a header (title, byline, copyright line) that the canonical source
keeps as metadata rather than as text, so the comparison starts where the source's body starts.
From there every word of the original must be found, in order, in the source's body followed by
its bibliography; the body may add no word, while the bibliography may (a citation style adds
"eds.", "edited by" and the like). Case is ignored, since a CSL style may title-case a title, and
hyphens separate words, since dumps write hyphens where the author meant dashes.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pubpipe.check.findings import Finding
from pubpipe.check.summary import Summary, words

START_WORDS = 6


def _tokens(text: str, vocabulary: set[str] | None = None) -> list[str]:
    return [word.casefold() for word in words(text, split_hyphens=True, vocabulary=vocabulary)]


def _snippet(tokens: list[str], start: int, end: int) -> str:
    return f"…{' '.join(tokens[max(0, start - 6):start])} [{' '.join(tokens[start:end])}] {' '.join(tokens[end:end + 6])}…"


def check_original(original_path: Path, source: Summary, with_bibliography: bool = True) -> list[Finding]:
    """`with_bibliography` is off when the build's style is not the article's own: another
    style words the entries differently ("E. Hershberg" for "Eric Hershberg"), which is no
    unfaithfulness of the source."""
    try:
        original_text = original_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding("F-001", ("original",), f"cannot read the original {original_path.name}: {exc}")]
    original = _tokens(original_text)
    vocabulary = set(original)  # decides the PDF's words broken at a line end
    body = [word for block in source.body for word in _tokens(block.text, vocabulary)]
    bibliography = [word for entry in source.bibliography for word in _tokens(entry.text, vocabulary)] if with_bibliography else []
    source_tokens = body + bibliography
    start = _body_start(original, body)
    if start is None:
        return [Finding("F-001", ("original", "source"),
                        "the source's first words do not occur in the original; is original.file the right file?",
                        expected=" ".join(body[:START_WORDS]))]
    original = original[start:]
    findings = []
    matcher = difflib.SequenceMatcher(None, original, source_tokens, autojunk=False)
    opcodes = matcher.get_opcodes()
    # Without the bibliography, what follows the source's last word in the original is its
    # bibliography (and whatever else trails it), not something the source lost.
    body_end = max((i2 for tag, _i1, i2, _j1, _j2 in opcodes if tag == "equal"), default=0)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" or (not with_bibliography and i1 >= body_end):
            continue
        missing = i2 > i1
        added_to_body = j1 < len(body) and j2 > j1
        if not missing and not added_to_body:
            continue  # words a citation style added to a bibliography entry
        findings.append(Finding(
            code="F-001",
            editions=("original", "source"),
            message="the source lacks words of the original" if missing else "the source adds words the original lacks",
            where={"original": original_path.name, "source": "bibliography" if j1 >= len(body) else "article.md"},
            expected=_snippet(original, i1, i2),
            found=_snippet(source_tokens, j1, j2),
        ))
    return findings


def _body_start(original: list[str], body: list[str]) -> int | None:
    head = body[:START_WORDS]
    for index in range(len(original) - len(head) + 1):
        if original[index:index + len(head)] == head:
            return index
    return None
