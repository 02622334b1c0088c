"""The rights statement the editions print and the metadata carry (EPUB dc:rights, DC.rights,
JSON-LD copyrightNotice).

pandoc's `rights:` is the statement as written. Quarto writes it as two keys instead,
`copyright:` (text, or `{holder, year, statement}`) and `license:` (text, `{type, text, url}`, or
a list of them); an article that has no `rights:` gets its statement from these, the copyright
first ("© 2024 Ama Owusu. CC BY 4.0"), the license linked to its `url`. When `rights:` is given
it is the statement, and a `copyright:` or `license:` beside it is reported, not shown twice.
"""

from __future__ import annotations

from typing import Any

from pubpipe.load.key_lines import Notices


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return " ".join(str(value).split()) or None
    if isinstance(value, list):
        return ", ".join(part for part in map(_text, value) if part) or None
    return None


def _copyright(value: Any) -> str | None:
    if not isinstance(value, dict):
        return _text(value)
    statement = _text(value.get("statement"))
    if statement:
        return statement
    holder_and_year = " ".join(part for part in (_text(value.get("year")), _text(value.get("holder"))) if part)
    return f"© {holder_and_year}" if holder_and_year else None


def _license(value: Any) -> str | None:
    if isinstance(value, list):
        return "; ".join(part for part in map(_license, value) if part) or None
    if not isinstance(value, dict):
        return _text(value)
    words = _text(value.get("text")) or _text(value.get("type"))
    url = _text(value.get("url"))
    if words and url:
        return f"[{words}](<{url}>)"
    return words or (f"<{url}>" if url else None)


def rights_statement(front: dict, rights: str | None, notices: Notices) -> str | None:
    """`rights`, else the statement made of Quarto's `copyright:` and `license:` (Markdown)."""
    given = {key: front.get(key) for key in ("copyright", "license") if front.get(key) is not None}
    if rights:
        for key in given:
            notices.warn((key,), f"'{key}:' is not shown: the editions show 'rights:' as the rights statement "
                         f"(write what '{key}:' says into 'rights:' to show it)")
        return rights
    parts = []
    for key, read in (("copyright", _copyright), ("license", _license)):
        if key in given:
            part = read(given[key])
            if part:
                parts.append(part)
            else:
                notices.warn((key,), f"'{key}:' is not in a form pubpipe reads (text, or Quarto's map); it is not shown")
    if not parts:
        return None
    return " ".join(part if part.endswith((".", ">", ")")) or index == len(parts) - 1 else part + "."
                    for index, part in enumerate(parts))
