"""Course packs: a volume of several articles, built for real from the canonical article and the
features fixture in a scratch project (packs/, source/ and build/ of its own).

The volume is read back as a reader's software reads it: page labels, bookmarks, links and text
of the PDF (pypdf, pikepdf, pypdfium2), the EPUB's navigation document, the HTML pages.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import lxml.html
import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import CANONICAL, FIXTURES, SOURCE

PACK = "course"
PACK_FILE = """\
title: A Test Volume
subtitle: Two readings
editors:
  - Ada Editor
  - Ben Editor
date: 2026-03-01
description: Two articles bound together for a class.
preface: |
  A *short* preface.

  # Reading order

  First the encyclopedia entry, then the fixture.
articles:
  - soviet-relations-with-pakistan
  - features
"""


class Project:
    """A scratch project: packs/, source/ and build/ beside each other."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.source = root / "source"
        self.build = root / "build"
        (root / "packs").mkdir(parents=True, exist_ok=True)
        for folder, slug in ((SOURCE, CANONICAL), (FIXTURES, "features")):
            if not (self.source / slug).exists():
                shutil.copytree(folder / slug, self.source / slug)

    def pack_file(self, text: str, name: str = PACK) -> Path:
        path = self.root / "packs" / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def run(self, *arguments: str) -> int:
        from pubpipe.cli import main

        return main(["-q", "pack", *arguments, "--root", str(self.root), "--source", str(self.source),
                     "--build", str(self.build)])

    def output(self, suffix: str, name: str = PACK) -> Path:
        return self.build / "packs" / name / f"{name}{suffix}"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Project:
    project = Project(tmp_path_factory.mktemp("pack"))
    project.pack_file(PACK_FILE)
    assert project.run(PACK) == 0
    return project


def _outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            page = pdf.pages.index(pikepdf.Page(item.destination[0]))
            found.append((depth, item.title, page))
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 0)
    return found


def _page_text(path: Path, index: int) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        return pdf[index].get_textpage().get_text_range()
    finally:
        pdf.close()


def test_every_edition_and_handout_is_written(built):
    for suffix in (".pdf", ".epub", ".html", "-a4.pdf", "-letter.pdf", "-booklet.pdf"):
        assert built.output(suffix).stat().st_size > 1000, suffix
    pages = built.build / "packs" / PACK / "articles"
    assert sorted(path.name for path in pages.glob("*.html")) == sorted([f"{CANONICAL}.html", "features.html"])


def test_contents_page_numbers_are_the_articles_real_first_pages(built):
    path = built.output(".pdf")
    reader = PdfReader(path)
    labels = [reader.page_labels[index] for index in range(len(reader.pages))]
    front = [label for label in labels if not label.isdigit()]
    assert front == ["i", "ii", "iii"], labels  # title page, contents, preface
    assert labels[len(front):] == [str(n) for n in range(1, len(labels) - len(front) + 1)]
    with pikepdf.open(path) as pdf:
        outline = _outline(pdf)
    starts = {title: page for depth, title, page in outline if depth == 0}
    contents = _page_text(path, 1)
    for title in ("Soviet Relations with Pakistan", "Features: a Test Article for Every Construct"):
        printed = re.search(re.escape(title) + r"[ .]*(\d+)", " ".join(contents.split()))
        assert printed, contents
        assert printed.group(1) == labels[starts[title]], (title, printed.group(1), labels[starts[title]])


def test_page_numbers_run_on_through_the_articles(built):
    path = built.output(".pdf")
    reader = PdfReader(path)
    for index in range(3, len(reader.pages)):
        lines = [line.strip() for line in _page_text(path, index).splitlines() if line.strip()]
        assert lines[-1] == reader.page_labels[index], (index, lines[-3:])


def test_one_bookmark_tree_nests_each_article_sections_under_its_title(built):
    with pikepdf.open(built.output(".pdf")) as pdf:
        outline = _outline(pdf)
    tops = [title for depth, title, _ in outline if depth == 0]
    assert tops == ["A Test Volume", "Contents", "Preface", "Soviet Relations with Pakistan",
                    "Features: a Test Article for Every Construct"]
    features = [title for depth, title, _ in outline[outline.index(next(o for o in outline if o[1].startswith("Features"))):] if depth == 1]
    assert features[:3] == ["Introduction", "References", "Cite this article"] or "Introduction" in features


