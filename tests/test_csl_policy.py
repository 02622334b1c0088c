"""An article's own CSL style may make citeproc read or fetch nothing but installed styles.

citeproc follows a style's `independent-parent` link: by its last segment in pandoc's resource
path, then over HTTP. Only a parent that names an installed independent style is allowed; it is
found in the installed styles, never in the article folder and never on the network. The style's
XML is read without DTDs or entities, and a bad style names its file and line (exit 4).
"""

from __future__ import annotations

import os

import pytest

from untrusted import article_text

BIBLIOGRAPHY, UNSAFE = 4, 6


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


def dependent_style(parent: str, extra: str = "", doctype: str = "", locale: str = "en-GB") -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}'
        f'<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" default-locale="{locale}">\n'
        "  <info>\n    <title>Our Own Journal</title>\n    <id>http://example.org/styles/ours</id>\n"
        f'    <link href="{parent}" rel="independent-parent"/>\n{extra}'
        "    <updated>2020-01-01T00:00:00+00:00</updated>\n  </info>\n</style>\n"
    )


def parents(case, listener) -> dict[str, str]:
    secret_csl = case.secret_file.parent / "secret.csl"
    return {
        "url": f"{listener.url}/parent.csl",
        "url-named-like-a-style": f"{listener.url}/styles/apa-like-nothing",
        "file-url": secret_csl.as_uri(),
        "absolute": str(secret_csl),
        "dotdot": os.path.relpath(secret_csl, case.folder),
        "not-installed": "http://www.zotero.org/styles/no-such-style-here",
    }


@pytest.mark.parametrize("spelling", ["url", "url-named-like-a-style", "file-url", "absolute", "dotdot", "not-installed"])
def test_a_parent_style_from_anywhere_is_refused_with_file_and_line(case, listener, spelling):
    style = dependent_style(parents(case, listener)[spelling])
    case.write("mine.csl", style)
    case.article(article_text(csl="mine.csl"))
    case.assert_refused(case.build(), UNSAFE, f"mine.csl:{line_of(style, 'independent-parent')}", "independent-parent")


def test_the_same_parent_is_refused_when_the_editor_names_the_style(case, listener):
    """STYLE= may name a file anywhere, but its parent still may not reach the network."""
    path = case.root / "editors-style.csl"
    path.write_text(dependent_style(f"{listener.url}/parent.csl"), encoding="utf-8")
    case.assert_refused(case.build("--style", str(path)), UNSAFE, "editors-style.csl:", "independent-parent")


@pytest.mark.parametrize("href", ["http://www.zotero.org/styles/apa", "https://www.zotero.org/styles/apa", "apa"])
def test_an_installed_parent_is_read_from_the_installed_styles(case, href):
    """A file named like the parent in the article folder is not what citeproc reads."""
    (case.folder / "apa.csl").write_bytes((case.secret_file.parent / "secret.csl").read_bytes())
    case.write("mine.csl", dependent_style(href))
    case.article(article_text(csl="mine.csl"))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    html = case.edition("html").read_text(encoding="utf-8")
    assert "Doe, J. (2001)" in html  # APA's bibliography, from the installed apa.csl


def test_entities_and_dtds_in_a_style_are_refused(case):
    doctype = f'<!DOCTYPE style [<!ENTITY leak SYSTEM "{(case.secret_file).as_uri()}">]>\n'
    style = dependent_style("http://www.zotero.org/styles/apa", extra="    <summary>&leak;</summary>\n", doctype=doctype)
    case.write("mine.csl", style)
    case.article(article_text(csl="mine.csl"))
    case.assert_refused(case.build(), UNSAFE, "mine.csl:2", "DOCTYPE")


@pytest.mark.parametrize("style, line, words", [
    ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0">\n<info>\n</style>\n', 4,
     ("not well-formed XML",)),
    ('<?xml version="1.0"?>\n<html><body/></html>\n', 2, ("not a CSL style", "<html>")),
    (dependent_style("apa", locale="../../etc/passwd"), 2, ("default-locale", "not a language tag")),
    ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">\n'
     "<info><title>T</title><id>t</id></info>\n</style>\n", None, ("citeproc cannot use this CSL style", "No citation element")),
    ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">\n'
     "<info><title>T</title><id>t</id></info>\n<citation><layout><bogus/></layout></citation>\n</style>\n", None,
     ("citeproc cannot use this CSL style", "unknown element")),
])
def test_a_bad_style_names_its_file_and_line(case, style, line, words):
    case.write("mine.csl", style)
    case.article(article_text(csl="mine.csl"))
    where = f"mine.csl:{line}" if line else "mine.csl"
    case.assert_refused(case.build(), BIBLIOGRAPHY, where, *words)


def test_bad_abbreviations_name_their_file(case):
    case.write("abbreviations.json", '{"default": {"container-title": ')
    case.article(article_text(citation_abbreviations="abbreviations.json"))
    case.assert_refused(case.build(), BIBLIOGRAPHY, "abbreviations.json", "citation abbreviations")
