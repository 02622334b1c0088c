"""The one shape every edition is read back into, and the normalisation that makes them comparable.

Normalisation undoes only what a medium changes, never what an author or an editor could: Unicode
normal form (NFKC also undoes ligatures such as "ﬁ"), white space, invisible format characters,
and hyphens at all.
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

HYPHENS = "\u00ad\u2010\u2011-"  # soft hyphen, hyphen, non-breaking hyphen, hyphen-minus
_HYPHEN_RE = re.compile(f"[{HYPHENS}]")
# A word is a run of letters, digits and marks, with apostrophes inside it (Kashmiris’, don't).
_WORD_RE = re.compile(r"[\w\u0300-\u036f]+(?:['’][\w]+)*['’]?", re.UNICODE)


def normalise_text(text: str) -> str:
    """NFKC, white space folded, and invisible format characters (zero-width space, word joiner,
    BOM, soft hyphen) dropped: a PDF does not keep them, and a reader cannot see them."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return re.sub(r"\s+", " ", text).strip()


def words(text: str, split_hyphens: bool = False) -> list[str]:
    """The words of `text`, in order, with punctuation dropped.

    `split_hyphens` treats a hyphen as a space instead of joining its sides; the fidelity check
    against a PDF dump uses it, since such dumps write hyphens where the author meant dashes.
    """
    text = normalise_text(text).replace("’", "'")
    text = _HYPHEN_RE.sub(" " if split_hyphens else "", text)
    return [match.group(0).strip("'") for match in _WORD_RE.finditer(text) if match.group(0).strip("'")]


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


@dataclass
class Summary:
    edition: str
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

    def body_words(self) -> list[tuple[str, str]]:
        """(word, where) for every word of the main text, in reading order."""
        return [(word, block.where) for block in self.body for word in words(block.text)]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


METADATA_FIELDS = ("title", "subtitle", "authors", "language", "date", "identifier", "rights", "description", "keywords")