def test_links_and_destinations_are_renamed_per_article(built):
    with pikepdf.open(built.output(".pdf")) as pdf:
        names = {str(name) for name in pikepdf.NameTree(pdf.Root.Names.Dests).keys()}
        assert {f"{CANONICAL}/title-block", "features/title-block", "features/fn1", "features/refs"} <= names
        targets = [str(annotation.Dest) for page in pdf.pages for annotation in page.obj.get("/Annots", [])
                   if "/Dest" in annotation]
    assert f"{CANONICAL}/title-block" in targets and "features/title-block" in targets  # the contents
    assert "features/fn1" in targets or any(t.startswith("features/") for t in targets)
    assert all(target in names for target in targets), set(targets) - names


def test_the_volume_stays_tagged_with_each_article_in_its_language(built):
    with pikepdf.open(built.output(".pdf")) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        parts = [element for element in document.K if element.get("/S") == pikepdf.Name.Part]
        assert [str(part.Lang) for part in parts] == ["en-US", "en-GB"]
        assert all(child.P == part for part in parts for child in part.K)
        keys = [int(key) for key in pdf.Root.StructTreeRoot.ParentTree.Nums[::2]]
        assert keys == sorted(set(keys))
        used = [int(page.obj.StructParents) for page in pdf.pages if "/StructParents" in page.obj]
        assert set(used) <= set(keys) and len(used) == len(set(used))
        assert pdf.Root.MarkInfo.Marked


def test_cite_this_article_names_the_pack_in_every_edition(built):
    html = (built.build / "packs" / PACK / "articles" / "features.html").read_text(encoding="utf-8")
    box = re.search(r'<aside class="cite-this".*?</aside>', html, re.S).group(0)
    assert "A Test Volume" in box and "Ada Editor" in box
    # The fixture's two authors are written as whole names; the style inverts the first one, which
    # a name kept whole cannot be ("Ada Lovelace, and Николай Лобачевский" before).
    assert "Lovelace, Ada, and Николай Лобачевский" in " ".join(box.split())
    with zipfile.ZipFile(built.output(".epub")) as epub:
        chapter = epub.read("EPUB/a002-features.xhtml").decode("utf-8")
    assert "A Test Volume" in re.search(r'<aside class="cite-this".*?</aside>', chapter, re.S).group(0)
    text = " ".join(_page_text(built.output(".pdf"), index) for index in range(len(PdfReader(built.output(".pdf")).pages)))
    assert "edited by Ada Editor and Ben Editor" in " ".join(text.split())


def test_chapter_citations_are_the_same_in_pandoc_runs_of_any_size(built, monkeypatch):
    """pandoc's memory grows with every citation it formats (100 in one run: 284 MiB), so the
    chapter citations go to it in runs of CHAPTERS_PER_RUN; the runs must not change a word."""
    from pubpipe.packs import front
    from pubpipe.packs.build import prepare_pack

    def citations() -> dict:
        prepared = prepare_pack(built.root, PACK, built.source, built.build, {"pdf_variant": "pdf/ua-1"})
        return {slug: cite.entry_html for slug, cite in prepared.front.citations.items()}

    whole = citations()
    monkeypatch.setattr(front, "CHAPTERS_PER_RUN", 1)
    assert citations() == whole and len(whole) == 2 and all("A Test Volume" in html for html in whole.values())
    assert len(list((built.build / "packs" / PACK / ".cache" / "front").glob("*-1.md"))) == 1


def test_epub_navigation_nests_each_article_sections(built):
    with zipfile.ZipFile(built.output(".epub")) as epub:
        nav = etree.fromstring(epub.read("EPUB/nav.xhtml"))
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    toc = nav.find(".//x:nav[@id='toc']/x:ol", ns)
    entries = {item.find("x:a", ns).text: item for item in toc.findall("x:li", ns)}
    features = entries["Features: a Test Article for Every Construct"]
    nested = [a.text for a in features.findall("x:ol/x:li/x:a", ns)]
    assert "Introduction" in nested and all(a.get("href").startswith("a002-features.xhtml") for a in features.iter(f"{{{ns['x']}}}a"))
    assert "Preface" in entries


