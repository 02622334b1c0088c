"""Forms of real articles that `make check` once took for differences between the editions, each
read back as it is now, and beside it the real difference of the same kind, planted in one built
edition, which the check must still catch.

- Labels with accented letters (a French or German article's `# Résultats`, `{#eq:marée}`): the
  web edition writes the link as `href="#r%C3%A9sultats"`, which a browser decodes before it looks
  for the id; the EPUB and the PDF keep the letters.
- An author's raw `<details>` in the text: the web and EPUB readers took it for loose text of the
  body and read it before the first paragraph.
- A tall letter on the first line of a bibliography entry or of the text (the ring of "Åström"):
  the PDF reader took the line's glyphs, which reach up to the entry's destination, for the end of
  what stands before it.
- A table longer than a page: the PDF repeats its header on every page it runs onto.
"""

from __future__ import annotations

import re

import pytest

from conftest import write_and_build
from test_crossref import _copy_build, _findings, _plant_in_html, _rewrite_epub
from pubpipe.check.read_markup import indicated_id

ACCENTED = """---
title: Étiquettes accentuées
lang: fr-FR
date: 2021-03-03
---

# Méthode {#sec-méthode}

La marée suit l'équation

$$ h(t) = \\sum_k A_k \\cos(\\omega_k t) $$ {#eq:marée}

que l'@eq:marée résume. Les [résultats](#résultats) viennent après la @sec-méthode.

# Résultats

Voir la section [Résultats](#résultats) plus haut et la [Übersicht](#übersicht).

## Übersicht

Ein kurzer Überblick auf Deutsch, avec encore du texte en français pour la langue.
"""


@pytest.fixture(scope="module")
def accented(tmp_path_factory):
    return write_and_build(tmp_path_factory.mktemp("accented"), "accents", {"article.md": ACCENTED})


def test_links_to_accented_labels_agree_in_every_edition(accented):
    html = accented.edition("html").read_text(encoding="utf-8")
    # the form that was taken for a difference: the web edition encodes what the EPUB keeps
    assert 'href="#r%C3%A9sultats"' in html and 'href="#eq:mar%C3%A9e"' in html and 'href="#%C3%BCbersicht"' in html
    assert _findings(accented, accented.build) == []


def test_an_encoded_link_to_another_accented_label_in_the_html_is_x010(accented, tmp_path):
    # è for é: a link to a place that does not exist, encoded as the web edition encodes
    build = _plant_in_html(accented, tmp_path, 'href="#r%C3%A9sultats"', 'href="#r%C3%A8sultats"', occurrences=2)
    x010 = [f for f in _findings(accented, build) if f.code == "X-010" and "html" in f.editions]
    assert any(f.editions == ("html", "epub") and "#rèsultats" in f.expected + f.found for f in x010), x010
    assert any("leads nowhere: #rèsultats" in f.message for f in x010), x010


def test_a_link_that_lost_its_accent_in_the_epub_is_x010(accented, tmp_path):
    build = _copy_build(accented, tmp_path)
    _rewrite_epub(build / "accents" / "accents.epub", lambda text: text.replace('href="#eq:marée"', 'href="#eq:maree"'))
    x010 = [f for f in _findings(accented, build) if f.code == "X-010" and "epub" in f.editions]
    assert any({"Équation 1 -> #eq:maree", "Équation 1 -> #eq:marée"} == {f.expected, f.found} for f in x010), x010
    assert any("leads nowhere: #eq:maree" in f.message for f in x010), x010


@pytest.mark.parametrize("fragment, ids, found", [
    ("r%C3%A9sultats", {"résultats"}, "résultats"),
    ("a%41", {"a%41", "aA"}, "a%41"),  # an id written with a % is found as written first
    ("r%E9sultats", {"résultats"}, "r\ufffdsultats"),  # Latin-1 bytes are no UTF-8: nowhere
])
def test_a_fragment_leads_where_a_browser_looks(fragment, ids, found):
    assert indicated_id(fragment, ids) == found


BALTIC = """---
title: Tides of the Baltic
author: Ingrid Holm
lang: en-GB
csl: apa
bibliography: refs.yaml
---

The first survey of the Baltic tides [@lindqvist1911] was followed by a short note
[@lindqvist1913].

<details>
<summary>Extra material</summary>

Hidden paragraph inside a details element.

</details>

The survey's tables are kept in Uppsala.

# References
"""

