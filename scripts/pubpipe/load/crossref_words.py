"""The words of captions and cross-references that the author set for pandoc-crossref or Quarto.

An article written for pandoc-crossref says `figureTitle: Fig.` or `figPrefix: [fig., figs.]` at
the top of its front matter; one written for Quarto says the same in its `crossref:` map
(`fig-title`, `fig-prefix`, `title-delim`) or, as a translation, in its `language:` map
(`crossref-fig-title`, `crossref-eq-prefix`). Those words are the author's and every edition shows
them in place of the language's ("Figure 1", pubpipe.labels), through the resolve step's crossref
filter (pubpipe.resolve.crossref). A prefix is one text, used for one reference and for several,
or (pandoc-crossref) a list whose item is chosen by how many references stand together: the first
for one, the second for two, the last for more than it has.

The same holds for the headings and labels the editions add: pandoc's `abstract-title` and
`toc-title`, Quarto's `language:` words `section-title-abstract`, `section-title-footnotes`,
`section-title-citation` and `toc-title-document` replace "Abstract", "Notes", "Cite this article"
and "Contents" (pubpipe.labels.article_labels), in the article's language, not marked as English.

The other settings of these tools change numbering, layout or templates that pubpipe does not
follow (`chapters`, `figureTemplate`, `rangeDelim`, Quarto's `labels: roman`). Each is reported
with its line, since the editions would otherwise differ from what the author asked for without
a word; a value of the wrong shape for a word (a map where a text is wanted) is refused with its
line, since nothing sensible can be shown in its place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pubpipe.load.key_lines import Notices

KINDS = ("figure", "table", "equation", "section", "listing")
CAPTIONED = ("figure", "table", "listing")

# Where each word may be set, the first given winning: pandoc-crossref's top-level key, Quarto's
# key in `crossref:`, Quarto's translation in `language:`.
TITLE_KEYS = {"figure": ("figureTitle", "fig-title", "crossref-fig-title"),
              "table": ("tableTitle", "tbl-title", "crossref-tbl-title"),
              "listing": ("listingTitle", "lst-title", "crossref-lst-title")}
PREFIX_KEYS = {"figure": ("figPrefix", "fig-prefix", "crossref-fig-prefix"),
               "table": ("tblPrefix", "tbl-prefix", "crossref-tbl-prefix"),
               "equation": ("eqnPrefix", "eq-prefix", "crossref-eq-prefix"),
               "section": ("secPrefix", "sec-prefix", "crossref-sec-prefix"),
               "listing": ("lstPrefix", "lst-prefix", "crossref-lst-prefix")}
# pandoc-crossref's capitalised forms, for references written capitalised (@Fig:x).
CAPITAL_PREFIX_KEYS = {kind: keys[0][0].upper() + keys[0][1:] for kind, keys in PREFIX_KEYS.items()}
DELIMITER_KEYS = ("titleDelim", "title-delim", None)
QUARTO_MAP = "crossref"
QUARTO_LANGUAGE = "language"  # Quarto's translations: a map (a file's name is not read)
# Quarto's translations of a callout's caption, where the callout has no title of its own.
CALLOUT_TITLE_KEYS = {kind: f"callout-{kind}-title" for kind in ("note", "tip", "warning", "caution", "important")}

# The headings and labels the editions add, by their name in pubpipe.labels.Labels: pandoc's (and
# Quarto's) top-level key, and Quarto's translation in `language:`.
HEADING_KEYS = {"abstract": ("abstract-title", None, "section-title-abstract"),
                "notes": (None, None, "section-title-footnotes"),
                "cite_this": (None, None, "section-title-citation"),
                "contents": ("toc-title", None, "toc-title-document")}
HEADING_TOP_KEYS = {keys[0] for keys in HEADING_KEYS.values() if keys[0]}
HEADING_LANGUAGE_KEYS = {keys[2] for keys in HEADING_KEYS.values()}

# pandoc-crossref's keys that pubpipe obeys (`codeBlockCaptions` is read by lua/crossref.lua itself).
HONOURED_KEYS = ({keys[0] for keys in (*TITLE_KEYS.values(), *PREFIX_KEYS.values())}
                 | set(CAPITAL_PREFIX_KEYS.values()) | {DELIMITER_KEYS[0], "codeBlockCaptions", QUARTO_MAP, QUARTO_LANGUAGE}
                 | HEADING_TOP_KEYS)

# Settings whose value is what every edition does anyway: no warning for these values.
ALREADY_SO = {"linkReferences": True, "nameInLink": True, "ref-hyperlink": True,
              # pandoc-crossref's defaults, which are what the editions do: no chapter numbers, no
              # section numbers or automatic labels, only labelled formulas numbered.
              "chapters": False, "numberSections": False, "autoSectionLabels": False, "autoEqnLabels": False,
              "tableEqns": False, "subfigGrid": False}
# Settings for LaTeX output alone, which no edition of ours is.
LATEX_ONLY = {"cref", "listings"}

# pandoc-crossref's other settings, reported with their line when given.
NOT_HONOURED = {
    "chapters", "chaptersDepth", "chapDelim", "autoSectionLabels", "numberSections", "sectionsDepth",
    "secHeaderTemplate", "secHeaderDelim", "secLevelLabels", "linkReferences", "nameInLink", "rangeDelim",
    "pairDelim", "lastDelim", "refDelim", "lofTitle", "lotTitle", "lolTitle", "lofItemTitle", "lotItemTitle",
    "lolItemTitle", "listItemTitleDelim", "lofItemTemplate", "lotItemTemplate", "lolItemTemplate",
    "figureTemplate", "tableTemplate", "listingTemplate", "subfigureTemplate", "subfigureChildTemplate",
    "subfigGrid", "subfigLabels", "ccsDelim", "ccsTemplate", "ccsLabelSep", "autoEqnLabels", "tableEqns", "equationNumberTeX",
    "eqnIndexTemplate", "eqnBlockTemplate", "eqnInlineTemplate", "eqnInlineTableTemplate", "eqnDisplayTemplate",
    "eqnBlockInlineMath", "figPrefixTemplate", "eqnPrefixTemplate", "tblPrefixTemplate", "lstPrefixTemplate",
    "secPrefixTemplate", "refIndexTemplate", "subfigureRefIndexTemplate", "figLabels", "eqLabels", "eqnLabels",
    "tblLabels", "lstLabels", "secLabels", "setLabelAttribute", "adjustSectionIdentifiers", "crossrefYaml",
}
REPORTED_KEYS = NOT_HONOURED | LATEX_ONLY  # known to the conventions check, never "unknown"

# Why a setting is not honoured: by its key, else by the end of its name.
_REASONS = (
    ({"chapters", "chaptersDepth", "chapDelim"},
     "figures, tables, equations and listings are numbered 1, 2, 3 … through the whole article"),
    ({"numberSections", "sectionsDepth", "autoSectionLabels", "secHeaderDelim", "secHeaderTemplate", "secLevelLabels"},
     "headings carry no numbers, and a section is referred to by its title"),
    ({"linkReferences", "nameInLink", "ref-hyperlink"}, "every reference is a link to its target, its words included"),
    ({"autoEqnLabels", "tableEqns", "equationNumberTeX", "eq-title"}, "only a labelled display formula is numbered, \"(1)\" at its right"),
    ({"lofTitle", "lotTitle", "lolTitle", "lofItemTitle", "lotItemTitle", "lolItemTitle", "listItemTitleDelim",
      "lofItemTemplate", "lotItemTemplate", "lolItemTemplate", "lof-title", "lot-title", "lol-title"},
     "the editions make no list of figures, tables or listings"),
    ({"subfigureTemplate", "subfigureChildTemplate", "subfigureRefIndexTemplate", "subfigGrid", "subfigLabels",
      "ccsDelim", "ccsTemplate", "ccsLabelSep", "subref-labels"},
     "the parts of a figure are lettered after its number (1a, 1b), their captions begun (a), (b), in one form"),
    ({"appendix-title", "appendix-delim", "ch-prefix", "apx-prefix"},
     "chapters and appendices are sections like any other, without numbers"),
    ({"custom"}, "the kinds numbered are figures, tables, equations, listings and sections"),
)
_REASONS_BY_ENDING = (
    (("Template", "Grid"), "captions read \"Figure 1: …\" and references \"Figure 1\", in the words set for them"),
    (("Labels", "labels"), "numbers are written in arabic numerals"),
    (("Delim",), "several references together read \"Figures 1 and 2\", in the article's language"),
    (("-title", "-prefix"), "theorems, lemmas, definitions and the like are not numbered (write them as text)"),
)


def _why(key: str) -> str:
    for keys, reason in _REASONS:
        if key in keys:
            return reason
    for endings, reason in _REASONS_BY_ENDING:
        if key.endswith(endings):
            return reason
    return "pubpipe numbers captions and references its own way, in the words set for them"


@dataclass(frozen=True)
class ReferenceWords:
    """The author's words; a kind absent from a map keeps the language's."""

    titles: dict[str, str] = field(default_factory=dict)  # figure, table, listing -> "Fig."
    prefixes: dict[str, list[str]] = field(default_factory=dict)  # kind -> ["fig.", "figs."]
    capital_prefixes: dict[str, list[str]] = field(default_factory=dict)  # for @Fig:x
    title_delimiter: str | None = None
    callout_titles: dict[str, str] = field(default_factory=dict)  # note -> "Uwaga", from Quarto's language:
    headings: dict[str, str] = field(default_factory=dict)  # a Labels name -> the author's words ("notes" -> "Przypisy")


def read_reference_words(front: dict[str, Any], notices: Notices) -> ReferenceWords:
    """The words set in the front matter, checked; settings not honoured become notices."""
    quarto = front.get(QUARTO_MAP)
    if quarto is not None and quarto is not False and not isinstance(quarto, dict):
        notices.refuse((QUARTO_MAP,), f"'{QUARTO_MAP}:' must be a map of Quarto's cross-reference options, "
                       f"not {_shape(quarto)}", hint="write for example 'crossref:' and, indented below it, 'fig-title: Fig.'")
    if quarto is False:
        notices.warn((QUARTO_MAP,), "'crossref: false' is not honoured: labelled figures, tables, equations and "
                     "listings are numbered and their references resolved all the same")
    quarto = quarto if isinstance(quarto, dict) else {}
    language = front.get(QUARTO_LANGUAGE)
    if language is not None and not isinstance(language, dict):
        notices.warn((QUARTO_LANGUAGE,), f"'{QUARTO_LANGUAGE}:' is not read unless it is a map: Quarto's translations "
                     "in a file of their own are not followed; write the 'crossref-…' keys you need in the front matter")
    sources = ({key: value for key, value in front.items() if isinstance(key, str)}, quarto,
               language if isinstance(language, dict) else {})
    paths = ((), (QUARTO_MAP,), (QUARTO_LANGUAGE,))

    def setting(keys: tuple[str | None, ...]):
        """(path, value) of the first of pandoc-crossref's and Quarto's keys that is given."""
        found = [(path + (key,), source[key]) for key, source, path in zip(keys, sources, paths)
                 if key is not None and source.get(key) is not None]
        for path, _ in found[1:]:
            notices.warn(path, f"'{_shown(path)}' is not used: '{_shown(found[0][0])}' sets the same words")
        return found[0] if found else (None, None)

    titles, prefixes, capitals = {}, {}, {}
    for kind, keys in TITLE_KEYS.items():
        path, value = setting(keys)
        if path:
            titles[kind] = _text(value, path, notices, "a caption's first word")
    for kind, keys in PREFIX_KEYS.items():
        path, value = setting(keys)
        if path:
            prefixes[kind] = _forms(value, path, notices)
        capital = front.get(CAPITAL_PREFIX_KEYS[kind])
        if capital is not None:
            capitals[kind] = _forms(capital, (CAPITAL_PREFIX_KEYS[kind],), notices)
    path, value = setting(DELIMITER_KEYS)
    delimiter = _text(value, path, notices, "what stands between a caption's number and its words") if path else None
    callouts = {kind: _text(sources[2][key], (QUARTO_LANGUAGE, key), notices, "a callout's caption")
                for kind, key in CALLOUT_TITLE_KEYS.items() if sources[2].get(key) is not None}
    headings = {}
    for name, keys in HEADING_KEYS.items():
        path, value = setting(keys)
        if path:
            headings[name] = _text(value, path, notices, "a heading's words")
    _report_not_honoured(front, quarto, sources[2], notices)
    return ReferenceWords(titles, prefixes, capitals, delimiter, callouts, headings)


def _report_not_honoured(front: dict[str, Any], quarto: dict[str, Any], language: dict[str, Any],
                         notices: Notices) -> None:
    """Every setting of pandoc-crossref and of Quarto's `crossref:` map that is not followed, and
    every entry of Quarto's `language:` map but the cross-reference words and callout captions it
    gives (a section's title there would change an edition's words, so none goes unsaid)."""
    words = {key for keys in (*TITLE_KEYS.values(), *PREFIX_KEYS.values(), DELIMITER_KEYS) for key in keys}
    for key, value in front.items():
        if key in NOT_HONOURED and ALREADY_SO.get(key) is not value:
            notices.warn((key,), f"pandoc-crossref's '{key}:' is not honoured: {_why(key)}")
    for key, value in quarto.items():
        if key not in words and ALREADY_SO.get(key) is not value:
            notices.warn((QUARTO_MAP, key), f"Quarto's 'crossref: {key}:' is not honoured: {_why(str(key))}")
    for key, value in language.items():
        if key in words or key in CALLOUT_TITLE_KEYS.values() or key in HEADING_LANGUAGE_KEYS:
            continue
        if str(key).startswith("crossref-"):
            why = _why(str(key).removeprefix("crossref-"))
        elif isinstance(value, dict):
            why = ("a map of one language's words is not read; write the words of the article's language "
                   "(lang:) directly under language:")
        else:
            why = "the editions take this word from the article's language (lang:), as pubpipe.labels gives it"
        notices.warn((QUARTO_LANGUAGE, key), f"Quarto's 'language: {key}:' is not honoured: {why}")


def _shown(path: tuple) -> str:
    return ": ".join(str(part) for part in path)


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return f"a {type(value).__name__}"


def _text(value: Any, path: tuple, notices: Notices, what: str) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    notices.refuse(path, f"'{_shown(path)}:' must be text ({what}), not {_shape(value)}",
                   hint=f"write '{path[-1]}: …' with the words on the same line")


def _forms(value: Any, path: tuple, notices: Notices) -> list[str]:
    """A reference prefix: one text, or a list of texts (for one reference, for two, …)."""
    if isinstance(value, list):
        if not value:
            notices.refuse(path, f"'{_shown(path)}:' is an empty list", hint="give the word for one reference, "
                           "and the word for several after it: [fig., figs.]")
        return [_text(item, path + (index,), notices, "the word for that many references")
                for index, item in enumerate(value)]
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    notices.refuse(path, f"'{_shown(path)}:' must be text or a list of texts (for one reference, for several), "
                   f"not {_shape(value)}", hint=f"write '{path[-1]}: fig.' or '{path[-1]}: [fig., figs.]'")
