"""Findings: what the checker reports. Each has a stable code (Standard Ebooks' habit) so that
scripts, tests and people can refer to it, and names the editions it concerns.

Codes:
  X-001 text, X-002 headings, X-003 citations (and the article's own citation entry),
  X-004 bibliography entries (text and italics), X-005 notes, X-006 captions and alt text,
  X-007 metadata, X-008 external link targets: each edition against every other.
  X-009 formulas (by their TeX), X-010 cross-references (their words, targets and numbers): each
  edition against every other.
  X-011 each article of a course pack against its standalone edition; X-012 a pack's contents
  (titles, order, and page numbers against the pages they lead to). A pack's own metadata is X-007.
  X-013 list numbers: each ordered list's item numbers in their numerals (7 8, iii iv, a b).
  F-001 the canonical source against the original as received; F-002 each edition against the source.
  V-EPUBCHECK, V-NU, V-PDF, V-ACE, V-AXE: validator messages, with the validator's own id.
  V-BOXES, V-MARKS, V-INTENT, V-PDFX, V-FONTS, V-RGB, V-PPI: the press PDF's pre-press check
  (check/prepress.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TypeVar

from pubpipe.errors import ToolError

PRESS_CHECKS = {
    "V-BOXES": "press: PDF boxes",
    "V-MARKS": "press: marks",
    "V-INTENT": "press: CMYK intent",
    "V-PDFX": "press: PDF/X-4 keys",
    "V-FONTS": "press: fonts",
    "V-RGB": "press: black ink",
    "V-PPI": "press: image ppi",
}

CHECKS = {
    "X-001": "text",
    "X-002": "headings",
    "X-003": "citations",
    "X-004": "bibliography",
    "X-005": "notes",
    "X-006": "captions",
    "X-007": "metadata",
    "X-008": "links",
    "X-009": "formulas",
    "X-010": "cross-references",
    "X-011": "pack vs standalone",
    "X-012": "pack contents",
    "X-013": "list numbers",
    "F-001": "source vs original",
    "F-002": "editions vs source",
    "V-EPUBCHECK": "EPUBCheck",
    "V-NU": "Nu HTML Checker",
    "V-PDF": "PDF checks",
    "V-ACE": "Ace by DAISY",
    "V-AXE": "axe-core",
    **PRESS_CHECKS,
}


@dataclass(frozen=True)
class Finding:
    code: str
    editions: tuple[str, ...]
    message: str
    where: dict[str, str] = field(default_factory=dict)  # edition -> page, EPUB file or element
    expected: str = ""
    found: str = ""
    severity: str = "error"

    def to_json(self) -> dict:
        data = asdict(self)
        data["editions"] = list(self.editions)
        data["check"] = CHECKS.get(self.code, self.code)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Finding":
        """A finding as `to_json` wrote it (a cached result read back)."""
        return cls(code=data["code"], editions=tuple(data["editions"]), message=data["message"], where=dict(data.get("where") or {}),
                   expected=data.get("expected", ""), found=data.get("found", ""), severity=data.get("severity", "error"))


Result = TypeVar("Result")


def verdict(result: "Result | ToolError") -> Result:
    """A validator's result for one file: what it found, or the error that kept it from checking."""
    if isinstance(result, ToolError):
        raise result
    return result
