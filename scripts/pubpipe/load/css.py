"""What a piece of CSS would load, read the way a browser reads it.

A regular expression over CSS text misses what the CSS tokenizer unescapes: `\\75 rl(`,
`u\\72l(` and `\\000075rl(` all spell `url(`, and browsers fetch them. tinycss2 (the tokenizer
WeasyPrint uses) turns escapes into the identifiers and URL tokens a browser sees, so the checks
below judge the same tokens a reader's browser, an e-reader or WeasyPrint would act on.

Anything that loads is refused: `url()` (and `src()`), functions that take an image or another
element (`image-set()`, `cross-fade()`, `element()`, …), IE's `expression()` and `behavior`,
Mozilla's `-moz-binding`, and every at-rule but the few that only group rules (`@import` and
`@font-face` load files). In SVG, `url(#id)` names a part of the same image and is allowed.
"""

from __future__ import annotations

from typing import Iterable, Iterator, NamedTuple

import tinycss2

LOADING_FUNCTIONS = frozenset(
    "url src image image-set -webkit-image-set cross-fade -webkit-cross-fade element -moz-element "
    "expression paint".split()
)
LOADING_PROPERTIES = frozenset(["behavior", "-moz-binding"])
# At-rules that only group or condition other rules; their content is checked like the rest.
GROUPING_AT_RULES = frozenset(["media", "supports", "keyframes", "-webkit-keyframes", "layer", "container"])


class Load(NamedTuple):
    """Something the CSS would load: what it is, and its line within the CSS text (from 1)."""

    what: str
    line: int

    def __str__(self) -> str:
        return self.what


def declarations_load(css: str, fragments: bool = False) -> Load | None:
    """What a `style=` attribute's declarations load (None: nothing). `fragments`: url(#id) is allowed."""
    return _first_load(tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True), fragments)


def stylesheet_loads(css: str, fragments: bool = False) -> Load | None:
    """What a style sheet (the text of a `<style>` element) loads."""
    return _first_load(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), fragments)


def value_loads(css: str, fragments: bool = False) -> Load | None:
    """What one property value (an SVG presentation attribute such as fill=) loads."""
    return _first_load(tinycss2.parse_component_value_list(css, skip_comments=True), fragments)


def _first_load(nodes: Iterable, fragments: bool) -> Load | None:
    for node in _walk(nodes):
        found = _loads(node, fragments)
        if found:
            return Load(found, node.source_line)
    return None


def _loads(node, fragments: bool) -> str | None:
    kind = node.type
    if kind == "url":
        return None if fragments and node.value.startswith("#") else f"url({node.value[:60]})"
    if kind == "function" and node.lower_name in LOADING_FUNCTIONS:
        if node.lower_name in ("url", "src") and fragments and _only_fragment(node.arguments):
            return None
        return f"{node.lower_name}()"
    if kind == "declaration" and node.lower_name in LOADING_PROPERTIES:
        return f"the property {node.lower_name}"
    if kind == "at-rule" and node.lower_at_keyword not in GROUPING_AT_RULES:
        return f"@{node.lower_at_keyword}"
    if kind == "at-keyword":
        return f"@{node.lower_value}"
    if kind == "error" and node.kind == "bad-url":
        return "a malformed url()"
    return None


def _only_fragment(arguments: list) -> bool:
    values = [token for token in arguments if token.type not in ("whitespace", "comment")]
    return len(values) == 1 and values[0].type == "string" and values[0].value.startswith("#")


def _walk(nodes: Iterable) -> Iterator:
    """Every node, and every node inside a block, a function's arguments or a rule's prelude."""
    for node in nodes:
        yield node
        for name in ("prelude", "content", "arguments", "value"):
            children = getattr(node, name, None)
            if isinstance(children, list):
                yield from _walk(children)
