"""The checker is only trusted once it has caught something: each test plants one difference in a
real built edition and asserts that the right code names the right edition."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import CANONICAL, FIXTURES, SOURCE, Built, build_into
from generated_articles import write_article
from pubpipe.check.run import check_article

NO_VALIDATORS = {"validators": False}


def copy_build(built: Built, tmp_path: Path) -> Path:
    target = tmp_path / "build"
    shutil.copytree(built.build / built.slug, target / built.slug)
    return target


def findings_for(built: Built, build_root: Path, source_root: Path | None = None):
    folder = (source_root or built.source.parent) / built.slug
    findings, _report = check_article(folder, build_root, NO_VALIDATORS)
    return findings


def codes(findings, edition: str | None = None) -> set[str]:
    return {f.code for f in findings if edition is None or edition in f.editions}


def rewrite_epub_member(epub: Path, member: str, change) -> None:
    with zipfile.ZipFile(epub) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(epub, "w") as out:
        for info, data in items:
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data)


def rerender_pdf(built: Built, build_root: Path, change) -> None:
    """Render the PDF again from its print HTML after `change` edits that HTML (as a broken PDF
    builder would), so the PDF differs from the other editions in exactly one way."""
    import weasyprint

    from pubpipe.load.article import load_article
    from pubpipe.editions import default_options
    from pubpipe.editions.pdf import STYLESHEET, print_page
    from pubpipe.runtime.paths import styles_dir
    from pubpipe.resolve import resolve

    options = default_options()
    options["source_date_epoch"] = 0
    document = resolve(load_article(built.source))
    markup, _images, formulas = print_page(document, options)
    weasyprint.HTML(string=change(markup), base_url=str(built.source) + "/").write_pdf(
        build_root / built.slug / f"{built.slug}.pdf",
        stylesheets=[weasyprint.CSS(filename=str(styles_dir() / STYLESHEET))],
        pdf_variant="pdf/ua-1",
        finisher=formulas or None,
    )


@pytest.mark.parametrize("seed, paper", [(2, "a4"), (6, "letter")])
def test_floats_moved_past_text_are_read_where_the_source_has_them(tmp_path, seed, paper):
    """On the pages of made-up articles, figures and tables move past the text after them and
    are set back to back (editions/floats.py), and the check reads each back where the source
    has it: its text (X-001, also when one float ends where the next begins) and its image's alt
    text among the text's formulas (X-009, X-006). Nothing differs. With the destinations that
    mark those places taken out of the PDF, the check reads them where the pages show them, and
    X-001 sees the text out of order: so they were moved, and the marks keep the check right."""
    import pikepdf

    slug = f"generated-{seed}"
    write_article(tmp_path / "source" / slug, seed, paper=paper, formulas=True)
    built = build_into(tmp_path / "source", slug, tmp_path / "build")
    findings = findings_for(built, built.build)
    assert [f for f in findings if f.code != "V-PDF"] == [], findings

    with pikepdf.open(built.edition("pdf"), allow_overwriting_input=True) as pdf:
        destinations = pikepdf.NameTree(pdf.Root.Names.Dests)
        places = [name for name in destinations.keys() if name.startswith("float-at-")]
        assert places
        for name in places:
            del destinations[name]
        pdf.save(built.edition("pdf"))
    assert "X-001" in codes(findings_for(built, built.build), "pdf")


def test_untouched_editions_agree(canonical, features, tmp_path):
    for built in (canonical, features):
        findings = findings_for(built, built.build)
        assert [f for f in findings if f.code != "V-PDF"] == [], findings


def test_dropped_sentence_in_html_is_x001(canonical, tmp_path):
    build = copy_build(canonical, tmp_path)
    html = build / CANONICAL / f"{CANONICAL}.html"
    text = html.read_text(encoding="utf-8")
    sentence = "Pakistan supported the Afghan resistance, while India implicitly supported Soviet occupation. "
    assert sentence in text
    html.write_text(text.replace(sentence, ""), encoding="utf-8")
    findings = findings_for(canonical, build)
    assert "X-001" in codes(findings, "html")
    assert "F-002" in codes(findings, "html")
    assert not codes(findings, "pdf") - {"V-PDF", "X-001"}, "only html should be at fault"


def test_swapped_paragraphs_in_html_are_x001(canonical, tmp_path):
    build = copy_build(canonical, tmp_path)
    html = build / CANONICAL / f"{CANONICAL}.html"
    text = html.read_text(encoding="utf-8")
    paragraphs = re.findall(r"<p>.*?</p>", text, flags=re.S)
    first, second = paragraphs[0], paragraphs[1]
    text = text.replace(first, "\0").replace(second, first).replace("\0", second)
    html.write_text(text, encoding="utf-8")
    assert "X-001" in codes(findings_for(canonical, build), "html")


def test_changed_word_in_epub_bibliography_is_x004(canonical, tmp_path):
    build = copy_build(canonical, tmp_path)
    epub = build / CANONICAL / f"{CANONICAL}.epub"
    rewrite_epub_member(epub, "EPUB/article.xhtml", lambda text: text.replace("Yale University Press", "Yale College Press"))
    findings = findings_for(canonical, build)
    x004 = [f for f in findings if f.code == "X-004" and "epub" in f.editions]
    assert x004 and any("Yale" in f.found or "Yale" in f.expected for f in x004)
    assert "EPUB/article.xhtml" in " ".join(f.where.get("epub", "") for f in x004)


def test_title_changed_in_opf_is_x007(canonical, tmp_path):
    build = copy_build(canonical, tmp_path)
    epub = build / CANONICAL / f"{CANONICAL}.epub"
    rewrite_epub_member(epub, "EPUB/content.opf", lambda text: text.replace(
        "<dc:title>Soviet Relations with Pakistan</dc:title>", "<dc:title>Soviet Relations with India</dc:title>"))
    findings = findings_for(canonical, build)
    assert any(f.code == "X-007" and "epub" in f.editions and "title" in f.message for f in findings)


def test_deleted_footnote_in_epub_is_x005(features, tmp_path):
    build = copy_build(features, tmp_path)
    epub = build / "features" / "features.epub"
    rewrite_epub_member(epub, "EPUB/article.xhtml",
                        lambda text: re.sub(r'<aside id="fn5".*?</aside>', "", text, flags=re.S))
    assert "X-005" in codes(findings_for(features, build), "epub")


def test_italics_removed_in_pdf_bibliography_are_x004(canonical, tmp_path):
    build = copy_build(canonical, tmp_path)

    def plain_title(markup: str) -> str:
        return markup.replace("<em>Pakistan: Eye of the Storm</em>", "Pakistan: Eye of the Storm")

    rerender_pdf(canonical, build, plain_title)
    findings = findings_for(canonical, build)
    italics = [f for f in findings if f.code == "X-004" and "pdf" in f.editions and "italics" in f.message]
    assert italics, findings
    assert not [f for f in findings if f.code == "X-001"], "the words themselves did not change"


def _hyphenated_word(pdf: Path) -> str:
    """A word the PDF breaks with a hyphen at a line end (the checker must see through that)."""
    import pypdfium2 as pdfium

    from pubpipe.check.read_pdf import _runs

    document = pdfium.PdfDocument(pdf)
    runs = _runs(document)
    document.close()
    for run, following in zip(runs, runs[1:]):
        match = re.search(r"(\w+)[\u2010\x02-]$", run.text.rstrip())  # pdfium may give U+0002 for the hyphen
        if match and following.page == run.page and following.top <= run.bottom:
            rest = re.match(r"\w+", following.text.lstrip())
            if rest and rest.group(0).islower():
                return match.group(1) + rest.group(0)
    raise AssertionError("no hyphenated line end in the PDF")


# The features fixture, not the canonical article: set ragged right with a hyphenation zone, the
# canonical PDF happens to break no word at a line end.
def test_changed_word_in_hyphenated_pdf_line_is_caught(features, tmp_path):
    build = copy_build(features, tmp_path)
    word = _hyphenated_word(features.edition("pdf"))
    changed = word[:-2] + ("x" if word[-2] != "x" else "y") + word[-1]
    rerender_pdf(features, build, lambda markup: markup.replace(word, changed, 1))
    findings = findings_for(features, build)
    x001 = [f for f in findings if f.code == "X-001" and "pdf" in f.editions]
    assert x001 and any(changed in f.found or changed in f.expected for f in x001), (word, changed, findings)


def test_untampered_hyphenation_is_not_reported(features):
    """The same word broken across a line in the PDF and whole in the HTML is no difference."""
    _hyphenated_word(features.edition("pdf"))  # the features PDF does hyphenate somewhere
    findings = findings_for(features, features.build)
    assert not [f for f in findings if f.code in ("X-001", "F-002")]


def test_source_that_drops_a_word_of_the_original_is_f001(canonical, article_copy, tmp_path):
    folder = article_copy(SOURCE, CANONICAL)
    article = folder / "article.md"
    text = article.read_text(encoding="utf-8")
    assert "the oil fields of" in text
    article.write_text(text.replace("the oil fields of", "the fields of"), encoding="utf-8")
    findings = findings_for(canonical, canonical.build, folder.parent)
    f001 = [f for f in findings if f.code == "F-001"]
    assert f001 and "[oil]" in f001[0].expected


def test_heading_moved_down_a_level_in_html_is_x002(features, tmp_path):
    build = copy_build(features, tmp_path)
    html = build / "features" / "features.html"
    text = html.read_text(encoding="utf-8")
    heading = re.search(r'<h3 id="a-table-and-a-figure">(.*?)</h3>', text, flags=re.S)
    html.write_text(text.replace(heading.group(0), f'<h4 id="a-table-and-a-figure">{heading.group(1)}</h4>'), encoding="utf-8")
    findings = findings_for(features, build)
    x002 = [f for f in findings if f.code == "X-002" and "html" in f.editions]
    # the same heading, one level lower in the web edition than in the others
    assert x002 and all("A table and a figure" in f.expected and "A table and a figure" in f.found for f in x002), findings
    assert all(f.expected.split()[0] != f.found.split()[0] for f in x002)
    assert not [f for f in findings if f.code == "X-001"], "the words did not change"


def test_changed_locator_in_epub_citation_is_x003(features, tmp_path):
    build = copy_build(features, tmp_path)
    epub = build / "features" / "features.epub"
    rewrite_epub_member(epub, "EPUB/article.xhtml", lambda text: _replace_once(text, ", 3)</span>", ", 5)</span>"))
    findings = findings_for(features, build)
    x003 = [f for f in findings if f.code == "X-003" and "epub" in f.editions]
    assert x003 and any("5" in (f.found + f.expected) for f in x003), findings
    assert any("EPUB/" in f.where.get("epub", "") for f in x003)


@pytest.mark.parametrize("edition, change", [
    ("html", lambda text: _replace_once(text, "</span>: Refugees in Pakistan, 1980", "</span>: Refugees in India, 1980")),
    ("epub", lambda text: _replace_once(text, 'alt="A bar chart of the refugee numbers', 'alt="A pie chart of the refugee numbers')),
], ids=["caption-in-html", "alt-text-in-epub"])
def test_changed_caption_or_alt_text_is_x006(features, tmp_path, edition, change):
    build = copy_build(features, tmp_path)
    if edition == "html":
        html = build / "features" / "features.html"
        html.write_text(change(html.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        rewrite_epub_member(build / "features" / "features.epub", "EPUB/article.xhtml", change)
    findings = findings_for(features, build)
    x006 = [f for f in findings if f.code == "X-006" and edition in f.editions]
    assert x006 and any(word in f.found + f.expected for f in x006 for word in ("India", "pie")), findings


def test_changed_link_target_in_html_is_x008(features, tmp_path):
    build = copy_build(features, tmp_path)
    html = build / "features" / "features.html"
    html.write_text(_replace_once(html.read_text(encoding="utf-8"), 'href="https://citationstyles.org/"',
                                  'href="https://citationstyles.example/"'), encoding="utf-8")
    findings = findings_for(features, build)
    x008 = [f for f in findings if f.code == "X-008" and "html" in f.editions]
    assert x008 and any("citationstyles.example" in f.found + f.expected for f in x008), findings
    assert not [f for f in findings if f.code == "X-001" or (f.code == "F-002" and "link" not in f.message)], \
        "the link text did not change"


def test_pdf_without_language_or_bookmarks_is_v_pdf(features, tmp_path):
    from pypdf import PdfWriter

    build = copy_build(features, tmp_path)
    pdf = build / "features" / "features.pdf"
    writer = PdfWriter(clone_from=pdf)
    del writer.root_object["/Lang"]
    del writer.root_object["/Outlines"]
    writer.write(pdf)
    findings = [f for f in findings_for(features, build) if f.code == "V-PDF"]
    assert {f.editions for f in findings} == {("pdf",)}
    messages = " ".join(f.message for f in findings)
    assert "/Lang" in messages and "0 bookmarks" in messages, messages


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def test_check_json_is_written(features, tmp_path):
    build = copy_build(features, tmp_path)
    _findings, report = check_article(FIXTURES / "features", build, NO_VALIDATORS)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["article"] == "features"
    assert set(data["checks"]) >= {"X-001", "X-004", "X-007", "F-002", "V-PDF"}


@pytest.mark.parametrize("slug", [CANONICAL, "features", "tricky", "math", "conventions"])
def test_full_check_with_validators_passes(validated, slug):
    """What `make check` runs, validators included (once for all the fixture articles, in the
    session's `validated` run): nothing may differ and nothing may be reported."""
    import json

    check = validated[slug]
    assert check.error is None, check.error
    assert check.findings == [], [f"{f.code} {f.message} {f.where}" for f in check.findings]
    assert {"X-001", "X-004", "X-007", "F-002", "V-EPUBCHECK", "V-NU", "V-PDF", "V-ACE", "V-AXE"} <= set(check.checks_run)
    assert ("F-001" in check.checks_run) == (slug == CANONICAL)  # only the canonical article has an original
    report = json.loads(check.report.read_text(encoding="utf-8"))
    assert report["passed"] and report["checked_together"] == len(validated)
    # Each validator started once for every article: they all report the same run's time.
    times = {other.timings.get("V-EPUBCHECK") for other in validated.values()}
    assert len(times) == 1 and None not in times


def test_a_check_of_several_articles_prints_each_summary_and_one_overall_line(validated, tmp_path, capsys):
    """`pubpipe check` over all the fixture articles again: the editions are unchanged, so every
    verdict comes from the cache, and one article whose EPUB was cut short is named, while the
    others are still checked and summarised."""
    from pubpipe.cli import main

    shared = next(iter(validated.values())).build_root
    build = tmp_path / "build"
    shutil.copytree(shared, build)
    folders = {check.slug: check.folder for check in validated.values()}
    broken = build / "tricky" / "tricky.epub"
    broken.write_bytes(broken.read_bytes()[:3000])
    sources = tmp_path / "source"
    sources.mkdir()
    for slug, folder in folders.items():
        (sources / slug).symlink_to(folder, target_is_directory=True)

    status = main(["check", *folders, "--source", str(sources), "--build", str(build)])
    output = capsys.readouterr()
    assert status == 8, output.out + output.err  # a tool error: one edition could not be read
    for slug in folders:
        if slug != "tricky":
            assert f"check {slug} (editions unchanged since the last check)" in output.out
            assert json.loads((build / slug / "check.json").read_text(encoding="utf-8"))["cached"] == [
                "V-EPUBCHECK", "V-NU", "V-ACE", "V-AXE", "comparison"]
    assert not re.search(r"^check tricky", output.out, flags=re.M) and not (build / "tricky" / "check.json").exists()
    assert "tricky.epub" in output.err and "BadZipFile" in output.err
    assert f"{len(folders) - 1} of {len(folders)} articles passed; could not check tricky" in output.out + output.err


def test_an_edition_changed_after_a_check_is_checked_again(validated, tmp_path):
    """A cached verdict never hides a changed edition: after the shared check, the canonical web
    edition loses a sentence and gains an attribute HTML does not have. The next check compares
    and validates that file again (X-001, V-NU) and takes only the unchanged EPUB's verdicts from
    the cache."""
    from pubpipe.check.run import check_articles

    check = validated[CANONICAL]
    build = tmp_path / "build"
    shutil.copytree(check.build_root, build)
    html = build / CANONICAL / f"{CANONICAL}.html"
    text = html.read_text(encoding="utf-8")
    sentence = "Pakistan supported the Afghan resistance, while India implicitly supported Soviet occupation. "
    html.write_text(_replace_once(text.replace(sentence, ""), "<p>New strains", '<p frobnicate="yes">New strains'), encoding="utf-8")

    (again,) = check_articles([check.folder], build, {})
    assert again.error is None, again.error
    assert "X-001" in codes(again.findings, "html")
    assert any("frobnicate" in finding.message for finding in again.validated["V-NU"]), again.validated["V-NU"]
    assert sorted(again.cached) == ["V-ACE", "V-EPUBCHECK"]


def test_the_check_reads_the_editions_against_the_source_the_build_kept(tmp_path):
    """The build keeps pandoc's output in build/.cache/resolved/, keyed by everything it depends
    on, and the check compares the editions with that document instead of running pandoc again:
    a sentence taken out of the kept document shows as F-002 in every edition."""
    build = build_into(SOURCE, CANONICAL, tmp_path / "build").build
    (kept,) = (build / ".cache" / "resolved").glob(f"{CANONICAL}-*.json")
    stdout, stderr = json.loads(kept.read_text(encoding="utf-8"))
    sentence = "Pakistan supported the Afghan resistance, while India implicitly supported Soviet occupation. "
    kept.write_text(json.dumps([_replace_once(stdout, sentence, ""), stderr]), encoding="utf-8")
    findings, _report = check_article(SOURCE / CANONICAL, build, NO_VALIDATORS)
    assert {"html", "epub", "pdf"} <= {edition for finding in findings if finding.code == "F-002" for edition in finding.editions}
    assert "X-001" not in codes(findings)  # the editions still agree with each other

def test_pandoc_output_kept_by_the_build_is_not_reused_by_another_pandoc(tmp_path):
    """Every build keeps pandoc's output now, so the key names the pandoc binary as installed:
    the same command run by an upgraded pandoc (another size or time at the same path) runs again."""
    import os

    from pubpipe.load.article import load_article
    from pubpipe.resolve.styles import installed_styles_folder
    from pubpipe.runtime.cache import OutputCache

    article = load_article(SOURCE / CANONICAL)
    style = next(installed_styles_folder().glob("*.csl"))
    program = tmp_path / "bin" / "pandoc"
    program.parent.mkdir()
    program.write_bytes(b"#!/bin/sh\n")
    program.chmod(0o755)
    store, runs = OutputCache(tmp_path / "cache"), []

    def run():
        runs.append(1)
        return (f"output {len(runs)}", "")

    for upgrade in (False, False, True):
        if upgrade:
            program.write_bytes(b"#!/bin/sh\n# a newer pandoc\n")
            os.utime(program, ns=(1, 1))
        store.pandoc_output(article, style, [str(program), "-"], run)
    assert len(runs) == 2

def test_long_article_keeps_every_footnote(tmp_path):
    """Thirty notes over some twenty pages: WeasyPrint drops a note whose call ends a page unless the
    builder lays the pages out again (the checker found this as X-005); none may be lost."""
    source_text = (SOURCE / CANONICAL / "article.md").read_text(encoding="utf-8")
    front, body = source_text.split("\n---\n", 1)
    front = front.replace("original:\n  file: original.txt\n", "original:\n")
    text, bibliography = body.split("# Bibliography")
    parts = []
    for index in range(30):
        noted = text.replace("the Afghan resistance", f"the Afghan resistance[^n{index}]", 1)
        parts.append(f"# Part {index + 1}\n{noted}\n[^n{index}]: Note {index} citing [@jones-2002, {index + 1}].\n\n")
    folder = tmp_path / "source" / "long"
    folder.mkdir(parents=True)
    shutil.copy(SOURCE / CANONICAL / "references.yaml", folder)
    (folder / "article.md").write_text(front + "\n---\n" + "".join(parts) + "# Bibliography" + bibliography, encoding="utf-8")
    built = build_into(folder.parent, "long", tmp_path / "build")
    findings, _ = check_article(folder, built.build, NO_VALIDATORS)
    assert findings == [], [f"{f.code} {f.message} {f.expected}" for f in findings]


def test_numeric_style_passes_the_check(tmp_path):
    """With a numeric style (ieee) the article's own entry loses its "[1]" label, stays inline in
    every edition, and the original's bibliography wording is not demanded of another style.
    (The validators run once per session, on the default style's editions: see `validated`.)"""
    built = build_into(SOURCE, CANONICAL, tmp_path, "--style", "ieee")
    findings, _report = check_article(SOURCE / CANONICAL, tmp_path, {"style": "ieee", "validators": False})
    assert findings == [], [f"{f.code} {f.message} {f.expected} {f.found}" for f in findings]
    html = built.edition("html").read_text(encoding="utf-8")
    assert 'class="csl-left-margin">[1]' in html  # the bibliography keeps its numbers
    assert "Originally published in: <span class=\"csl-entry\">J. Granville" in html


def test_f001_puts_the_original_under_its_own_name(canonical, article_copy):
    folder = article_copy(SOURCE, CANONICAL)
    article = folder / "article.md"
    article.write_text(article.read_text(encoding="utf-8").replace("the oil fields of", "the fields of"), encoding="utf-8")
    (finding,) = [f for f in findings_for(canonical, canonical.build, folder.parent) if f.code == "F-001"]
    assert finding.editions == ("original", "source")
    assert "[oil]" in finding.expected and "[oil]" not in finding.found


def test_an_unreadable_edition_is_named_not_an_internal_error(canonical, tmp_path):
    from pubpipe.errors import ToolError

    build = copy_build(canonical, tmp_path)
    epub = build / canonical.slug / f"{canonical.slug}.epub"
    epub.write_bytes(epub.read_bytes()[:3000])
    with pytest.raises(ToolError) as caught:
        findings_for(canonical, build)
    assert caught.value.path == epub and "BadZipFile" in caught.value.message


LONG_TABLE = ("---\ntitle: Gauges\nauthor: A. Writer\n---\n\nThe readings.\n\n| Gauge | Level | Note |\n|---|---:|---|\n"
              + "".join(f"| g{n} | {n * 3} | read at dawn {n} |\n" for n in range(90)) + "\n: Ninety readings. {#tbl:gauges}\n\nAfter.\n")


def test_a_table_that_runs_over_pages_is_read_with_its_header_once_and_a_changed_header_is_caught(tmp_path):
    """The PDF repeats a long table's header row at the top of each page it runs on to, which the
    other editions do not: every such table failed X-001 and F-002. A header the PDF prints
    differently is still caught."""
    from pypdf import PdfReader

    from conftest import write_article as scratch_article

    folder = scratch_article(tmp_path, "gauges", LONG_TABLE)
    built = build_into(folder.parent, "gauges", tmp_path / "build")
    assert PdfReader(built.edition("pdf")).get_num_pages() >= 3  # the header is printed three times
    assert findings_for(built, built.build) == []
    planted = copy_build(built, tmp_path / "planted")
    rerender_pdf(built, planted, lambda markup: _replace_once(markup, ">Level</th>", ">Height</th>"))
    found = findings_for(built, planted)
    assert "X-001" in codes(found, "pdf") and any("Height" in finding.found for finding in found), found


LONG_CODE = ("---\ntitle: Fetching\nauthor: A. Writer\n---\n\n" + "The readings of each gauge are fetched at dawn and kept "
             "for a season, then compared with those of the other gauges along the river. " * 3 + "\n\n```bash\n"
             "curl -sSL \"https://api.example.org/v2/stations?format=csv&from=1990-01-01&to=2020-12-31&fields=id,name,lat,lon,"
             "elevation,operator\" | python3 -m tidekit.cli ingest --verbose\nshort line\n```\n\nAfter.\n")


def test_a_code_line_wrapped_inside_a_word_is_read_as_one_word_and_a_changed_one_is_caught(tmp_path):
    """A line of code too long for the page wraps anywhere, inside an address too; the reader took
    the wrap for a space ("elevat ion") and every such article failed X-001 and F-002."""
    from conftest import write_article as scratch_article

    folder = scratch_article(tmp_path, "fetching", LONG_CODE)
    built = build_into(folder.parent, "fetching", tmp_path / "build")
    assert findings_for(built, built.build) == []
    planted = copy_build(built, tmp_path / "planted")
    html = planted / "fetching" / "fetching.html"
    html.write_text(_replace_once(html.read_text(encoding="utf-8"), "elevation,operator", "elevation,owner"), encoding="utf-8")
    found = findings_for(built, planted)
    assert "X-001" in codes(found, "html") and any("owner" in finding.found for finding in found), found
