"""Every article of tests/corpus/ (the forms JOSS, Quarto, pandoc-scholar, R Markdown, Zettlr and
the Programming Historian use, each under its tool's own file name: paper.md, index.qmd …) is built, and its editions agree with each other and the source.

The validators (EPUBCheck, Nu, Ace, axe) add half a minute per article, so they run in
`make corpus` (scripts/corpus.py), not here. An article that waits for another issue's work
(index.yaml's `needs:`) is an expected failure until that work lands.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pubpipe.check.run import check_article
from pubpipe.cli import main
from pubpipe.load.folders import scan_source

CORPUS = Path(__file__).resolve().parent / "corpus"
INDEX = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))


def test_the_corpus_has_twenty_articles_in_eight_conventions():
    assert len(INDEX) >= 20
    conventions = {entry["convention"].split(" (")[0].split(",")[0] for entry in INDEX.values()}
    assert len(conventions) >= 8, conventions
    assert sorted(INDEX) == sorted(folder.name for folder, problem in scan_source(CORPUS) if problem is None)


@pytest.mark.parametrize("slug", sorted(INDEX))
def test_corpus_article_builds_and_its_editions_agree(slug, tmp_path):
    entry = INDEX[slug]
    if entry.get("needs"):
        pytest.xfail(f"needs {entry['needs']}")
    status = main(["-q", "build", slug, "--source", str(CORPUS), "--build", str(tmp_path)])
    assert status == 0
    findings, _report = check_article(CORPUS / slug, tmp_path, {"validators": False})
    assert findings == [], [str(finding) for finding in findings]
