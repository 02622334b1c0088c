"""`pubpipe check --pack`: a pack that agrees with its articles passes, and each kind of difference
planted in a built pack (in its PDF, EPUB or web pages) is caught with its code and edition.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import CANONICAL, FIXTURES, SOURCE, build_into

PACK = "duo"
PACK_FILE = """\
title: A Volume to Check
subtitle: Planted differences
editors: [Ada Editor, Ben Editor]
date: 2026-03-01
description: The canonical article, and the features fixture named by its path.
keywords: [tests]
preface: |
  Read both.

  # Why

  Because the checker must see every difference.
articles:
  - soviet-relations-with-pakistan
  - readings/features
"""


def _build(root: Path) -> Path:
    from pubpipe.cli import main

    source, build = root / "source", root / "build"
    if not (source / CANONICAL).exists():
        shutil.copytree(SOURCE / CANONICAL, source / CANONICAL)
    build_into(source, CANONICAL, build, "--formats", "html")
    # Named by its path, outside source/: no standalone edition, so compared with its source.
    if not (root / "readings" / "features").exists():
        shutil.copytree(FIXTURES / "features", root / "readings" / "features")
    (root / "packs").mkdir(exist_ok=True)
    (root / "packs" / f"{PACK}.yaml").write_text(PACK_FILE, encoding="utf-8")
    assert main(["-q", "pack", PACK, "--formats", "pdf,epub,html", "--root", str(root), "--source", str(source),
                 "--build", str(build)]) == 0
    return build


@pytest.fixture(scope="session")
def pack_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pack-check")
    _build(root)
    return root


@pytest.fixture()
def copy(pack_project, tmp_path) -> Path:
    """A copy of the built project that a test may plant differences in."""
    target = tmp_path / "project"
    shutil.copytree(pack_project, target, symlinks=True)
    return target


def check(root: Path, validators: bool = False):
    from pubpipe.check.pack import check_pack

    findings, _report = check_pack(root, PACK, root / "source", root / "build", {"validators": validators})
    return findings


def codes(findings) -> set[tuple[str, str]]:
    """(code, the pack's edition it names) of each finding."""
    return {(finding.code, next((e for e in finding.editions if e.startswith("pack ")), finding.editions[0]))
            for finding in findings}


def _rewrite_zip_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in items:
            archive.writestr(info, change(data.decode("utf-8")).encode("utf-8") if info.filename == member else data)


def _pack_file(root: Path, suffix: str) -> Path:
    return root / "build" / "packs" / PACK / f"{PACK}{suffix}"


def test_a_pack_that_agrees_with_its_articles_passes(pack_project):
    assert check(pack_project) == []


def test_a_word_changed_in_the_packs_web_page_is_x011(copy):
    page = copy / "build" / "packs" / PACK / "articles" / "features.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Ordinary footnotes work", "Ordinary footnotes fail"), encoding="utf-8")
    found = check(copy)
    assert codes(found) == {("X-011", "pack html")}, found
    assert "fail" in found[0].found and "features" in found[0].message and "source in" in found[0].message, found


def test_a_word_changed_in_an_article_of_source_is_x011_against_its_standalone_edition(copy):
    page = copy / "build" / "packs" / PACK / "articles" / f"{CANONICAL}.html"
    page.write_text(page.read_text(encoding="utf-8").replace("An affinity between", "An enmity between"), encoding="utf-8")
    found = check(copy)
    assert codes(found) == {("X-011", "pack html")}, found
    assert "enmity" in found[0].found and "standalone html" in found[0].message, found


def test_a_note_changed_in_the_packs_epub_is_x011(copy):
    _rewrite_zip_member(_pack_file(copy, ".epub"), "EPUB/a002-features.xhtml",
                        lambda text: text.replace("Second\nnote: plain text only.", "Second note: plain text, changed.")
                        .replace("Second note: plain text only.", "Second note: plain text, changed."))
    found = check(copy)
    assert codes(found) == {("X-011", "pack epub")}, found
    # features is compared with its source (F-002); the canonical article with its standalone edition.
    assert any("notes" in finding.message and "F-002" in finding.message for finding in found), found