def test_html_index_links_every_article_page(built):
    index = built.output(".html").read_text(encoding="utf-8")
    for slug in (CANONICAL, "features"):
        assert f'href="articles/{slug}.html"' in index
    page = (built.build / "packs" / PACK / "articles" / f"{CANONICAL}.html").read_text(encoding="utf-8")
    assert f'href="../{PACK}.html"' in page and 'rel="next"' in page and 'href="features.html"' in page


def test_articles_start_on_right_hand_pages_in_the_booklet(built):
    from pubpipe.editions import default_options
    from pubpipe.packs.build import prepare_pack
    from pubpipe.packs.pdf import volume_pdf

    pack = prepare_pack(built.root, PACK, built.source, built.build, default_options())
    target = built.root / "a5.pdf"
    starts = volume_pdf(pack.spec, pack.front, pack.docs, "a5", target, pack.options, pack.cache, recto_starts=True)
    assert all(start % 2 == 1 for start in starts), starts
    reader = PdfReader(target)
    first_article = next(index for index in range(len(reader.pages)) if reader.page_labels[index] == "1")
    assert first_article % 2 == 0  # a right-hand page: the first, third, … page of the volume
    booklet = PdfReader(built.output("-booklet.pdf"))
    assert len(booklet.pages) * 2 >= len(reader.pages) and len(booklet.pages) % 2 == 0


def test_a_changed_article_is_laid_out_again_alone(tmp_path):
    project = Project(tmp_path)
    project.pack_file(PACK_FILE)
    assert project.run(PACK, "--formats", "pdf") == 0
    layouts = project.build / "packs" / PACK / ".cache" / "layout"
    before = {path.name: path.stat().st_mtime_ns for path in layouts.glob("*.pdf")}
    first = project.output(".pdf").read_bytes()
    article = project.source / "features" / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Ordinary footnotes work as well.",
                                                                   "Ordinary footnotes work too."), encoding="utf-8")
    assert project.run(PACK, "--formats", "pdf") == 0
    after = {path.name: path.stat().st_mtime_ns for path in layouts.glob("*.pdf")}
    assert after[f"{CANONICAL}-a4.pdf"] == before[f"{CANONICAL}-a4.pdf"]
    assert after["features-a4.pdf"] != before["features-a4.pdf"]
    assert project.output(".pdf").read_bytes() != first
    assert project.run(PACK, "--formats", "pdf") == 0  # nothing changed: the same bytes
    second = project.output(".pdf").read_bytes()
    assert project.run(PACK, "--formats", "pdf") == 0
    assert project.output(".pdf").read_bytes() == second


@pytest.mark.parametrize("change, status, line, words", [
    (lambda text: text.replace("  - features\n", "  - feature\n"), 3, 16, ["no article 'feature'", "did you mean features"]),
    (lambda text: text + f"  - {CANONICAL}\n", 3, 17, ["listed twice", "first at line 15"]),
    (lambda text: text.replace("date: 2026-03-01\n", "date: 2026-03-01\nstyle: chicago-nonexistent\n"), 4, 7, ["unknown CSL style"]),
    (lambda text: text.replace("title: A Test Volume\n", "title: A Test Volume\ncolour: blue\n"), 3, 2, ["unknown key 'colour'"]),
])
def test_bad_pack_files_are_refused_with_their_line_and_the_volume_kept(built, capfd, change, status, line, words):
    good = {suffix: built.output(suffix).read_bytes() for suffix in (".pdf", ".epub", ".html")}
    path = built.pack_file(change(PACK_FILE))
    capfd.readouterr()
    try:
        assert built.run(PACK) == status
        err = capfd.readouterr().err
        assert f"{path}:{line}:" in err, err
        for word in words:
            assert word in err, err
    finally:
        built.pack_file(PACK_FILE)
    assert {suffix: built.output(suffix).read_bytes() for suffix in good} == good


