"""The original publication's record as files a reference manager imports: BibTeX, RIS, CSL-JSON.

The record is the article's `original.record` (a CSL item, the same one the "Cite this article"
box is formatted from), so the downloads and the printed entry describe the same work. pandoc
writes the BibTeX and the CSL-JSON, in the resolve step's one run (resolve/lua/resolve.lua);
pandoc has no RIS writer, so RIS is written here. Titles may carry pandoc's `[..]{.nocase}`
markup, which RIS drops.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

NOCASE = re.compile(r"\[([^\[\]]*)\]\{\.nocase\}")
EMPHASIS = re.compile(r"(?<!\w)[*_]{1,2}([^*_]+)[*_]{1,2}(?!\w)")
RIS_TYPES = {
    "article-journal": "JOUR", "article-magazine": "MGZN", "article-newspaper": "NEWS",
    "book": "BOOK", "chapter": "CHAP", "entry-encyclopedia": "ENCYC", "entry-dictionary": "DICT",
    "paper-conference": "CPAPER", "report": "RPRT", "thesis": "THES", "webpage": "ELEC",
    "manuscript": "UNPB",
}
MEDIA_TYPES = {
    "bib": "application/x-bibtex",
    "ris": "application/x-research-info-systems",
    "json": "application/vnd.citationstyles.csl+json",
}


def plain(value: Any) -> str:
    text = NOCASE.sub(r"\1", str(value))
    return EMPHASIS.sub(r"\1", text).strip()


def record_text(record: dict, key: str, titles: dict[str, str]) -> str:
    """A field of a CSL record as text: its text form from `titles` (ResolvedDocument.cite_titles:
    pandoc's reading, a formula in Unicode) when there is one, else the field without markup."""
    return titles.get(key) or plain(record.get(key) or "")


def date_parts(value: Any) -> list[int] | None:
    """CSL's `issued` as [year, month, day]; YAML gives an int, a string or a date-parts map."""
    if isinstance(value, dict):
        parts = (value.get("date-parts") or [[]])[0]
        if not parts and value.get("raw"):
            return date_parts(value["raw"])
        return [int(p) for p in parts if str(p).lstrip("-").isdigit()] or None
    match = re.match(r"^\s*(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", str(value or ""))
    return [int(p) for p in match.groups() if p] if match else None


def names(record: dict, role: str) -> list[tuple[str, str]]:
    """(family, given) pairs; a literal name is all family. The non-dropping particle leads the
    family name ("van Gogh"), the dropping one follows the given names ("Ludwig van"), and a
    suffix follows them after a comma, so that "family, given" is RIS's "Last, First, Suffix"."""
    out = []
    for name in record.get(role) or []:
        if isinstance(name, dict):
            family = " ".join(part for part in (name.get("non-dropping-particle"), name.get("family") or name.get("literal")) if part)
            given = " ".join(part for part in (name.get("given"), name.get("dropping-particle")) if part)
            if name.get("suffix"):
                given = f"{given}, {name['suffix']}" if given else str(name["suffix"])
            out.append((plain(family), plain(given)))
        elif name:
            out.append((plain(name), ""))
    return out


def page_range(record: dict) -> tuple[str | None, str | None]:
    page = str(record.get("page") or "").strip()
    if not page:
        return None, None
    # Split at the dashes, then trimmed: `\s*[-–—]+\s*` took time in the square of a run of spaces.
    pieces = [piece.strip() for piece in re.split(r"[-–—]+", page)]
    return pieces[0] or None, (pieces[-1] if len(pieces) > 1 else None)


def ris(record: dict, titles: dict[str, str]) -> str:
    first, last = page_range(record)
    parts = date_parts(record.get("issued"))
    rows: list[tuple[str, Any]] = [("TY", RIS_TYPES.get(str(record.get("type") or ""), "GEN"))]
    rows += [("AU", f"{f}, {g}" if g else f) for f, g in names(record, "author")]
    rows += [("ED", f"{f}, {g}" if g else f) for f, g in names(record, "editor")]
    rows += [
        ("TI", record_text(record, "title", titles) if record.get("title") else None),
        ("T2", record_text(record, "container-title", titles) if record.get("container-title") else None),
        ("VL", record.get("volume")),
        ("IS", record.get("issue")),
        ("SP", first),
        ("EP", last),
        ("PB", record.get("publisher")),
        ("CY", record.get("publisher-place")),
        ("PY", parts[0] if parts else None),
        ("SN", record.get("ISBN") or record.get("ISSN")),
        ("DO", record.get("DOI")),
        ("UR", record.get("URL")),
        ("ER", ""),
    ]
    # RIS is line-based: a value with a line break would start a bogus tag.
    return "".join(f"{tag}  - {' '.join(str(value).split())}\r\n" for tag, value in rows if value is not None)


def data_url(text: str, extension: str) -> str:
    return f"data:{MEDIA_TYPES[extension]};charset=utf-8,{quote(text, safe='')}"


def downloads(record: dict, exports: dict[str, str], stem: str, titles: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, file name, data: URL) for each format, for links with a `download` attribute.
    `exports` are pandoc's BibTeX and CSL-JSON of the same record (ResolvedDocument.original_exports),
    `titles` its titles as text (ResolvedDocument.cite_titles) for RIS, which holds only text."""
    files = [("BibTeX", "bib", exports.get("bibtex")), ("RIS", "ris", ris(record, titles)),
             ("CSL-JSON", "json", exports.get("csljson"))]
    return [(label, f"{stem}.{ext}", data_url(text, ext)) for label, ext, text in files if text]
