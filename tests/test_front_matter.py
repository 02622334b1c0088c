"""Front matter in the forms other tools write: authors, affiliations, ORCID, dates, title blocks,
unknown keys and a missing language. These read the article as the load step does (no pandoc),
so each form is proved on its own; the editions are proved end to end in test_conventions.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from pubpipe.errors import ArticleError
from pubpipe.load.article import load_article
from pubpipe.load.authors import orcid_checksum_ok
from pubpipe.load.dates import read_date


def write(folder: Path, text: str, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(text, encoding="utf-8")
    for name, content in files.items():
        (folder / name.replace("_", ".")).write_text(content, encoding="utf-8")
    return folder


BODY = "\n# Introduction\n\nSome text of the article.\n"


def test_joss_authors_take_their_affiliations_by_index_and_keep_orcid(tmp_path):
    folder = write(tmp_path / "joss", """---
title: 'pkg: a package'
authors:
  - name: Ann Lee
    orcid: 0000-0002-1825-0097
    affiliation: "1, 2"
  - name: Bo Chen
    affiliation: 2
affiliations:
 - name: University One
   index: 1
 - name: Lab Two
   index: 2
date: 11 October 2019
tags: [Python, tides]
---
""" + BODY)
    meta = load_article(folder).metadata
    assert [(a.name, a.affiliations, a.orcid) for a in meta.authors] == [
        ("Ann Lee", ("University One", "Lab Two"), "0000-0002-1825-0097"),
        ("Bo Chen", ("Lab Two",), None),
    ]
    assert meta.affiliations == ["University One", "Lab Two"]
    assert meta.keywords == ["Python", "tides"]  # JOSS's tags stand in for keywords
    assert meta.date_iso == "2019-10-11"
    assert meta.notices == ()


def test_pandoc_scholar_authors_keyed_by_name_with_institutes(tmp_path):
    folder = write(tmp_path / "scholar", """---
title: Example
author:
  - Jane Doe:
      institute: [fosg, fop]
      email: jane.doe@example.com
      correspondence: "yes"
  - John Q. Doe:
      institute: fosg
institute:
  - fosg:
      name: Formatting Open Science Group
  - fop: Federation of Planets
---
""" + BODY)
    authors = load_article(folder).metadata.authors
    assert [(a.name, a.affiliations, a.email, a.corresponding) for a in authors] == [
        ("Jane Doe", ("Formatting Open Science Group", "Federation of Planets"), "jane.doe@example.com", True),
        ("John Q. Doe", ("Formatting Open Science Group",), None, False),
    ]


def test_quarto_authors_with_name_parts_and_affiliation_refs(tmp_path):
    folder = write(tmp_path / "quarto", """---
title: A Quarto article
author:
  - name:
      given: Josiah
      family: Carberry
    orcid: 0000-0002-1825-0097
    email: josiah@example.org
    corresponding: true
    affiliations:
      - ref: brown
  - name: Norah Jones
    affiliations:
      - name: Example College
        department: Music
        city: Springfield
affiliations:
  - id: brown
    name: Brown University
    city: Providence
abstract: |
  The first paragraph.

  The second paragraph.
date: 2008-02-29
lang: en-US
---
""" + BODY)
    authors = load_article(folder).metadata.authors
    assert authors[0].name == "Josiah Carberry" and (authors[0].given, authors[0].family) == ("Josiah", "Carberry")
    assert authors[0].affiliations == ("Brown University, Providence",) and authors[0].corresponding
    assert authors[1].affiliations == ("Music, Example College, Springfield",)


def test_an_affiliation_one_quarto_author_defines_with_an_id_serves_the_others(tmp_path):
    """Quarto's journal templates define an affiliation under the first author, with an `id`, and
    the co-authors `ref:` it; no top-level `affiliations:` list is needed."""
    folder = write(tmp_path / "journal", """---
title: A journal article
author:
  - name: Ann Lee
    affiliations:
      - id: uni
        name: University One
        department: Statistics
    attributes:
      corresponding: true
  - name: Bo Chen
    affiliations:
      - ref: uni
      - name: Water Company
---
""" + BODY)
    meta = load_article(folder).metadata
    assert [(a.name, a.affiliations, a.corresponding) for a in meta.authors] == [
        ("Ann Lee", ("Statistics, University One",), True),
        ("Bo Chen", ("Statistics, University One", "Water Company"), False),
    ]
    assert meta.notices == ()


def test_a_bad_orcid_or_an_undefined_affiliation_is_reported_with_its_line(tmp_path):
    folder = write(tmp_path / "bad", """---
title: Example
authors:
  - name: Ann Lee
    orcid: 0000-0000-0000-0000
    affiliation: 3
affiliations:
  - name: Only One
    index: 1