BALTIC_REFERENCES = """references:
- id: lindqvist1911
  type: book
  author: [{family: Lindqvist, given: Karin}, {family: Åström, given: Karl}]
  title: Über die Gezeiten der Ostsee
  issued: 1911
  publisher: Vieweg
- id: lindqvist1913
  type: chapter
  author: [{family: Lindqvist, given: Karin}]
  title: Nachtrag
  container-title: Festschrift für Max Müller
  editor: [{family: Weber, given: Anna}]
  issued: {date-parts: [[1913], [1914]]}
  page: 1-9
"""


@pytest.fixture(scope="module")
def baltic(tmp_path_factory):
    return write_and_build(tmp_path_factory.mktemp("baltic"), "baltic", {"article.md": BALTIC, "refs.yaml": BALTIC_REFERENCES})


def test_details_and_an_entry_with_a_tall_letter_agree_in_every_edition(baltic):
    html = baltic.edition("html").read_text(encoding="utf-8")
    assert "<details>" in html and ">Lindqvist, K., &amp; Åström, K. (1911). <em>" in html
    assert _findings(baltic, baltic.build) == []


def test_details_moved_to_the_start_of_the_html_is_x001(baltic, tmp_path):
    build = _copy_build(baltic, tmp_path)
    html = build / "baltic" / "baltic.html"
    text = html.read_text(encoding="utf-8")
    details = re.search(r"<details>.*?</details>\n", text, re.S).group(0)
    text = text.replace(details, "")
    html.write_text(re.sub(r'(<div[^>]*class="article-body"[^>]*>)', lambda m: m.group(1) + details, text, count=1),
                    encoding="utf-8")
    x001 = [f for f in _findings(baltic, build) if f.code == "X-001" and f.editions == ("html", "epub")]
    assert x001 and any("Extra material Hidden paragraph" in f.expected + f.found for f in x001), x001


def test_a_year_changed_in_the_html_entry_with_a_tall_letter_is_x004_against_the_whole_pdf_entry(baltic, tmp_path):
    build = _plant_in_html(baltic, tmp_path, "Åström, K. (1911)", "Åström, K. (1912)")
    x004 = [f for f in _findings(baltic, build) if f.code == "X-004" and f.editions == ("html", "pdf")]
    assert [(f.expected, f.found) for f in x004] == [
        ("Lindqvist K Åström K 1912 Über die Gezeiten der Ostsee Vieweg", "Lindqvist K Åström K 1911 Über die Gezeiten der Ostsee Vieweg"),
    ], x004


LONG_TABLE = """---
title: A long table
lang: en-GB
---

The readings run over several pages.

| Number | Value | Station |
|---:|---:|:---|
""" + "".join(f"| {row} | {row * 7 % 13} | station {row} |\n" for row in range(1, 90)) + """
: Readings of every station. {#tbl:long}

After the table, see @tbl:long.
"""


@pytest.fixture(scope="module")
def long_table(tmp_path_factory):
    return write_and_build(tmp_path_factory.mktemp("long-table"), "longtable", {"article.md": LONG_TABLE})


def test_a_table_over_several_pages_agrees_in_every_edition(long_table):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(long_table.edition("pdf"))
    try:
        pages_with_header = sum("Number" in pdf[index].get_textpage().get_text_range() for index in range(len(pdf)))
    finally:
        pdf.close()
    assert pages_with_header >= 2  # the header the PDF repeats on each page of the table
    assert _findings(long_table, long_table.build) == []


def test_a_cell_changed_in_the_html_of_a_table_over_several_pages_is_x001(long_table, tmp_path):
    build = _plant_in_html(long_table, tmp_path, ">station 57<", ">station 75<")
    x001 = [f for f in _findings(long_table, build) if f.code == "X-001" and f.editions == ("html", "pdf")]
    assert [(f.expected.split("[")[1].split("]")[0], f.found.split("[")[1].split("]")[0]) for f in x001] == [("75", "57")], x001


@pytest.mark.parametrize("pdf_text, hint", [
    ("Centred Defa ult Align ed Right", True),  # a column too narrow: the words broken, no letter changed
    ("Centred Defa ulx Align ed Right", False),  # a letter changed too: no hint that could hide it
    ("Centred Default Aligned Right extra", False),
])
def test_words_broken_without_a_hyphen_are_named_as_such(pdf_text, hint):
    from pubpipe.check.compare import compare
    from pubpipe.check.summary import Located, Summary

    html = Summary("html", body=[Located("Centred Default Aligned Right", "th[2]")])
    pdf = Summary("pdf", body=[Located(pdf_text, "page 3")])
    x001 = [f for f in compare(html, pdf) if f.code == "X-001"]
    assert len(x001) == 1, x001
    assert ("pdf breaks words inside, without a hyphen" in x001[0].message) == hint, x001
