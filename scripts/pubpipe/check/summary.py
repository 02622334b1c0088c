"""The one shape every edition is read back into, and the normalisation that makes them comparable.

Normalisation undoes only what a medium changes, never what an author or an editor could: Unicode
normal form (NFKC also undoes ligatures such as "ﬁ"), white space, invisible format characters,
and hyphens at all (the PDF reader marks its joins at line ends with a soft hyphen).
Hyphens are dropped inside words ("self-determination" -> "selfdetermination") because the PDF
breaks words at line ends with a hyphen of its own and cannot say which hyphens the author wrote;
dropping every hyphen in every edition keeps a changed letter in a hyphenated word visible while
making the line-end hyphen invisible. Case and letters are kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

SOFT_HYPHEN = "\u00ad"  # also what the PDF reader leaves where it joins a word broken at a line end
HYPHENS = SOFT_HYPHEN + "\u2010\u2011-"  # soft hyphen, hyphen, non-breaking hyphen, hyphen-minus
_HARD_HYPHEN_RE = re.compile("[\u2010\u2011-]")
# A word is a run of letters, digits and marks, with apostrophes inside it (Kashmiris’, don't) and
# perhaps soft hyphens (possible breaks) between its parts.
_WORD_RE = re.compile(r"[\w\u0300-\u036f]+(?:[\u00ad'’][\w\u0300-\u036f]+)*['’]?", re.UNICODE)


def normalise_text(text: str) -> str:
    """NFKC, white space folded, and invisible format characters (zero-width space, word joiner,
    BOM) dropped: a PDF does not keep them, and a reader cannot see them. Soft hyphens stay, as
    the marks of a possible (or, from a PDF, an actual) break inside a word."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if char == SOFT_HYPHEN or unicodedata.category(char) != "Cf")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str, split_hyphens: bool = False, vocabulary: set[str] | None = None) -> list[str]:
    """The words of `text`, in order, with punctuation dropped.

    `split_hyphens` treats a hyphen as a space instead of joining its sides; the fidelity check
    against a PDF dump uses it, since such dumps write hyphens where the author meant dashes. A
    word broken at a soft hyphen is then ambiguous (the PDF breaks "fol-lowing" and "pro-U.S."
    alike): it is one word when `vocabulary` (casefolded) knows the joined form, else its parts.
    """
    text = normalise_text(text).replace("’", "'")
    if not split_hyphens:
        text = text.replace(SOFT_HYPHEN, "")
    text = _HARD_HYPHEN_RE.sub(" " if split_hyphens else "", text)
    found = []
    for match in _WORD_RE.finditer(text):
        word = match.group(0).strip("'")
        if not word:
            continue
        if SOFT_HYPHEN in word:
            joined = word.replace(SOFT_HYPHEN, "")
            if vocabulary is None or joined.casefold() in vocabulary:
                found.append(joined)
            else:
                found.extend(part for part in word.split(SOFT_HYPHEN) if part)
        else:
            found.append(word)
    return found


@dataclass(frozen=True)
class Located:
    """A piece of text and where it is in its edition: a page, a file inside the EPUB, an element."""

    text: str
    where: str = ""


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    where: str = ""


@dataclass(frozen=True)
class Entry:
    """A bibliography entry: its text and the parts set in italics (titles, mostly)."""

    text: str
    italics: tuple[str, ...]
    where: str = ""


@dataclass(frozen=True)
class Reference:
    """A cross-reference (or any link within the article) as the reader meets it: the words
    ("Figure 2") and the id it leads to."""

    text: str
    target: str
    where: str = ""


@dataclass
class Summary:
    edition: str  # its name in findings: "html", "pdf", "source"; in a course pack's check "pack pdf"…
    body: list[Located] = field(default_factory=list)  # main text, block by block, notes and bibliography excluded
    headings: list[Heading] = field(default_factory=list)
    citations: list[Located] = field(default_factory=list)
    bibliography: list[Entry] = field(default_factory=list)
    notes: list[Located] = field(default_factory=list)
    captions: list[Located] = field(default_factory=list)
    alt_texts: list[Located] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # The citation entries the edition shows for the article itself ("Originally published in",
    # "Cite this article"); compared like citations.
    self_citations: list[Located] = field(default_factory=list)
    # False where the medium has no markup for citations (the PDF): they are then found by searching
    # for the other editions' citations in its text, in order.
    citations_marked: bool = True
    # Formulas by their TeX, in order: the body's, then each note's. Marked up in the web and EPUB
    # editions (MathML with its TeX); the PDF has only `figure_alts`.
    formulas: list[Located] = field(default_factory=list)
    # The text alternative of every image and formula, in the same order: all that the PDF's
    # tagged structure says of them (each is a Figure with /Alt).
    figure_alts: list[Located] = field(default_factory=list)
    formulas_marked: bool = True
    references: list[Reference] = field(default_factory=list)  # links within the article, body then notes
    numbered: list[Located] = field(default_factory=list)  # "fig:map Figure 2", "eq:energy (1)"
    anchors: list[str] = field(default_factory=list)  # the ids a reference may lead to
    # Each ordered list of the main text, in order: its items' numbers as shown, without the
    # punctuation around them ("iii iv", "7 8", "a b"). The text itself is read without them.
    list_numbers: list[Located] = field(default_factory=list)
    # What it was read from: "html", "epub", "pdf" or "source" (by default, its name). The medium
    # decides what the edition marks (the PDF no captions, no alt texts); a course pack's check
    # renames the editions it compares, never their media.
    medium: str = ""

    def __post_init__(self) -> None:
        self.medium = self.medium or self.edition

    def body_words(self) -> list[tuple[str, str]]:
        """(word, where) for every word of the main text, in reading order."""
        return [(word, block.where) for block in self.body for word in words(block.text)]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


METADATA_FIELDS = ("title", "subtitle", "authors", "language", "date", "identifier", "rights", "description", "keywords",
                   "abstract")