---
""" + BODY)
    notices = dict(load_article(folder).metadata.notices)
    assert "wrong check digit" in notices[5]
    assert "affiliation '3' is not defined" in notices[6]
    assert orcid_checksum_ok("0000-0002-1825-0097") and orcid_checksum_ok("0000-0002-9079-593X")


def test_pandoc_title_block_gives_title_authors_and_date(tmp_path):
    folder = write(tmp_path / "tb", "% A Title\n  Over Two Lines\n% Ann Lee; Bo Chen\n  Cy Dunn\n% 14 March 2025\n\nThe text.\n")
    article = load_article(folder)
    assert article.metadata.title == "A Title Over Two Lines"
    assert article.metadata.author_names == ["Ann Lee", "Bo Chen", "Cy Dunn"]
    assert article.metadata.date_iso == "2025-03-14"
    assert article.body_start_line == 6


@pytest.mark.parametrize("written, lang, given, iso", [
    ("11 October 2019", "en", False, "2019-10-11"),
    ("October 11, 2019", "en", False, "2019-10-11"),
    ("14 March 2025", "en", False, "2025-03-14"),
    ("Oct. 11, 2019", "en", False, "2019-10-11"),
    ("October 2019", "en", False, "2019-10"),
    ("2019-10-11", "en", False, "2019-10-11"),
    ("2019/10/11", "en", False, "2019-10-11"),
    ("2019-10-11T09:30:00+02:00", "en", False, "2019-10-11"),
    ("11.10.2019", "de", True, "2019-10-11"),
    ("11. Oktober 2019", "de", True, "2019-10-11"),
    ("le 11 octobre 2019", "fr", True, "2019-10-11"),
    ("11 de octubre de 2019", "es", True, "2019-10-11"),
    ("2019年10月11日", "ja", True, "2019-10-11"),
    ("11/10/2019", "en-GB", True, "2019-10-11"),
    ("10/11/2019", "en-US", True, "2019-10-11"),
    ("13/10/2019", "en", False, "2019-10-13"),
    (2019, "en", False, "2019"),
])
def test_dates_as_people_write_them(written, lang, given, iso):
    assert read_date(written, lang, given).iso == iso


@pytest.mark.parametrize("written, lang, given, words", [
    ("11/10/2019", "en", False, "could be 11 October 2019 or 10 November 2019"),
    ("31 February 2019", "en", False, "not a valid date"),
    ("Spring 2019", "en", False, "not a date we can read"),
    ("`r Sys.Date()`", "en", False, "R code"),
    ("today", "en", False, "Quarto's keyword"),
])
def test_a_date_that_cannot_be_read_is_refused_not_guessed(written, lang, given, words):
    read = read_date(written, lang, given)
    assert read.iso is None and words in read.problem


def test_an_unreadable_date_is_reported_with_its_line_and_no_date_is_invented(tmp_path):
    folder = write(tmp_path / "rmd", '---\ntitle: An R Markdown report\nauthor: Ann Lee\ndate: "`r Sys.Date()`"\n---\n' + BODY)
    article = load_article(folder)
    (line, message), = article.metadata.notices
    assert line == 4 and "R code" in message
    assert article.metadata.date_iso is None and not article.metadata.date_shown


def test_an_unknown_key_is_reported_with_the_nearest_known_one(tmp_path):
    folder = write(tmp_path / "typo", "---\ntitle: Typo\nautor: Ann Lee\nformat: html\ndifficulty: 2\n---\n" + BODY)
    meta = load_article(folder).metadata
    assert meta.notices == ((3, "unknown front matter key 'autor' is ignored; did you mean 'author'?"),)
    # Keys of other tools are no mistake: not warned, but named for `pubpipe -v`.
    assert "format (pandoc)" in meta.ignored and "difficulty (Programming Historian)" in meta.ignored


def test_keys_that_yaml_reads_as_null_true_or_numbers_keep_their_line_and_spelling(tmp_path):
    """`null:` and `true:` are loaded as None and True; they were reported as 'None' at line 2."""
    folder = write(tmp_path / "odd", "---\ntitle: Odd keys\nnull: 1\ntrue: 2\n3: three\n---\n" + BODY)
    assert load_article(folder).metadata.notices == (
        (3, "unknown front matter key 'null' is ignored"),
        (4, "unknown front matter key 'true' is ignored"),
        (5, "unknown front matter key '3' is ignored"),
    )
    twice = write(tmp_path / "twice", "---\ntitle: Twice\nnull: 1\n~: 2\n---\n" + BODY)
    with pytest.raises(ArticleError, match="the key '~' is given twice in the front matter \\(first at line 3\\)"):
        load_article(twice)


GERMAN = (
    "Die Geschichte der Stadt beginnt im frühen Mittelalter, als an der Furt über den Fluss eine kleine "
    "Siedlung entstand. Die Bürger errichteten bald eine Mauer und eine Kirche, und der Markt zog Händler "
    "aus der ganzen Region an. Im vierzehnten Jahrhundert wurde die Stadt Mitglied der Hanse, was ihr "
    "Reichtum und Einfluss brachte. Die Quellen aus dieser Zeit sind zahlreich, aber sie wurden bisher "
    "kaum systematisch ausgewertet, weil die meisten Urkunden in verschiedenen Archiven liegen.\n"
)


def test_without_lang_the_language_is_detected_and_the_key_suggested(tmp_path):
    folder = write(tmp_path / "de", "---\ntitle: Eine Stadtgeschichte\n---\n\n" + GERMAN)
    meta = load_article(folder).metadata
    assert meta.lang == "de" and not meta.lang_given
    (line, message), = meta.notices
    assert line == 2 and "add 'lang: de'" in message


def test_an_english_text_without_lang_stays_english_without_a_word(tmp_path):
    folder = write(tmp_path / "en", "---\ntitle: A town history\n---\n\n" + (
        "The history of the town begins in the early Middle Ages, when a small settlement grew up at the "
        "ford over the river. The citizens soon built a wall and a church, and the market drew traders "
        "from the whole region. In the fourteenth century the town joined the Hanseatic League.\n") * 2)
    meta = load_article(folder).metadata
    assert meta.lang == "en" and meta.notices == ()


def test_code_chunks_liquid_tags_and_shortcodes_are_reported_with_their_lines(tmp_path):
    folder = write(tmp_path / "foreign", "---\ntitle: Foreign\nlang: en\n---\n\n```{r setup}\nlibrary(x)\n```\n\n"
                   "The mean is `r mean(x)`.\n\n{% include figure.html filename=\"a.png\" %}\n\n{{< video clip.mp4 >}}\n\n"
                   "```python\n{% not a tag inside code %}\n```\n")
    notices = load_article(folder).metadata.notices
    assert [(line, message.split(" is ")[0]) for line, message in notices] == [
        (6, "an R code chunk"),  # one notice for all of an article's chunks
        (10, "the inline R expression `r mean(x)`"),
        (12, "the Jekyll Liquid tag {% include figure.html filename=\"a.png\" %}"),
        (14, "the Quarto shortcode {{< video clip.mp4 >}}"),
    ]


def test_bookdown_references_and_a_programming_historian_original_are_reported(tmp_path):
    folder = write(tmp_path / "ph", "---\ntitle: Translated lesson\nlang: en\noriginal: reshaping-json\n---\n\n"
                   "As Figure \\@ref(fig:map) shows.\n")
    notices = load_article(folder).metadata.notices
    assert [line for line, _ in notices] == [4, 7]
    assert "Programming Historian" in notices[0][1] and "\\@ref(fig:map)" in notices[1][1]


def test_bookdown_text_references_and_part_markers_are_reported(tmp_path):
    folder = write(tmp_path / "bd", "---\ntitle: Snow\nlang: en\n---\n\n(ref:melt) Day of melt onset.\n\n"
                   "![(ref:melt)](melt.png)\n\n# (APPENDIX) Appendix {-}\n\n# More\n")
    notices = load_article(folder).metadata.notices
    assert [(line, message.split(" is shown")[0]) for line, message in notices] == [
        (6, "bookdown's text reference (ref:melt)"), (8, "bookdown's text reference (ref:melt)"),
        (10, "bookdown's part marker (APPENDIX)")]


def test_myst_directives_roles_and_targets_are_reported(tmp_path):
    """Jupyter Book's MyST Markdown, which pandoc does not read: a directive's fence is no fence to
    it, and what follows turned into code and tables without a word."""
    folder = write(tmp_path / "myst", "---\ntitle: Decay\nlang: en\n---\n\n(sec-counts)=\n# Counts\n\n"
                   "Samples decay {cite}`curie1902`.\n\n```{math}\n:label: eq-n\nN = N_0 e^{-t}\n```\n\n"
                   ":::{note}\nKeep the lid on.\n:::\n\n```python\nprint('{cite}`not-a-role`')\n```\n")
    notices = load_article(folder).metadata.notices
    assert [(line, message.split(" is ")[0]) for line, message in notices] == [
        (6, "the MyST target (sec-counts)="), (9, "the MyST role {cite}`curie1902`"),
        (11, "the MyST directive {math}"), (16, "the MyST directive {note}")]


def test_keys_of_other_tools_that_change_what_readers_see_are_reported_with_their_line(tmp_path):
    """`date-format: long` or `number-sections: true` ask for a different page: not another tool's
    private business (listed under -v only) but a request the editions do not follow."""
    folder = write(tmp_path / "asks", "---\ntitle: Asks\nlang: en\ndate: 2021-03-04\ndate-format: long\n"
                   "number-sections: true\ntoc: false\nexecute:\n  echo: false\n---\n\nText.\n")
    metadata = load_article(folder).metadata
    assert [(line, message.split(":' is")[0]) for line, message in metadata.notices] == [(5, "'date-format"), (6, "'number-sections")]
    assert "date-format" not in metadata.ignored and "execute" in metadata.ignored  # toc: false asks for nothing


# The forms real front matter uses: JOSS's authors and affiliations, Quarto's nested options, block
# and folded text, flow lists, dates, quoted strings with colons, comments, Unicode.
VARIED_YAML = """\
title: 'Tides: a study'   # a comment
subtitle: "With \\"quotes\\" and é"
date: 2024-03-05
authors:
  - name: Ada Lovelace
    orcid: 0000-0002-1825-0097
    affiliation: "1, 2"
  - {name: Николай Лобачевский, affiliation: 2}