def test_an_article_that_fails_is_named_with_the_pack_line_and_its_own(tmp_path, capfd):
    project = Project(tmp_path)
    project.pack_file(PACK_FILE)
    article = project.source / "features" / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("[@kuhn1962]", "[@kuhn1963]"), encoding="utf-8")
    assert project.run(PACK) == 4
    err = capfd.readouterr().err
    assert f"{tmp_path / 'packs' / 'course.yaml'}:16: the article 'features' does not build" in err, err
    assert f"{article}:" in err and "kuhn1963" in err


def _make(root: Path, *arguments: str):
    """Real `make` in a scratch project linked to this checkout's Makefile, code and tools."""
    from make_harness import link_project, run_make

    return run_make(link_project(root), *arguments, timeout=900)


def test_make_pack_builds_once_and_a_broken_pack_keeps_the_volume(tmp_path):
    project = Project(tmp_path)
    project.pack_file(PACK_FILE)
    first = _make(tmp_path, "pack", f"PACK={PACK}", "V=0")
    assert first.returncode == 0, first.stderr
    assert f"make: built pack {PACK} into build/packs/<name>/;" in first.stdout, first.stdout
    volume = {suffix: project.output(suffix).read_bytes() for suffix in (".pdf", ".epub", ".html", "-booklet.pdf")}
    again = _make(tmp_path, "pack", f"PACK={PACK}")
    assert "Nothing to be done" in again.stdout or "is up to date" in again.stdout, again.stdout
    project.pack_file(PACK_FILE.replace("  - features\n", "  - featurez\n"))
    broken = _make(tmp_path, "pack", f"PACK={PACK}")
    assert broken.returncode == 2 and f"make: 1 failed: pack {PACK} (exit 3)" in broken.stderr, broken.stderr
    assert f"packs/{PACK}.yaml:16: no article 'featurez'" in broken.stderr
    assert {suffix: project.output(suffix).read_bytes() for suffix in volume} == volume
    missing = _make(tmp_path, "pack")
    assert missing.returncode == 2 and "needs PACK=<name>" in missing.stderr


def test_a_yaml_block_in_the_preface_is_text_never_keys_pandoc_obeys(tmp_path, planted_secret):
    """pandoc would read a `---` block anywhere in Markdown as metadata: in a preface it is text."""
    project = Project(tmp_path)
    project.pack_file(f"""title: Readings
editor: Ed Itor
preface: |
  Before the block.

  ---
  title: HIJACKED
  bibliography: {planted_secret.parent / "refs.json"}
  nocite: "@*"
  ---

articles: [{CANONICAL}]
""")
    (planted_secret.parent / "refs.json").write_text('[{"id": "zz", "type": "book", "title": "SECRET-TITLE"}]', encoding="utf-8")
    assert project.run(PACK, "--formats", "html") == 0
    page = project.output(".html").read_text(encoding="utf-8")
    assert "<title>Readings" in page and "HIJACKED</title>" not in page
    assert "SECRET-TITLE" not in page and "Before the block." in page


# Articles named by their folder's path inside the project ------------------------------------

def _path_pack(*entries: str) -> str:
    lines = "".join(f"  - {entry}\n" for entry in entries)
    return f"title: Paths\neditor: Ada Editor\narticles:\n{lines}"


@pytest.fixture()
def path_project(tmp_path) -> Project:
    """A project with the features fixture at readings/features (not in source/), and an article
    folder outside the project, beside it."""
    project = Project(tmp_path / "project")
    shutil.copytree(FIXTURES / "features", tmp_path / "project" / "readings" / "features")
    shutil.copytree(FIXTURES / "features", tmp_path / "outside" / "stray")
    return project


