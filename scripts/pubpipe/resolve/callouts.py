"""Quarto's callouts: the settings of their filter (lua/callouts.lua), which makes each a box with
a caption in every edition instead of a section; here its words for a callout without a title
("Note", "Warning" …) are chosen for the article's language (pubpipe.labels), unless the author
gave their own in Quarto's `language:` map."""

from __future__ import annotations

import json

from pubpipe.labels import callout_names
from pubpipe.load.article import Article

ENVIRONMENT_VARIABLE = "PUBPIPE_CALLOUTS"


def filter_environment(article: Article) -> dict[str, str]:
    """The words for each kind: the author's (Quarto's `language: callout-note-title:`, never
    marked as English), else the article's language's."""
    names, native = callout_names(article.metadata.lang)
    own = article.metadata.reference_words.callout_titles
    settings = {"names": {**names, **own}, "native": native, "own": sorted(own)}
    return {ENVIRONMENT_VARIABLE: json.dumps(settings, ensure_ascii=False)}
