"""The metadata pandoc obeys is the front matter the load step validated, and nothing else.

pandoc obeys every YAML metadata block of a document: one in the body, in a block quote or in a
list item sets metadata as well as the front matter does, and citeproc then reads the files and
fetches the URLs that `bibliography:`, `csl:` or `citation-abbreviations:` name. The front matter
itself ends where pandoc ends it: an indented `---` inside a block scalar does not close it.
Each case runs through the real command line on the spoiled `victim` (tests/untrusted.py); the
`case` fixture checks that the planted secret is nowhere and the loopback listener saw nothing.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from make_harness import start_make
from untrusted import SLUG, VICTIM_BODY, article_text

ARTICLE, UNSAFE = 3, 6


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


def hidden_block(key: str, value: str, quote: str = "") -> str:
    return f"{quote}---\n{quote}{key}: {value}\n{quote}---\n"


def test_an_indented_dashes_line_in_a_block_scalar_does_not_end_the_front_matter(case):
    """The issue's repro: pandoc reads `bibliography:` as front matter, so must we."""
    secret_bib = case.secret_file.parent / "secret.bib"
    text = f"---\ntitle: H\nnote: |\n  ---\nbibliography: {secret_bib}\n---\n\nText [@doe2001].\n"
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, f"article.md:{line_of(text, 'bibliography:')}", "outside the article folder")


@pytest.mark.parametrize("where", ["body", "block quote", "list item", "footnote", "end"])
@pytest.mark.parametrize("key", ["bibliography", "csl", "citation-style", "citation-abbreviations"])
def test_a_metadata_block_in_the_body_is_refused_with_its_line(case, listener, key, where):
    value = {
        "bibliography": case.secret_file.parent / "secret.bib",
        "csl": case.secret_file.parent / "secret.csl",
        "citation-style": f"{listener.url}/style.csl",
        "citation-abbreviations": f"{listener.url}/abbreviations.json",
    }[key]
    block = {
        "body": hidden_block(key, value),
        "block quote": hidden_block(key, value, quote="> "),
        "list item": "- an item\n\n  " + hidden_block(key, value).replace("\n", "\n  ").rstrip() + "\n",
        "footnote": "A note.[^n]\n\n[^n]: The note.\n\n    " + hidden_block(key, value).replace("\n", "\n    ").rstrip() + "\n",
        "end": hidden_block(key, value),
    }[where]
    body = VICTIM_BODY + "\n" + block if where == "end" else f"Text [@doe2001].\n\n{block}\n" + VICTIM_BODY
    text = article_text(body=body)
    case.article(text)
    opening = next(n for n in range(line_of(text, f"{key}: {value}"), 0, -1) if text.split("\n")[n - 1].strip(" >-") == "")
    case.assert_refused(case.build(), UNSAFE, f"article.md:{opening}", f"'{key}'", "second YAML metadata block")


def test_a_harmless_metadata_block_in_the_body_is_refused_too(case):
    """Not a leak, but pandoc would change the title without the load step knowing."""
    text = article_text(body="Text [@doe2001].\n\n---\ntitle: Another title\n---\n\n" + VICTIM_BODY)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, f"article.md:{line_of(text, 'Another title') - 1}", "'title'")


def test_a_hidden_block_naming_a_bibliography_is_named_before_the_keys_it_would_have_given(case):
    """A `%` title block leaves no front matter for `bibliography:`, and a block after it names
    one; pandoc's citeproc then misses every key. The cause is the block, so that is the error."""
    case.write("more.bib", "@book{new2020, title={A Newer Book}, author={New, Nora}, year={2020}}\n")
    text = article_text(body="Text [@new2020].\n\n" + hidden_block("bibliography", "more.bib") + "\n" + VICTIM_BODY)
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "second YAML metadata block", f"article.md:{line_of(text, 'bibliography: more.bib') - 1}")


def test_horizontal_rules_and_dashes_in_the_body_still_build(case):
    body = ("Text [@doe2001].\n\n---\n\nAfter a rule.\n\n* * *\n\nA setext heading\n---\n\n"
            "```\n---\nbibliography: not-metadata-in-code.bib\n---\n```\n\n" + VICTIM_BODY)
    text = article_text(body=body)
    text = text.replace("lang: en\n", "lang: en\nnote: |\n  a block scalar\n  ---\n  with dashes\n", 1)
    case.article(text)
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    html = case.edition("html").read_text(encoding="utf-8")
    assert "After a rule." in html and "not-metadata-in-code.bib" in html


