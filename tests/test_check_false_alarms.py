"""Forms of real articles that `make check` once took for differences between the editions, each
read back as it is now, and beside it the real difference of the same kind, planted in one built
edition, which the check must still catch.

- Labels with accented letters (a French or German article's `# Résultats`, `{#eq:marée}`): the
  web edition writes the link as `href="#r%C3%A9sultats"`, which a browser decodes before it looks
  for the id; the EPUB and the PDF keep the letters.
"""

from __future__ import annotations

import pytest

from conftest import build_into
from test_crossref import _copy_build, _findings, _rewrite_epub
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
    root = tmp_path_factory.mktemp("accented")
    (root / "source" / "accents").mkdir(parents=True)
    (root / "source" / "accents" / "article.md").write_text(ACCENTED, encoding="utf-8")
    return build_into(root / "source", "accents", root / "build")


def test_links_to_accented_labels_agree_in_every_edition(accented):
    html = accented.edition("html").read_text(encoding="utf-8")
    # the form that was taken for a difference: the web edition encodes what the EPUB keeps
    assert 'href="#r%C3%A9sultats"' in html and 'href="#eq:mar%C3%A9e"' in html and 'href="#%C3%BCbersicht"' in html
    assert _findings(accented, accented.build) == []


def test_an_encoded_link_to_another_accented_label_in_the_html_is_x010(accented, tmp_path):
    build = _copy_build(accented, tmp_path)
    html = build / "accents" / "accents.html"
    text = html.read_text(encoding="utf-8")
    assert text.count('href="#r%C3%A9sultats"') == 2
    # è for é: a link to a place that does not exist, encoded as the web edition encodes
    html.write_text(text.replace('href="#r%C3%A9sultats"', 'href="#r%C3%A8sultats"', 1), encoding="utf-8")
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
