r"""Syntax of other tools that pandoc reads as plain text or plain code, reported with its line.

R Markdown and Quarto run their code chunks (```` ```{r} ````, `` `r …` ``) before pandoc sees
the text, Jekyll expands Liquid tags (`{% include … %}`), Quarto its shortcodes (`{{< … >}}`) and
bookdown its references (`\@ref(fig:x)`, labels `(\#fig:x)`).
pubpipe runs none of them (an article may come from a stranger, and its code would run on the
editor's machine): chunks are shown as code, tags as the text they are. Two shortcodes run
nothing and mean the same in every edition, so lua/shortcodes.lua expands them and they need no
word: `{{< pagebreak >}}` as a paragraph of its own, and `{{< meta key >}}` where the front matter
has text at that key. For the others the build goes on, but
the author is told where, since the output is not what the other tool would make.

pandoc reads no chunk as a code block (`{python}` is no attribute of its), but as inline code
that runs the chunk's lines together; `code_chunks_as_code_blocks` writes each chunk's opening
fence in pandoc's form (```` ```{.python .code-chunk} ````), on the same line, so that it is a code
block in its language and every line keeps its number (lua/chunks.lua then takes Quarto's `#|`
option lines out of it).
"""

from __future__ import annotations

import datetime
import re

CHUNK = re.compile(r"^\s*(```+|~~~+)\s*\{\s*(r|python|julia|ojs|bash|sql|stan|rcpp)\b", re.IGNORECASE)
CHUNK_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+|~~~+)\s*\{\s*(?P<language>[A-Za-z]+)\b[^}]*\}\s*$")
# The chunk languages' names, with the article each takes ("an R code chunk").
LANGUAGES = {"r": ("an", "R"), "python": ("a", "Python"), "julia": ("a", "Julia"), "ojs": ("an", "Observable"),
             "bash": ("a", "Bash"), "sql": ("an", "SQL"), "stan": ("a", "Stan"), "rcpp": ("an", "Rcpp")}
CHUNK_CLASS = "code-chunk"  # lua/chunks.lua looks for it
FENCE = re.compile(r"^\s*(```+|~~~+)")
INLINE_R = re.compile(r"`r\s[^`]+`")
# A tag or shortcode is sought within TAG_LENGTH characters of its opening: an unbounded `.*?`
# scanned to the line's end from every opening, in time the square of a line an article chooses.
TAG_LENGTH = 500
WITHIN = "{0,%d}" % TAG_LENGTH
LIQUID = re.compile(r"\{%-?\s*\w+." + WITHIN + r"?-?%\}|\{\{\s*(site|page|include)\.[^}]" + WITHIN + r"\}\}")
SHORTCODE = re.compile(r"\{\{<\s*[\w-]+." + WITHIN + r"?>\}\}")
PAGEBREAK = re.compile(r"\{\{<\s*pagebreak\s*>\}\}")
META = re.compile(r"\{\{<\s*meta\s+(?P<key>[\w.-]+)\s*>\}\}")
META_CONDITION = re.compile(r"""\b(?:when|unless)-meta=["']?(?P<key>[\w.-]+)""")
BOOKDOWN_REF = re.compile(r"\\@ref\([^)]" + WITHIN + r"\)|\(\\#(fig|tab|eq):[^)]" + WITHIN + r"\)")
# bookdown's text references, `(ref:label) text` defined on a line of its own and used in a
# caption as `(ref:label)`, and its part marker `# (APPENDIX) Appendix {-}`.
BOOKDOWN_TEXT_REF = re.compile(r"\(ref:[\w:.-]{1,100}\)")
BOOKDOWN_PART = re.compile(r"^#\s+\((APPENDIX|PART)\*?\)", re.IGNORECASE)
# MyST Markdown (Jupyter Book, MyST-NB): directives in fences (```{figure} bars.png, :::{note}),
# roles ({cite}`key`, {math}`x`) and targets ((sec-intro)= above a heading). pandoc reads none of
# them: a directive's fence is no fence to it, and what follows turns into code and tables.
MYST_DIRECTIVE = re.compile(
    r"^\s*(```+|~~~+|:::+)\s*\{(?P<name>math|figure|image|note|warning|tip|important|caution|attention|danger|error|"
    r"hint|seealso|admonition|code-cell|code-block|code|list-table|table|csv-table|toctree|eval-rst|glue|glue:figure|"
    r"margin|sidebar|topic|epigraph|bibliography|tableofcontents|dropdown|tab-set|tab-item|card|grid|"
    r"literalinclude|include|raw|div|embed)\}")
