"""The original publication's record as files a reference manager imports: BibTeX, RIS, CSL-JSON.

The record is the article's `original.record` (a CSL item, the same one the "Cite this article"
box is formatted from), so the downloads and the printed entry describe the same work. They are
written here in Python rather than by a second pandoc run: resolve runs pandoc once, and pandoc has
no RIS writer anyway. Titles may carry pandoc's `[..]{.nocase}` markup; BibTeX keeps its meaning
(braces protect case), the other formats drop it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

NOCASE = re.compile(r"\[([^\[\]]*)\]\{\.nocase\}")
EMPHASIS = re.compile(r"(?<!\w)[*_]{1,2}([^*_]+)[*_]{1,2}(?!\w)")
BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}

BIBTEX_TYPES = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "book": "book", "chapter": "incollection", "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection", "paper-conference": "inproceedings", "report": "techreport",
    "thesis": "phdthesis", "manuscript": "unpublished",
}
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
    """(family, given) pairs; a literal name is all family."""
    out = []
    for name in record.get(role) or []:
        if isinstance(name, dict):
            family = name.get("family") or name.get("literal") or ""
            given = name.get("given") or ""
            particle = name.get("non-dropping-particle")
            if particle:
                family = f"{particle} {family}"
            out.append((plain(family), plain(given)))
        elif name:
            out.append((plain(name), ""))
    return out


def page_range(record: dict) -> tuple[str | None, str | None]:
    page = str(record.get("page") or "").strip()
    if not page:
        return None, None
    pieces = re.split(r"\s*[-–—]+\s*", page)
    return pieces[0] or None, (pieces[-1] if len(pieces) > 1 else None)


def csl_json(record: dict) -> str:
    item = {key: value for key, value in record.items() if value is not None}
    for key, value in list(item.items()):
        if isinstance(value, str):
            item[key] = plain(value)
    for key in ("issued", "accessed", "original-date"):
        if key in item:
            parts = date_parts(record[key])
            if parts:
                item[key] = {"date-parts": [parts]}
            else:
                del item[key]
    for role in ("author", "editor", "translator", "container-author"):
        if role in item:
            item[role] = [
                {"family": family, "given": given} if given else {"literal": family}
                for family, given in names(record, role)
            ]
    item.setdefault("id", "original")
    return json.dumps([item], ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"


def _bibtex_value(value: Any) -> str:
    text = EMPHASIS.sub(r"\1", " ".join(str(value).split()))
    text = BIBTEX_SPECIAL.sub(lambda m: BIBTEX_ESCAPES.get(m[0], "\\" + m[0]), text)
    # After escaping, pandoc's case-protecting span becomes BibTeX's own braces.
    return re.sub(r"\[([^\[\]]*)\]\\\{\.nocase\\\}", r"{\1}", text)


def _bibtex_names(record: dict, role: str) -> str:
    """"Family, Given" joined by "and"; a literal (an organisation) braced so it is not split."""
    return " and ".join(
        f"{_bibtex_value(family)}, {_bibtex_value(given)}" if given else f"{{{_bibtex_value(family)}}}"
        for family, given in names(record, role)
    )


def bibtex_key(record: dict) -> str:
    key = re.sub(r"[^A-Za-z0-9_:.-]", "", str(record.get("id") or ""))
    return key or "original"


def bibtex(record: dict) -> str:
    kind = str(record.get("type") or "")
    entry_type = BIBTEX_TYPES.get(kind, "misc")
    container_field = "journal" if entry_type == "article" else "booktitle"
    first, last = page_range(record)
    year = (date_parts(record.get("issued")) or [None])[0]
    fields: list[tuple[str, Any]] = [
        ("author", _bibtex_names(record, "author")),
        ("editor", _bibtex_names(record, "editor")),
        ("title", record.get("title")),
        (container_field, record.get("container-title")),
        ("volume", record.get("volume")),
        ("number", record.get("issue")),
        ("pages", f"{first}--{last}" if first and last else first),
        ("publisher", record.get("publisher")),
        ("address", record.get("publisher-place")),
        ("year", year),
        ("edition", record.get("edition")),
        ("isbn", record.get("ISBN")),
        ("issn", record.get("ISSN")),
        ("doi", record.get("DOI")),
        ("url", record.get("URL")),
    ]
    lines = [f"@{entry_type}{{{bibtex_key(record)},"]
    for name, value in fields:
        if value not in (None, ""):
            # DOIs and URLs are verbatim in BibTeX; everything else is escaped.
            if name in ("doi", "url"):
                text = " ".join(str(value).split()).replace("}", "%7D").replace("{", "%7B")
            elif name in ("author", "editor"):
                text = value  # escaped name by name
            else:
                text = _bibtex_value(value)
            lines.append(f"  {name} = {{{text}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris(record: dict) -> str:
    first, last = page_range(record)
    parts = date_parts(record.get("issued"))
    rows: list[tuple[str, Any]] = [("TY", RIS_TYPES.get(str(record.get("type") or ""), "GEN"))]
    rows += [("AU", f"{f}, {g}" if g else f) for f, g in names(record, "author")]
    rows += [("ED", f"{f}, {g}" if g else f) for f, g in names(record, "editor")]
    rows += [
        ("TI", plain(record["title"]) if record.get("title") else None),
        ("T2", plain(record["container-title"]) if record.get("container-title") else None),
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


FORMATS = (
    ("BibTeX", "bib", bibtex),
    ("RIS", "ris", ris),
    ("CSL-JSON", "json", csl_json),
)


def data_url(text: str, extension: str) -> str:
    return f"data:{MEDIA_TYPES[extension]};charset=utf-8,{quote(text, safe='')}"


def downloads(record: dict, stem: str) -> list[tuple[str, str, str]]:
    """(label, file name, data: URL) for each format, for links with a `download` attribute."""
    return [(label, f"{stem}.{ext}", data_url(make(record), ext)) for label, ext, make in FORMATS]
