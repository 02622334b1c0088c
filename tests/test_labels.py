"""The words the pipeline adds (headings, skip link, landmarks) follow the article's language, and
where they must fall back to English they say so with lang="en"; the editions of a French and of
a Japanese article still pass the whole check, validators included."""

from __future__ import annotations

import zipfile

import pytest

from conftest import FIXTURES, build_into
from pubpipe.check.run import check_article
from pubpipe.labels import LABELS, for_language


@pytest.fixture(scope="module", params=["fr", "pl"])
def translated(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"labels-{request.param}")
    source = root / "source"
    import shutil

    shutil.copytree(FIXTURES / "features", source / "features")
    article = source / "features" / "article.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("lang: en-GB", f"lang: {request.param}", 1), encoding="utf-8")
    return request.param, build_into(source, "features", root / "build")


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


def test_the_web_edition_speaks_the_article_language(translated):
    language, built = translated
    page = built.edition("html").read_text(encoding="utf-8")
    if language == "fr":
        assert ">Aller à l’article</a>" in page and ">Notes</h2>" in page and ">Citer cet article</h2>" in page
        assert "Skip to the article" not in page
        assert '<p lang="en">Made from' in page
    else:
        assert '<a class="skip-link" href="#main" lang="en">Skip to the article</a>' in page
        assert 'id="footnotes-heading" lang="en">Notes</h2>' in page


def test_the_epub_navigation_speaks_the_article_language(translated):
    language, built = translated
    with zipfile.ZipFile(built.edition("epub")) as book:
        nav = book.read("EPUB/nav.xhtml").decode("utf-8")
        colophon = book.read("EPUB/colophon.xhtml").decode("utf-8")
    if language == "fr":
        assert ">Table des matières</h1>" in nav and ">Page de titre</a>" in nav
        assert '<p class="made-with" lang="en">' in colophon and f'<span lang="{language}">' in colophon
    else:
        assert 'id="toc-heading" lang="en">Contents</h1>' in nav


def test_the_whole_check_passes_in_another_language(translated):
    _language, built = translated
    findings, _report = check_article(built.source, built.build, {})
    assert findings == []