@pytest.mark.parametrize("entries, line, words", [
    (["/etc"], 4, ["'/etc' is an absolute path"]),
    (["~/articles/x"], 4, ["is an absolute path"]),
    ([CANONICAL, "../outside/stray"], 5, ["'../outside/stray' leads out of the project through '..'"]),
    (["readings/../../outside/stray"], 4, ["leads out of the project through '..'"]),
    (["readings/escape"], 4, ["leads out of the project through a symbolic link"]),
    (["readings/"], 4, ["'readings/' is not an article folder (it has no article.md or other Markdown file)"]),
    (["readings/featurez"], 4, ["'readings/featurez' does not exist", "did you mean features?"]),
    (["readings/with space/x"], 4, ["the folder name 'with space'"]),
    (["features", "source/features"], 5, ["'source/features' is the same article as 'features' (line 4)"]),
    (["features", "readings/features"], 5, ["a second article named 'features' (line 4)", "rename one folder"]),
])
def test_article_paths_outside_the_project_or_not_articles_are_refused(path_project, capfd, entries, line, words):
    (path_project.root / "readings" / "escape").symlink_to(path_project.root.parent / "outside" / "stray")
    path = path_project.pack_file(_path_pack(*entries))
    capfd.readouterr()
    assert path_project.run(PACK, "--formats", "html") == 3
    err = capfd.readouterr().err
    assert f"{path}:{line}:" in err, err
    for word in words:
        assert word in err, err
    assert not path_project.output(".html").exists()


def test_an_article_named_by_its_path_is_bound_and_watched_by_make(path_project):
    """Through real make: the path-named article is built into the volume, make watches its files
    (build/packs/<name>/.sources.mk), and a pack file pointing out of the project fails with its
    line and leaves the volume as it was."""
    root = path_project.root
    path_project.pack_file(_path_pack("readings/features"))
    first = _make(root, "pack", f"PACK={PACK}", "V=0")
    assert first.returncode == 0, first.stderr
    assert "Ada Lovelace" in (root / "build" / "packs" / PACK / "articles" / "features.html").read_text(encoding="utf-8")
    assert "readings/features" in (root / "build" / "packs" / PACK / ".sources.mk").read_text(encoding="utf-8")
    again = _make(root, "pack", f"PACK={PACK}")
    assert "Nothing to be done" in again.stdout or "is up to date" in again.stdout, again.stdout
    article = root / "readings" / "features" / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("Ordinary footnotes work as well.",
                                                                   "Ordinary footnotes work too."), encoding="utf-8")
    changed = _make(root, "pack", f"PACK={PACK}", "V=0")
    assert changed.returncode == 0, changed.stderr
    page = lxml.html.parse(str(root / "build" / "packs" / PACK / "articles" / "features.html")).getroot()
    assert "Ordinary footnotes work too." in " ".join(page.text_content().split())
    volume = {suffix: path_project.output(suffix).read_bytes() for suffix in (".pdf", ".epub", ".html")}
    path_project.pack_file(_path_pack("readings/features", "../outside/stray"))
    escaped = _make(root, "pack", f"PACK={PACK}")
    assert escaped.returncode == 2 and f"make: 1 failed: pack {PACK} (exit 3)" in escaped.stderr, escaped.stderr
    assert f"packs/{PACK}.yaml:5: '../outside/stray' leads out of the project" in escaped.stderr, escaped.stderr
    assert {suffix: path_project.output(suffix).read_bytes() for suffix in volume} == volume


def test_make_pack_style_and_paper_on_the_command_line_override_the_pack_file(tmp_path):
    """`make pack STYLE=apa PAPER=letter` builds the volume in APA on Letter paper although the
    pack file says Chicago and A4; without them, the next `make pack` goes back to the pack file's."""
    project = Project(tmp_path)
    project.pack_file("title: Styles\neditor: Ada Editor\nstyle: chicago-author-date\npaper: a4\narticles:\n  - features\n")

    def built() -> tuple[str, list[float]]:
        page = lxml.html.parse(str(project.build / "packs" / PACK / "articles" / "features.html")).getroot()
        box = [float(v) for v in PdfReader(project.output(".pdf")).pages[0].mediabox]
        return " ".join(page.text_content().split()), box

    overridden = _make(tmp_path, "pack", f"PACK={PACK}", "STYLE=apa", "PAPER=letter", "V=0")
    assert overridden.returncode == 0, overridden.stderr
    text, box = built()
    assert "CSL style apa" in text and box[2:] == [612, 792], (box, text[-300:])
    back = _make(tmp_path, "pack", f"PACK={PACK}", "V=0")
    assert back.returncode == 0 and "pack course" in back.stdout + back.stderr, back.stdout + back.stderr
    text, box = built()
    assert "CSL style chicago-author-date" in text and round(box[2]) == 595 and round(box[3]) == 842, (box, text[-300:])