affiliations:
 - name: Institute of Tides
   index: 1
abstract: |
  First line.

    Indented line.
keywords: [tides, "sea level", 3, true, null, ~]
format:
  pdf:
    toc: false
    fig-width: 6.5
summary: >
  folded
  text
"""


@pytest.mark.parametrize("text", [VARIED_YAML, "x: [1, 2\ny: 3\n", "a: b: c\n", "- a\nb: c\n", "x: &x [*x]\n"])
def test_libyaml_and_pythons_parser_read_the_same_values_and_lines(text):
    """The loader reads through libyaml for speed (load/yaml_loader.py); a PyYAML without it reads
    through Python. Both must give the same values, lines and refusals."""
    import yaml

    from pubpipe.load.yaml_loader import PythonSafeLoader, SafeLoader

    if yaml.__with_libyaml__:
        assert "CParser" in [base.__name__ for base in SafeLoader.__mro__]

    def read(loader):
        try:
            nodes = yaml.compose(text, Loader=loader)
            lines = []
            pending = [nodes]
            while pending:
                node = pending.pop()
                lines.append((node.tag, node.start_mark.line, node.start_mark.column))
                if isinstance(node, yaml.MappingNode):
                    pending += [part for pair in node.value for part in pair]
                elif isinstance(node, yaml.SequenceNode):
                    pending += node.value
            return yaml.load(text, Loader=loader), lines
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            return type(exc).__name__, mark.line if mark else None

    assert read(SafeLoader) == read(PythonSafeLoader)


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))


@pytest.mark.parametrize("yaml_text, alias", [
    (BILLION_LAUGHS, "*a"),  # nine lines that name 43 million values
    ("x: &x [*x]\n", "*x"),  # a value that holds itself
    ("base: &b {lang: en}\nmeta:\n  <<: *b\n", "*b"),  # a merge, which would vanish without a word
])
def test_a_yaml_alias_is_refused_with_its_line_in_every_yaml_a_user_writes(tmp_path, yaml_text, alias):
    from pubpipe.errors import ArticleError, BibliographyError, PackError
    from pubpipe.packs.spec import load_pack

    folder = write(tmp_path / "article", f"---\ntitle: T\n{yaml_text}---\n{BODY}")
    with pytest.raises(ArticleError) as refused:
        load_article(folder)
    assert f"the alias {alias} is not read" in refused.value.message and refused.value.line >= 3

    from pubpipe.load.bibliography import parse_entries

    bibliography = tmp_path / "refs.yaml"
    with pytest.raises(BibliographyError, match="is not read"):
        parse_entries(bibliography, f"{yaml_text}references:\n- id: a\n  title: A\n")

    pack = tmp_path / "p.yaml"
    pack.write_text(f"title: P\neditor: E\narticles: [article]\n{yaml_text}", encoding="utf-8")
    with pytest.raises(PackError, match="is not read"):
        load_pack(pack)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/a", "example.org/a", "https:///x"])
def test_an_articles_url_must_be_a_web_address(tmp_path, url):
    """`url:` becomes a link and the citation_public_url: a reader's browser would run javascript:."""
    from pubpipe.errors import ArticleError

    folder = write(tmp_path / "article", f"---\ntitle: T\nurl: \"{url}\"\n---\n{BODY}")
    with pytest.raises(ArticleError, match="is not a web address") as refused:
        load_article(folder)
    assert refused.value.line == 3
    folder = write(tmp_path / "good", f"---\ntitle: T\nurl: https://example.org/a\n---\n{BODY}")
    assert load_article(folder).metadata.extra_citation_fields["url"] == "https://example.org/a"
