"""X-013: the numbers of ordered lists, compared across the editions and with the source.

The text is compared without list numbers (a PDF prints them, the web edition's browser draws
them from `start` and `type`); they are compared here on their own, each list as the numbers of
its items in its numerals. pandoc writes `7.`, `iii.`, `a)` and the example lists `(@)` as
`<ol start type>`; a PDF that numbers such a list 1, 2, 3 changes what the text says (an example
cited as "(3)" printed as 1.).
"""

from __future__ import annotations

import shutil

import lxml.html
import pytest

from conftest import write_and_build
from test_crossref import _copy_build, _findings, _plant_in_html, _rewrite_epub
from pubpipe.check.read_markup import item_numbers

LISTS = """---
title: Numbered lists
lang: en-GB
---

(@first) First example.
(@second) Second example.

A paragraph between the examples.

(@third) Third example; compare (@first).

iii. Roman three
iv. Roman four

a) alpha
b) beta

7. seven
8. eight

   i. nested one
   ii. nested two

- a bullet
- another bullet
"""

# The same text, each list numbered 1, 2 in arabic numerals, as a PDF that ignores `start` and
# `type` prints them.
FROM_ONE = """---
title: Numbered lists
lang: en-GB
---

1. First example.
2. Second example.

A paragraph between the examples.

1. Third example; compare (1).

<!-- -->

1. Roman three
2. Roman four

<!-- -->

1. alpha
2. beta

<!-- -->

1. seven
2. eight

   1. nested one
   2. nested two

- a bullet
- another bullet
"""


@pytest.fixture(scope="module")
def lists(tmp_path_factory):
    return write_and_build(tmp_path_factory.mktemp("lists"), "lists", {"article.md": LISTS})


def _x013(built, build, editions):
    return [f for f in _findings(built, build) if f.code in ("X-013", "F-002") and f.editions == editions
            and "list numbers" in f.message]


def test_list_numbers_agree_in_every_edition(lists):
    assert _findings(lists, lists.build) == []


def test_the_web_and_epub_editions_number_the_lists_as_written(lists):
    from pubpipe.check.read_epub import read_epub
    from pubpipe.check.read_html import read_html

    written = ["1 2", "3", "iii iv", "a b", "7 8", "i ii"]
    assert [n.text for n in read_html(lists.edition("html")).list_numbers] == written
    assert [n.text for n in read_epub(lists.edition("epub")).list_numbers] == written


def test_a_pdf_that_numbers_every_list_from_1_is_x013(lists, tmp_path):
    build = _copy_build(lists, tmp_path)
    from_one = write_and_build(tmp_path / "from-one", "lists", {"article.md": FROM_ONE}, "--formats", "pdf")
    shutil.copyfile(from_one.edition("pdf"), build / "lists" / "lists.pdf")
    for editions in (("html", "pdf"), ("epub", "pdf"), ("source", "pdf")):
        found = _x013(lists, build, editions)
        assert [(f.expected, f.found) for f in found] == [("3 | iii iv | a b | 7 8 | i ii", "1 | 1 2 | 1 2 | 1 2 | 1 2")], found


def test_a_list_that_starts_elsewhere_in_the_html_is_x013(lists, tmp_path):
    build = _plant_in_html(lists, tmp_path, '<ol start="7"', '<ol start="6"')
    found = _x013(lists, build, ("html", "epub"))
    assert [(f.expected, f.found) for f in found] == [("6 7", "7 8")], found
    assert "ol[" in found[0].where["html"], found


def test_a_list_in_other_numerals_in_the_epub_is_x013(lists, tmp_path):
    build = _copy_build(lists, tmp_path)
    _rewrite_epub(build / "lists" / "lists.epub", lambda text: text.replace('type="i"', 'type="I"', 1))
    found = _x013(lists, build, ("html", "epub"))
    assert [(f.expected, f.found) for f in found] == [("iii iv", "III IV")], found


@pytest.mark.parametrize("markup, numbers", [
    ('<ol start="3" type="i"><li>a</li><li>b</li></ol>', ["iii", "iv"]),
    ('<ol reversed><li>a</li><li>b</li><li>c</li></ol>', ["3", "2", "1"]),
    ('<ol start="9"><li>a</li><li value="20">b</li><li>c</li></ol>', ["9", "20", "21"]),
    ('<ol type="a" start="26"><li>a</li><li>b</li></ol>', ["z", "aa"]),
    ('<ol type="A" start="0"><li>a</li><li>b</li></ol>', ["0", "A"]),  # no letter for 0: decimal
    ('<ol type="I" start="3999"><li>a</li><li>b</li></ol>', ["MMMCMXCIX", "4000"]),
    ('<ol start=" +5x"><li>a</li></ol>', ["5"]),  # HTML's integer rules
])
def test_item_numbers_are_those_a_browser_draws(markup, numbers):
    assert item_numbers(lxml.html.fragment_fromstring(markup)) == numbers
