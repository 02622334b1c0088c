"""The words the pipeline adds (headings, skip link, landmarks) follow the article's language, and
where they must fall back to English they say so with lang="en"; the editions of a French and of
a Polish article still pass the whole check, validators included."""

from __future__ import annotations

import zipfile

import pytest

from pubpipe.labels import LABELS, for_language


@pytest.fixture(params=["fr", "pl"])
def in_language(request, translated):
    """(language, its build): the features fixture built in French and in Polish (conftest)."""
    return request.param, translated[request.param]


def test_every_language_has_every_label():
    for language, labels in LABELS.items():
        assert labels.language == language and labels.native
        assert all(value.strip() for value in labels.__dict__.values() if isinstance(value, str))
        assert "{number}" in labels.back_to_note


def test_a_language_without_labels_gets_english_marked_as_such():
    assert for_language("fr-CA") is LABELS["fr"]
    fallback = for_language("ja")
    assert fallback.notes == LABELS["en"].notes and not fallback.native
    assert fallback.lang_attribute == ' lang="en"' and LABELS["en"].lang_attribute == ""


def test_the_web_edition_speaks_the_article_language(in_language):
    language, built = in_language
    page = built.edition("html").read_text(encoding="utf-8")
    if language == "fr":
        assert ">Aller à l’article</a>" in page and ">Notes</h2>" in page and ">Citer cet article</h2>" in page
        assert "Skip to the article" not in page
        assert '<p lang="en">Made from' in page
    else:
        assert '<a class="skip-link" href="#main" lang="en">Skip to the article</a>' in page
        assert 'id="footnotes-heading" lang="en">Notes</h2>' in page


def test_the_epub_navigation_speaks_the_article_language(in_language):
    language, built = in_language
    with zipfile.ZipFile(built.edition("epub")) as book:
        nav = book.read("EPUB/nav.xhtml").decode("utf-8")
        colophon = book.read("EPUB/colophon.xhtml").decode("utf-8")
    if language == "fr":
        assert ">Table des matières</h1>" in nav and ">Page de titre</a>" in nav
        assert '<p class="made-with" lang="en">' in colophon and f'<span lang="{language}">' in colophon
    else:
        assert 'id="toc-heading" lang="en">Contents</h1>' in nav


def test_the_whole_check_passes_in_another_language(in_language, validated):
    _language, built = in_language
    check = validated[built.slug]
    assert check.error is None and check.findings == []
    assert {"X-001", "F-002", "V-EPUBCHECK", "V-NU", "V-ACE", "V-AXE"} <= set(check.checks_run)
