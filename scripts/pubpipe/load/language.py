"""The language an article is written in, when its front matter does not say (`lang:`).

The editions must declare a language (hyphenation, quotes, screen readers), and the Nu HTML
Checker guesses the language of every page and complains when the declared one differs. Its guess
comes from Shuyo's language-detection library; `langdetect` is the Python port of that library, so
the guess made here is the one the checker will make. It is made deterministic (a fixed seed), and
taken only when it is clear: then the editions are built in the detected language and the author
is told which key to add. When the guess is unclear the default, English, stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT = "en"
CONFIDENT = 0.90
MIN_LETTERS = 200  # below this the guess is noise: a title and a few lines
# Markup that is no prose in any language: code, URLs, citation keys, LaTeX commands.
NOT_PROSE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|https?://\S+|\[?@[\w:.#$%&+?<>~/-]+\]?|\\[a-zA-Z]+|<[^<>\n]+>",
                       re.DOTALL)


@dataclass(frozen=True)
class Guess:
    lang: str
    probability: float


def guess_language(body: str) -> Guess | None:
    """The language of `body` (Markdown) when it is clear, else None."""
    prose = NOT_PROSE.sub(" ", body)
    if sum(char.isalpha() for char in prose) < MIN_LETTERS:
        return None
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0  # the library samples the text at random; the same text, the same answer
    try:
        ranked = detect_langs(prose)
    except LangDetectException:
        return None
    if not ranked or ranked[0].prob < CONFIDENT:
        return None
    best = ranked[0]
    return Guess(_bcp47(best.lang), best.prob)


def _bcp47(code: str) -> str:
    """langdetect names Chinese zh-cn and zh-tw; BCP 47 prefers the script (Hans, Hant)."""
    return {"zh-cn": "zh-Hans", "zh-tw": "zh-Hant"}.get(code, code)