def test_a_pack_built_from_a_changed_article_differs_in_all_three_editions_each_text_under_its_editions_name(copy, capfd):
    from pubpipe.cli import main

    # The canonical article's standalone edition was built before the change; the pack after it.
    article = copy / "source" / CANONICAL / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("An affinity between", "An enmity between"), encoding="utf-8")
    assert main(["-q", "pack", PACK, "--formats", "pdf,epub,html", "--root", str(copy), "--source", str(copy / "source"),
                 "--build", str(copy / "build")]) == 0
    capfd.readouterr()
    found = check(copy)
    assert codes(found) == {("X-011", "pack html"), ("X-011", "pack epub"), ("X-011", "pack pdf")}, found
    # The pack says "enmity", the standalone edition "affinity": each under its own name, and so
    # is where each is.
    shown = capfd.readouterr()
    for edition in ("html", "epub", "pdf"):
        text = [f for f in found if f.editions == ("standalone html", f"pack {edition}") and "text" in f.message]
        assert text and "enmity" in text[0].found and "affinity" in text[0].expected, found
        assert text[0].where["standalone html"].startswith("div#article-body"), text[0].where
        assert re.search(rf"\n    pack {edition}: [^\n]*\[enmity\]", shown.out + shown.err), shown
    assert "of the volume" in next(f for f in found if f.editions[-1] == "pack pdf").where["pack pdf"]


def test_a_citation_that_no_longer_names_the_pack_is_x011(copy):
    page = copy / "build" / "packs" / PACK / "articles" / f"{CANONICAL}.html"
    html = page.read_text(encoding="utf-8")
    box = re.search(r'<aside class="cite-this".*?</aside>', html, re.S).group(0)
    page.write_text(html.replace(box, box.replace("A Volume to Check", "Another Volume")), encoding="utf-8")
    found = check(copy)
    assert codes(found) == {("X-011", "pack html")} and "citation entries" in found[0].message, found


def test_contents_out_of_order_on_the_web_is_x012(copy):
    index = _pack_file(copy, ".html")
    html = index.read_text(encoding="utf-8")
    items = re.findall(r"<li lang=[^>]*><a class=\"toc-entry\".*?</li>", html, re.S)
    index.write_text(html.replace(items[0], "\0").replace(items[1], items[0]).replace("\0", items[1]), encoding="utf-8")
    found = check(copy)
    assert codes(found) == {("X-012", "pack html")}, found


def test_a_wrong_title_in_the_epub_navigation_is_x012(copy):
    _rewrite_zip_member(_pack_file(copy, ".epub"), "EPUB/nav.xhtml",
                        lambda text: text.replace(">Soviet Relations with Pakistan<", ">Soviet Relations with India<"))
    found = check(copy)
    assert codes(found) == {("X-012", "pack epub")}, found


def test_page_numbers_that_do_not_match_the_contents_are_x012(copy):
    path = _pack_file(copy, ".pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        nums = pdf.Root.PageLabels.Nums
        nums[3].St = 2  # every article page now labelled one more than printed and listed
        pdf.save(path)
    found = check(copy)
    assert ("X-012", "pack pdf") in codes(found), found
    assert all(finding.code == "X-012" for finding in found), found


def test_a_contents_link_to_the_wrong_article_is_x012(copy):
    path = _pack_file(copy, ".pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if str(annotation.get("/Dest", "")) == "features/title-block":
                    annotation.Dest = pikepdf.String(f"{CANONICAL}/title-block")
        pdf.save(path)
    found = check(copy)
    assert codes(found) == {("X-012", "pack pdf")}, found


def test_the_volumes_title_changed_in_one_edition_is_x007(copy):
    _rewrite_zip_member(_pack_file(copy, ".epub"), "EPUB/content.opf",
                        lambda text: text.replace(">A Volume to Check<", ">A Volume Not Checked<"))
    found = check(copy)
    assert {finding.code for finding in found} == {"X-007"}, found
    assert all("epub" in " ".join(finding.editions) for finding in found)


def test_the_validators_pass_on_the_volume(pack_project):
    findings = check(pack_project, validators=True)
    assert findings == [], "\n".join(f"{f.code} {f.message} {f.where}" for f in findings)


def test_a_pack_of_an_article_with_formulas_draws_them_and_passes_with_validators(tmp_path):
    """The formulas of tests/fixtures/math, in a pack: drawn in the volume's PDF (not left as blank
    placeholders), the same as in its standalone edition (X-011), and valid in every edition."""
    from pubpipe.check.pack import check_pack
    from pubpipe.cli import main
    from test_math import FIXTURE_FORMULAS, assert_formulas_inked

    source, build = tmp_path / "source", tmp_path / "build"
    shutil.copytree(FIXTURES / "math", source / "math")
    build_into(source, "math", build, "--formats", "html")
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "formulas.yaml").write_text("title: Formulas\neditor: Ada Editor\narticles:\n  - math\n",
                                                      encoding="utf-8")
    assert main(["-q", "pack", "formulas", "--formats", "pdf,epub,html", "--root", str(tmp_path), "--source", str(source),
                 "--build", str(build)]) == 0
    assert_formulas_inked(build / "packs" / "formulas" / "formulas.pdf", (FIXTURE_FORMULAS[1], "N_0", FIXTURE_FORMULAS[10]))
    findings, _report = check_pack(tmp_path, "formulas", source, build, {"validators": True})
    assert findings == [], "\n".join(f"{f.code} {f.message} {f.where}" for f in findings)
