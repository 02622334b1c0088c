"""Ids and links the validators would refuse, prevented by the build (issue 12, item 7).

An author's heading called "Footnotes" got pandoc's id `footnotes`, which the notes section also
has: EPUBCheck (RSC-005) and the Nu checker refused both editions. Every id the editions or pandoc
give their own elements is now reserved (pubpipe.resolve.ids), and an author's element with one of
them is renamed, with the links that point to it.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html

from conftest import Built, build_into
from pubpipe.check.run import check_article
from pubpipe.resolve.ids import RESERVED_IDS

SLUG = "parts"


def _ids(markup: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', markup))


def _documents(built: Built) -> dict[str, str]:
    documents = {"html": built.edition("html").read_text(encoding="utf-8")}
    with zipfile.ZipFile(built.edition("epub")) as epub:
        for name in epub.namelist():
            if name.endswith(".xhtml"):
                documents[name] = epub.read(name).decode("utf-8")
    return documents


def _headings_named_like_our_parts(folder: Path) -> Path:
    """A heading whose words give each reserved id, and links to each of them."""
    names = [*RESERVED_IDS, "fn1", "fnref1", "refs", "ref-okafor"]
    headings = "\n\n".join(f"# {name.replace('-', ' ').title()}\n\nAbout {name}.^[A note under {name}.]" for name in names)
    links = ", ".join(f"[{name}](#{name})" for name in names if name != "ref-okafor")
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Headings That Sound Like Parts\nauthor: Jo Writer\ndate: 2020-02-02\nlang: en\n"
        "references:\n- id: okafor\n  type: book\n  title: A Book\n  author: [{family: Okafor, given: Ada}]\n  issued: 2001\n"
        "---\n\n"
        f"Links to each: {links}. A citation [@okafor].\n\n{headings}\n",
        encoding="utf-8",
    )
    return folder


def test_headings_named_like_our_parts_keep_every_id_unique(tmp_path):
    _headings_named_like_our_parts(tmp_path / "src" / SLUG)
    built = build_into(tmp_path / "src", SLUG, tmp_path / "out")
    for name, markup in _documents(built).items():
        twice = {id_: n for id_, n in _ids(markup).items() if n > 1}
        assert not twice, f"{name}: ids given more than once: {twice}"
    page = lxml.html.document_fromstring(_documents(built)["html"])
    heading = page.get_element_by_id("footnotes-1")
    assert heading.tag == "h2" and heading.text_content() == "Footnotes"
    assert page.xpath('//a[text()="footnotes"]')[0].get("href") == "#footnotes-1", "the link follows its heading"
    assert page.get_element_by_id("footnotes").get("class").startswith("footnotes"), "pandoc's notes keep their id"


def test_headings_named_like_our_parts_pass_the_validators(tmp_path):
    _headings_named_like_our_parts(tmp_path / "src" / SLUG)
    built = build_into(tmp_path / "src", SLUG, tmp_path / "out")
    findings, _report = check_article(built.source, built.build, {"validators": True})
    assert [f for f in findings if f.code in ("V-EPUBCHECK", "V-NU")] == [], findings
    assert findings == []


def test_every_id_an_edition_gives_its_own_parts_is_reserved(features, science):
    """Holds RESERVED_IDS to the editions: an id that is neither the article's nor reserved would
    be a new id that an author's heading could take."""
    from pubpipe.load.article import load_article
    from pubpipe.resolve import resolve

    for built in (features, science):
        article_ids = set(_ids(resolve(load_article(built.source)).body_html))
        for name, markup in _documents(built).items():
            ours = set(_ids(markup)) - article_ids - set(RESERVED_IDS)
            assert not {id_ for id_ in ours if not re.fullmatch(r"fn(ref)?\d+", id_)}, (name, ours)
