"""Quarto's callouts: the settings of their filter (lua/callouts.lua), which makes each a box with
a caption in every edition instead of a section; here its words for a callout without a title
("Note", "Warning" …) are chosen for the article's language (pubpipe.labels)."""

from __future__ import annotations

import json

from pubpipe.labels import callout_names
from pubpipe.load.article import Article

ENVIRONMENT_VARIABLE = "PUBPIPE_CALLOUTS"


def filter_environment(article: Article) -> dict[str, str]:
    names, native = callout_names(article.metadata.lang)
    return {ENVIRONMENT_VARIABLE: json.dumps({"names": names, "native": native}, ensure_ascii=False)}