def test_citation_style_is_the_same_as_csl(case, listener):
    """pandoc reads `citation-style:` when `csl:` is absent: it is validated like `csl:`."""
    text = article_text(citation_style=f"{listener.url}/style.csl")
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "citation-style", "URL")
    case.article(article_text(citation_style="apa"))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    assert "Doe, J. (2001)" in case.edition("html").read_text(encoding="utf-8")


def test_citation_abbreviations_inside_the_folder_are_used(case):
    """The validated file is handed to citeproc by the resolve step, not by the article."""
    case.write("abbreviations.json", json.dumps({"default": {"container-title": {"A Journal": "JRNL-ABBR"}}}))
    case.write("short.csl", SHORT_JOURNAL_STYLE)
    case.article(article_text(csl="short.csl", citation_abbreviations="abbreviations.json"))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    assert "JRNL-ABBR" in case.edition("html").read_text(encoding="utf-8")


SHORT_JOURNAL_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Short journal titles</title><id>short-journal</id><updated>2020-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="(" suffix=")"><text variable="container-title" form="short"/><text variable="title"/></layout></citation>
</style>
"""


def test_check_reads_no_file_named_by_a_hidden_block(case):
    """`pubpipe check` resolves the article again; it must refuse as the build does, and write no
    check.json holding what the hidden block named. `make check` brings the editions up to date
    first, so there the build refuses. (The validators read only the editions, never the source:
    they are left out of the pubpipe run.)"""
    from pubpipe.cli import main

    text = article_text(body="Text [@doe2001].\n\n" + hidden_block("bibliography", case.secret_file.parent / "secret.bib"))
    case.article(text)
    if case.via == "make":
        result = case.finish(start_make(case.root, f"ARTICLE={SLUG}", "check"))
        status, err = result.status, result.err
    else:
        case.capfd.readouterr()
        status = main(["check", SLUG, "--no-validators", "--source", str(case.root / "source"), "--build", str(case.build_root)])
        err = case.capfd.readouterr().err
    assert status == UNSAFE, err
    assert "second YAML metadata block" in err
    assert not (case.build_root / SLUG / "check.json").exists()


# --- our split agrees with pandoc's ----------------------------------------------------------------

AGREEMENT = {
    "block scalar with dashes": "---\ntitle: A\nnote: |\n  ---\n  more\nlang: en\n---\n\nBody.\n",
    "dots close": "---\ntitle: A\nlang: en\n...\n\nBody.\n",
    "trailing spaces": "---  \ntitle: A\n---\t \n\nBody.\n",
    "folded scalar with dots": "---\ntitle: A\nnote: >-\n  ...\n  still note\n---\n\nBody.\n",
}


@pytest.mark.parametrize("name", sorted(AGREEMENT))
def test_the_front_matter_ends_where_pandoc_ends_it(tmp_path, name):
    from pathlib import Path

    from pubpipe.load.front_matter import split_front_matter
    from pubpipe.resolve.pandoc import pandoc_path

    text = AGREEMENT[name]
    ours = sorted(split_front_matter(text, Path("article.md"))[0])
    pandocs = json.loads(subprocess.run([pandoc_path(), "-f", "markdown", "-t", "json"], input=text,
                                        capture_output=True, text=True, check=True).stdout)["meta"]
    assert ours == sorted(pandocs), (ours, sorted(pandocs))


@pytest.mark.parametrize("text, line, words", [
    ("---\n\ntitle: A\n---\n\nBody.\n", 2, ("blank line", "horizontal rule")),
    ("---\ntitle: A\nbibliography: refs.yaml\nlang: en\nbibliography: other.yaml\n---\n\nBody.\n", 5,
     ("'bibliography'", "twice", "first at line 3")),
    ("---\ntitle: A\nauthor:\n- name: Ann\n  name: Bob\n---\n\nBody.\n", 5, ("'name'", "twice")),
    # YAML reads "--- text" as a second document, which pandoc would silently leave out.
    ("---\ntitle: A\nnote: >\n  x\n--- not the end\nlang: en\n---\n\nBody.\n", 5, ("malformed YAML", "document")),
])
def test_front_matter_pandoc_would_misread_is_refused_with_its_line(case, text, line, words):
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, f"article.md:{line}", *words)