MYST_ROLE = re.compile(r"\{(?P<name>cite(?::[a-z]+)?|math|ref|numref|eq|doc|term|download|abbr|sub|sup|kbd|glue(?::\w+)?)\}`[^`]{1,300}`")
MYST_TARGET = re.compile(r"^\((?P<name>[\w:.-]{1,100})\)=\s*$")
# pandoc's numbered code lines (```{.python .numberLines startFrom="10"}): lua/chunks.lua takes
# the class off, since pandoc writes each line an empty link, which fails WCAG's link names.
NUMBERED_LINES = re.compile(r"^\s*(```+|~~~+)\s*\{[^}]*\.(numberLines|number-lines)\b")
MAX_REPORTED = 5


def outside_code(lines: list[str]):
    """(index, line) of each line that is not inside a fenced code block (a fence's opening line
    is; its other lines and its closing fence are not)."""
    fence = None
    for index, line in enumerate(lines):
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
            continue
        opening = FENCE.match(line)
        if opening:
            fence = opening.group(1)
        yield index, line


def _chunk_openings(lines: list[str]) -> list[int]:
    """The indices of the lines that open a code chunk (```` ```{r} ````, not inside another block)."""
    return [index for index, line in outside_code(lines) if CHUNK.match(line)]


def code_chunks_as_code_blocks(body: str) -> str:
    """The body with each code chunk's opening fence in pandoc's own form, on the same line."""
    lines = body.split("\n")
    for index in _chunk_openings(lines):
        fence = CHUNK_FENCE.match(lines[index])
        if fence:
            lines[index] = f"{fence['indent']}{fence['fence']}{{.{fence['language'].lower()} .{CHUNK_CLASS}}}"
    return "\n".join(lines)


