r"""Syntax of other tools that pandoc reads as plain text or plain code, reported with its line.

R Markdown and Quarto run their code chunks (```` ```{r} ````, `` `r …` ``) before pandoc sees
the text, Jekyll expands Liquid tags (`{% include … %}`), Quarto its shortcodes (`{{< … >}}`) and
bookdown its references (`\@ref(fig:x)`, labels `(\#fig:x)`).
pubpipe runs none of them (an article may come from a stranger, and its code would run on the
editor's machine): chunks are shown as code, tags as the text they are. Both are legal pandoc
Markdown, so the build goes on, but the author is told where, since the output is not what the
other tool would make.
"""

from __future__ import annotations

import re

CHUNK = re.compile(r"^\s*(```+|~~~+)\s*\{\s*(r|python|julia|ojs|bash|sql|stan|rcpp)\b", re.IGNORECASE)
FENCE = re.compile(r"^\s*(```+|~~~+)")
INLINE_R = re.compile(r"`r\s[^`]+`")
LIQUID = re.compile(r"\{%-?\s*\w+.*?-?%\}|\{\{\s*(site|page|include)\.[^}]*\}\}")
SHORTCODE = re.compile(r"\{\{<\s*[\w-]+.*?>\}\}")
BOOKDOWN_REF = re.compile(r"\\@ref\([^)]*\)|\(\\#(fig|tab|eq):[^)]*\)")
MAX_REPORTED = 5


def foreign_syntax(body: str, first_line: int) -> list[tuple[int, str]]:
    """(line, message) for each chunk, inline R expression, Liquid tag or Quarto shortcode."""
    found: list[tuple[int, str]] = []
    fence = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        chunk = CHUNK.match(line)
        if chunk:
            found.append((number, f"a {chunk.group(2)} code chunk is shown as code, not run "
                                  "(pubpipe does not run knitr or Jupyter); paste its output in if the text needs it"))
        opening = FENCE.match(line)
        if opening:
            fence = opening.group(1)
            continue
        for match in INLINE_R.finditer(line):
            found.append((number, f"the inline R expression {match.group(0)} is shown as code, not run"))
        for match in LIQUID.finditer(line):
            found.append((number, f"the Jekyll Liquid tag {match.group(0)[:60]} is shown as text; write its "
                                  "content in Markdown (a figure as ![caption](file.png){alt=\"…\"})"))
        for match in BOOKDOWN_REF.finditer(line):
            found.append((number, f"bookdown's cross-reference {match.group(0)} is shown as text; pubpipe numbers "
                                  "nothing in this form (label the target {#fig:x} and write @fig:x, as pandoc-crossref does)"))
        for match in SHORTCODE.finditer(line):
            found.append((number, f"the Quarto shortcode {match.group(0)[:60]} is shown as text, not expanded"))
    if len(found) > MAX_REPORTED:
        found = found[:MAX_REPORTED] + [(found[MAX_REPORTED][0], f"and {len(found) - MAX_REPORTED} more of the same kinds")]
    return found
