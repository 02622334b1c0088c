"""Which way the article's language is written, from its BCP 47 tag.

An Arabic, Hebrew or Persian article needs `dir="rtl"` on its documents and a right-to-left page
progression in the EPUB, or every reading system sets it left to right.
"""

from __future__ import annotations

RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}
RTL_SCRIPTS = {"adlm", "arab", "hebr", "nkoo", "rohg", "syrc", "thaa"}


def direction(lang: str) -> str:
    subtags = lang.lower().split("-")
    if len(subtags) > 1 and len(subtags[1]) == 4:
        return "rtl" if subtags[1] in RTL_SCRIPTS else "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"