def _chunks_notice(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """One notice for all of an article's code chunks, at the first one."""
    openings = _chunk_openings(lines)
    if not openings:
        return []
    languages = sorted({LANGUAGES.get(CHUNK.match(lines[index]).group(2).lower()) for index in openings})
    several = len(openings) > 1
    count = f"{len(openings)} code chunks ({', '.join(name for _, name in languages)}; the first on this line) are" \
        if several else f"{languages[0][0]} {languages[0][1]} code chunk is"
    return [(first_line + openings[0],
             f"{count} shown as code in {'their' if several else 'its'} language, not run: pubpipe "
             "runs no code, which would run on the editor's machine, and Quarto's '#|' option lines are left out; "
             "for the chunks' output, render the article with Quarto (or knitr) first, keeping the Markdown it writes "
             "(keep-md: true), and build that")]


# Keys whose value pandoc gets from the build's command line, not from the front matter: the paths
# of this machine that citeproc reads (pubpipe.resolve.pandoc), and pubpipe's own. A meta shortcode
# never shows them (lua/shortcodes.lua is given this list).
SET_BY_THE_BUILD = ("bibliography", "csl", "citation-abbreviations")
OWN_PREFIX = "pubpipe-"


def set_by_the_build(key: str) -> bool:
    first = key.split(".")[0]
    return first in SET_BY_THE_BUILD or first.startswith(OWN_PREFIX)


def _meta_text(front: dict, key: str) -> bool:
    """Whether the front matter has text (a string, number or date) at `key` (a dotted path)."""
    if set_by_the_build(key):
        return False
    value = front
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return isinstance(value, (str, int, float, datetime.date)) and not isinstance(value, bool)


def meta_keys(body: str) -> set[str]:
    """The front matter's top-level keys that the text uses, through `{{< meta key >}}` shortcodes
    or Quarto's conditions `when-meta="key"` and `unless-meta="key"`: keys of no convention that
    are still not ignored."""
    return {match["key"].split(".")[0] for _, line in outside_code(body.split("\n"))
            for pattern in (META, META_CONDITION) for match in pattern.finditer(line)}


def _why_shown(match: re.Match, lines: list[str], index: int, front: dict) -> str | None:
    """Why this shortcode stays as written, or None when lua/shortcodes.lua expands it."""
    meta = META.fullmatch(match.group(0))
    if meta:
        if set_by_the_build(meta["key"]):
            return (f": pandoc's '{meta['key'].split('.')[0]}' is set by the build (a path on the editor's machine, or "
                    "pubpipe's own data), which no edition shows")
        return None if _meta_text(front, meta["key"]) else f": the front matter has no text at '{meta['key']}'"
    if PAGEBREAK.fullmatch(match.group(0)):
        alone = lines[index].strip() == match.group(0)
        if alone and all(not lines[other].strip() for other in (index - 1, index + 1) if 0 <= other < len(lines)):
            return None
    return " (pubpipe expands {{< pagebreak >}}, as a paragraph of its own, and {{< meta key >}})"


def foreign_syntax(body: str, first_line: int, front: dict | None = None) -> list[tuple[int, str]]:
    """(line, message) for the code chunks (once), each inline R expression, Liquid tag or Quarto
    shortcode that is not expanded; `front` is the front matter, for `{{< meta key >}}`."""
    front = front or {}
    lines = body.split("\n")
    found: list[tuple[int, str]] = _chunks_notice(lines, first_line)
    for index, line in outside_code(lines):
        number = first_line + index
        directive = MYST_DIRECTIVE.match(line)
        if directive:
            found.append((number, f"the MyST directive {{{directive['name']}}} is not read: pandoc takes its fence for "
                                  "text, and what follows it for code; write it in pandoc's Markdown (a figure as "
                                  "![caption](file.png){#fig-x}, a formula as $$ … $$)"))
            continue
        target = MYST_TARGET.match(line)
        if target:
            found.append((number, f"the MyST target ({target['name']})= is shown as text; label the heading "
                                  f"itself: # Heading {{#{target['name']}}}"))
        for match in MYST_ROLE.finditer(line):
            found.append((number, f"the MyST role {match.group(0)[:60]} is shown as code; write it in pandoc's "
                                  "Markdown ([@key] for a citation, $x$ for a formula, @label for a reference)"))
        if FENCE.match(line):
            numbered = NUMBERED_LINES.match(line)
            if numbered:
                found.append((number, f"the code's line numbers (.{numbered.group(2)}) are not shown: the editions "
                                      "show code without them; refer to a line by its words, or number it in a comment"))
            continue
        for match in INLINE_R.finditer(line):
            found.append((number, f"the inline R expression {match.group(0)} is shown as code, not run"))
        for match in LIQUID.finditer(line):
            found.append((number, f"the Jekyll Liquid tag {match.group(0)[:60]} is shown as text; write its "
                                  "content in Markdown (a figure as ![caption](file.png){alt=\"…\"})"))
        for match in BOOKDOWN_REF.finditer(line):
            found.append((number, f"bookdown's cross-reference {match.group(0)} is shown as text; pubpipe numbers "
                                  "nothing in this form (label the target {#fig:x} and write @fig:x, as pandoc-crossref does)"))
        for match in BOOKDOWN_TEXT_REF.finditer(line):
            found.append((number, f"bookdown's text reference {match.group(0)} is shown as text; write the words "
                                  "themselves where the reference stands (in the figure's caption)"))
        part = BOOKDOWN_PART.match(line)
        if part:
            found.append((number, f"bookdown's part marker ({part.group(1)}) is shown as the heading's text; "
                                  "remove it, the heading itself stays"))
        for match in SHORTCODE.finditer(line):
            why = _why_shown(match, lines, index, front)
            if why is not None:
                found.append((number, f"the Quarto shortcode {match.group(0)[:60]} is shown as text, not expanded{why}"))
    found.sort(key=lambda item: item[0])
    if len(found) > MAX_REPORTED:
        found = found[:MAX_REPORTED] + [(found[MAX_REPORTED][0], f"and {len(found) - MAX_REPORTED} more of the same kinds")]
    return found
