"""Quarto's conditional content (`.content-visible`, `.content-hidden` with `when-format`,
`unless-format`, `when-meta`, `unless-meta`, `when-profile`, `unless-profile`).

lua/conditional.lua judges each condition once for all three editions, as Quarto judges it for
its `html` format, since every edition is made from the one HTML document (see there). Each
element is reported with its line, because Quarto would have shown it in some formats and not
in others: the author learns which of the alternatives the editions carry. The filter knows no
lines, so each element's attribute block is given its line here first (`pubpipe-line`).
"""

from __future__ import annotations

import json
import re

from pubpipe.load.foreign_syntax import FENCE, outside_code

ATTRIBUTES = re.compile(r"\{[^{}\n]*\.content-(?:visible|hidden)\b[^{}\n]*\}")


def mark_lines(text: str) -> str:
    """`text` (numbered as article.md) with `pubpipe-line="N"` in each conditional attribute
    block that is not code (a fenced block's lines, an inline `code span`)."""
    lines = text.split("\n")
    for index, line in outside_code(lines):
        fence = FENCE.match(line)
        text_start = fence.end() if fence else 0  # a code block's own fence opens no code span
        lines[index] = ATTRIBUTES.sub(
            lambda match: match.group(0) if line[text_start:match.start()].count("`") % 2
            else f'{match.group(0)[:-1]} pubpipe-line="{index + 1}"}}', line)
    return "\n".join(lines)


def notices(found: str | None) -> list[str]:
    """A warning for each conditional element the filter judged (its JSON list)."""
    warnings = []
    for item in json.loads(found) if found else []:
        where = f"line {item['line']}" if item.get("line") else "the article"
        condition = f" {item['condition']}" if item.get("condition") else ""
        fate = "shown in every edition" if item["shown"] else "left out of every edition"
        warnings.append(
            f"{where}: Quarto's .{item['kind']}{condition} is {fate}: the three editions carry the same "
            "text, judged as for Quarto's html format (one HTML document makes them all)")
    return warnings
