"""Bad input: each case of issue 6's table gives a clear error, a documented exit status, no
traceback, and leaves the earlier good editions byte-identical.

The exit statuses (pubpipe.errors): 2 usage, 3 article, 4 bibliography/citation/style,
5 resource (image), 6 unsafe content, 7 limit, 8 tool, 9 output folder, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from untrusted import SLUG, VICTIM_BODY, VICTIM_REFS, article_text

ARTICLE, BIBLIOGRAPHY, RESOURCE, OUTPUT, INTERRUPTED = 3, 4, 5, 9, 130


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


# --- front matter ------------------------------------------------------------------------------

def test_malformed_yaml_gives_the_line_in_the_file(case):
    text = "---\ntitle: Fine\nauthor: Ann\nlang: en\n  bad: indentation: here\n---\n\nBody.\n"
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "article.md:5", "malformed YAML")


@pytest.mark.parametrize("changes, words", [
    ({"title": None}, ("'title'", "missing")),
    ({"title": ["a", "list"]}, ("'title'", "must be text")),
    ({"title": "   "}, ("'title'", "empty")),
    ({"lang": "english please"}, ("'lang'", "not a language tag")),
    ({"author": [{"affiliation": "no name"}]}, ("'author'",)),
    ({"bibliography": {"a": 1}}, ("'bibliography'",)),
])
def test_missing_or_mistyped_fields_are_named(case, changes, words):
    text = article_text(**changes)
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, *words)


def test_a_missing_bibliography_file_is_a_missing_resource(case):
    """Exit 5, as the README's table says for a file the article refers to that is missing."""
    text = article_text(bibliography="missing.bib")
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, "'bibliography'", "missing.bib", "does not exist",
                        f"article.md:{line_of(text, 'bibliography:')}")


def test_an_image_without_alt_text_gets_the_readmes_syntax(case):
    text = article_text(body="Text with an icon ![](chart.png) in it [@doe2001].\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "has no alt text", '{alt="What the image shows"}', "visible caption")


# --- bibliographies and citations ----------------------------------------------------------------

BAD_BIBLIOGRAPHIES = {
    # The line of the entry that is never closed (bibtexparser's failed block).
    "refs.bib": ("@book{doe2001,\n  title = {A Book},\n  year = 2001\n}\n\n@book{roe1999,\n"
                 "  title = {An {Unbalanced} Title,\n  year = 1999\n}\n", 6),
    # bibtexparser forgives a missing comma between fields; pandoc does not, and names the line.
    "missing-comma.bib": ("@book{doe2001,\n  title = {A Book},\n  year = 2001\n}\n\n@book{roe1999,\n"
                          "  title = {B}\n  year = 1999\n}\n", 8),
    "refs.json": ('[\n  {"id": "doe2001", "type": "book", "title": "A Book"},\n'
                  '  {"id": "roe1999", "type": "book", "title": "B",}\n]\n', 3),
    "refs.yaml": ("references:\n- id: doe2001\n  type: book\n  title: A Book\n- id: roe1999\n"
                  "  title: Oops: a colon\n", 6),
}


@pytest.mark.parametrize("name", sorted(BAD_BIBLIOGRAPHIES))
def test_malformed_bibliography_gives_file_and_line(case, name):
    content, line = BAD_BIBLIOGRAPHIES[name]
    case.write(name, content)
    case.article(article_text(bibliography=name))
    case.assert_refused(case.build(), BIBLIOGRAPHY, f"{name}:{line}", "malformed")


GOOD_BIBLIOGRAPHIES = {
    "refs.bib": "@book{doe2001, title={A Book}, year=2001}\n@article{roe1999, title={B}, year=1999}\n"
                "@misc{doe2001,\n  title={Again}}\n",
    "refs.json": '[{"id": "doe2001", "title": "A"},\n {"id": "roe1999", "title": "B"},\n {"id": "doe2001", "title": "C"}]',
    "refs.yaml": VICTIM_REFS + "- id: doe2001\n  type: book\n  title: Again\n",
}


@pytest.mark.parametrize("name", sorted(GOOD_BIBLIOGRAPHIES))
def test_duplicate_citation_keys_are_named(case, name):
    case.write(name, GOOD_BIBLIOGRAPHIES[name])
    case.article(article_text(bibliography=name))
    case.assert_refused(case.build(), BIBLIOGRAPHY, "duplicate citation key 'doe2001'", name)


def test_duplicate_keys_across_two_files(case):
    case.write("more.bib", "@book{roe1999, title={Twice}, year=1999}\n")
    case.article(article_text(bibliography=["refs.yaml", "more.bib"]))
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'roe1999'", "more.bib:1", "refs.yaml")


def test_an_image_in_a_bibliography_entry_is_refused_at_the_entry(case):
    """\\includegraphics in a BibTeX title once became an <img alt="Image"> in the reference list."""
    case.write("chart.png", (Path(__file__).parent / "fixtures" / "features" / "chart.png").read_bytes())
    case.write("more.bib", "@misc{pic2020,\n  title = {Look \\includegraphics{chart.png} here},\n  year = 2020\n}\n")
    case.article(article_text(bibliography=["refs.yaml", "more.bib"], body="Seen [@pic2020].\n"))
    case.assert_refused(case.build(), BIBLIOGRAPHY, "more.bib:1", "'pic2020' holds an image (chart.png)")


@pytest.mark.parametrize("name", ["notes.txt", "clip.mp4", "file:///tmp/notes.txt"])
def test_an_image_of_a_file_that_is_no_picture_is_named_with_its_line(case, name):
    """pandoc writes such an image as <embed> or <video>: once refused as "raw HTML <embed>", with no line."""
    if not name.startswith("file:"):
        case.write(name, "not a picture\n")
    text = article_text(body=f"Intro [@doe2001].\n\nSee ![the notes]({name}) here.\n")
    case.article(text)
    case.assert_refused(case.build(), 6, f"article.md:{line_of(text, name)}", f"'{name}'",
                        "a Markdown image of a file that is no picture")


def test_unknown_citation_key_gives_key_file_and_line(case):
    body = VICTIM_BODY.replace("[@roe1999]", "[@roe1999; @nobody2000]")
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'nobody2000'", f"article.md:{line_of(text, '@nobody2000')}")


def test_a_mistyped_citation_key_gets_the_nearest_keys(case):
    body = VICTIM_BODY.replace("[@roe1999]", "[@roe199]")
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'roe199'", "did you mean @roe1999?", f"article.md:{line_of(text, '@roe199]')}")


def test_unknown_key_that_prefixes_a_known_one_gets_its_own_line(case):
    body = "Known [@doe2001].\n\nUnknown [@doe].\n"
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'doe'", f"article.md:{line_of(text, '@doe]')}")


def test_an_at_sign_in_prose_gets_the_escape_as_a_hint(case):
    """pandoc reads a GitHub handle as a citation; the error stays, and says how to write it."""
    body = VICTIM_BODY.replace("A citation", "Ask @octocat for access.\n\nA citation")
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'octocat'", f"article.md:{line_of(text, '@octocat')}",
                        "escape the at sign: \\@octocat")


def test_unknown_csl_style_in_front_matter_suggests_names(case):
    text = article_text(csl="chicago-author-dat")
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'chicago-author-dat'", "did you mean", "chicago-author-date",
                        f"article.md:{line_of(text, 'csl:')}")


def test_unknown_csl_style_on_the_command_line_suggests_names(case):
    case.assert_refused(case.build("--style", "americn-medical-association"), BIBLIOGRAPHY,
                        "'americn-medical-association'", "american-medical-association")


# --- encodings -------------------------------------------------------------------------------

def test_non_utf8_article_is_refused_with_the_byte_offset(case):
    data = article_text().encode("utf-8").replace(b"another", b"anoth\xe9r")
    case.article(data)
    offset = data.index(b"\xe9")
    line = data.count(b"\n", 0, offset) + 1
    case.assert_refused(case.build(), ARTICLE, f"byte offset {offset}", "0xe9", "UTF-8", f"article.md:{line}")


def test_non_utf8_bibliography_is_refused_with_the_byte_offset(case):
    data = VICTIM_REFS.encode("utf-8").replace(b"A Journal", b"A Journ\xe4l")
    case.write("refs.yaml", data)
    offset = data.index(b"\xe4")
    case.assert_refused(case.build(), ARTICLE, "refs.yaml", f"byte offset {offset}")


def test_nul_byte_is_refused_with_the_byte_offset(case):
    data = article_text().encode("utf-8").replace(b"another", b"ano\x00ther")
    case.article(data)
    offset = data.index(b"\x00")
    case.assert_refused(case.build(), ARTICLE, f"NUL byte at byte offset {offset}")


def test_bom_and_crlf_are_normalised_to_the_same_editions(case):
    """Documented policy: a BOM and CRLF (or CR) line ends are accepted; the editions are the same."""
    case.article(b"\xef\xbb\xbf" + article_text().replace("\n", "\r\n").encode("utf-8"))
    case.write("refs.yaml", b"\xef\xbb\xbf" + VICTIM_REFS.replace("\n", "\r\n").encode("utf-8"))
    result = case.build()
    assert result.status == 0, result.text
    assert case.editions() == case.baseline


# --- empty articles, images, output folders, fonts ----------------------------------------------

@pytest.mark.parametrize("content, words", [
    ("", ("the article is empty",)),
    ("\n  \n\t\n", ("the article is empty",)),
    ("---\ntitle: Only a title\n---\n", ("no body text",)),
    ("---\ntitle: Only a title\n---\n\n   \n", ("no body text",)),
    ("Just a body, no front matter.\n", ("front matter",)),
])
def test_empty_article_or_front_matter_only(case, content, words):
    case.article(content)
    case.assert_refused(case.build(), ARTICLE, *words)


def test_missing_image_is_named(case):
    text = article_text(body=VICTIM_BODY.replace("chart.png", "no-such-chart.png"))
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, "'no-such-chart.png'", f"article.md:{line_of(text, 'no-such-chart')}")


# --- links that validators would reject later (issue 12, item 7) ---------------------------------

@pytest.mark.parametrize("link, status, words", [
    ("[prose.io](prose.io)", RESOURCE, ("'prose.io' has no scheme", "hint: write the full address: https://prose.io")),
    ("[the data](data/readings.csv)", RESOURCE, ("'data/readings.csv' names a file that does not exist",)),
    ("[the chart](chart.png)", RESOURCE, ("'chart.png' points to a file of the article folder, which no edition carries",)),
    ("[see below](#no-such-part)", RESOURCE, ("'#no-such-part' leads nowhere",)),
    ('<a name="old-anchor"></a>', ARTICLE, ('<a name="old-anchor"> is obsolete', "{#old-anchor}")),
])
def test_a_link_that_would_break_is_named_with_its_line(case, link, status, words):
    text = article_text(body=VICTIM_BODY.replace("A citation", f"See {link}.\n\nA citation"))
    case.article(text)
    case.assert_refused(case.build(), status, f"article.md:{line_of(text, link)}", *words)


def _pdf_of_pages(count: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("content, words", [
    (_pdf_of_pages(2), ("'figure.pdf' has 2 pages; a figure is one page",)),
    (b"%PDF-1.7\nnot really a PDF at all\n", ("'figure.pdf' cannot be read as a PDF",)),
])
def test_a_pdf_figure_that_is_not_one_page_is_named(case, content, words):
    case.write("figure.pdf", content)
    text = article_text(body=VICTIM_BODY.replace("chart.png", "figure.pdf"))
    case.article(text)
    case.assert_refused(case.build(), RESOURCE, f"article.md:{line_of(text, 'figure.pdf')}", *words)


def test_output_folder_that_cannot_be_made_is_named(case):
    if case.via == "make":  # make always builds into the project's build/: a file stands there
        shutil.rmtree(case.build_root)
        case.build_root.write_text("a file where the build folder should be")
        result = case.build()
        assert result.make_status == 2 and "build is a file, not a folder" in result.err, result.text
        assert case.build_root.read_text() == "a file where the build folder should be"
        return
    blocker = case.root / "not-a-folder"
    blocker.write_text("a file where the build folder should be")
    result = case.build("--build", str(blocker / "build"))
    case.assert_refused(result, OUTPUT, str(blocker / "build"))


def test_article_output_folder_blocked_by_a_file(case):
    shutil.rmtree(case.build_root)
    case.build_root.mkdir()
    (case.build_root / SLUG).write_text("a file where the article's folder should be")
    result = case.build()
    assert result.status == OUTPUT, result.text
    assert "build/victim: cannot create the output folder" in result.err and "Traceback" not in result.text


def test_character_missing_from_every_font_is_named(case):
    text = article_text(body="A rare character \u0378 here [@doe2001].\n")
    case.article(text)
    case.assert_refused(case.build(), ARTICLE, "U+0378", "font", f"article.md:{line_of(text, chr(0x378))}")


# --- interrupted and concurrent builds (real processes) -----------------------------------------

def _slow_victim(case) -> None:
    """The victim with a long table: its PDF takes seconds, so a build can be caught in the middle."""
    rows = "\n".join(f"| {n} | {'word ' * 12} | {n * 7} |" for n in range(300))
    case.article(article_text(body=VICTIM_BODY + f"\n| A | B | C |\n|---|---|---|\n{rows}\n"))


def _wait_until_laying_out(process: subprocess.Popen) -> None:
    """Until the build says (its `-v` line) that the layout worker has the PDF, so the signal
    lands while the worker is busy with the long table for seconds. The build's own word, read
    as it comes: no polling of the folder, no clock."""
    for line in process.stdout:
        if "pdf is being laid out" in line:
            return
    pytest.fail(f"the build ended before it laid out the PDF: {process.communicate()}")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                children = [int(child) for child in (task / "children").read_text().split()]
                found += children
                todo += children
    return found


def _is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_interrupted_build_leaves_the_good_editions(case, sig):
    _slow_victim(case)
    process = case.start(verbose=True)
    _wait_until_laying_out(process)
    helpers = _descendants(process.pid)  # the layout worker, under bwrap (and, through make, pubpipe)
    assert helpers
    case.interrupt(process, sig)
    result = case.finish(process, timeout=60)
    assert result.status == (INTERRUPTED if sig == signal.SIGINT else -signal.SIGKILL), result.text
    assert "Traceback" not in result.text
    deadline = time.monotonic() + 30  # they die with the build; a killed process takes a moment to go
    while (alive := [pid for pid in helpers if _is_running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert alive == [], "the build left processes behind"
    assert case.editions() == case.baseline
    parts = list((case.build_root / SLUG).glob(".*.part*"))
    if sig == signal.SIGINT:
        assert "interrupted; earlier editions are left as they were" in result.err
        assert parts == []
    # The next build (of the good article again) removes what a killed one left, and gives the
    # same bytes as before.
    case.article(article_text())
    result = case.build()
    assert result.status == 0, result.text
    assert list((case.build_root / SLUG).glob(".*.part*")) == []
    assert case.editions() == case.baseline


def test_two_builds_at_once_never_mix_their_files(case):
    """Two builds with different styles race; afterwards all three editions come from one of them."""
    references = {}
    for style in ("apa", "chicago-notes-bibliography-17th-edition"):
        result = case.run("--style", style)  # a separate process, the same code as the racers
        assert result.status == 0, result.text
        references[style] = case.editions()
    assert references["apa"]["html"] != references["chicago-notes-bibliography-17th-edition"]["html"]
    racers = [case.start("--style", style) for style in references]
    for process in racers:
        result = case.finish(process, timeout=120)
        assert result.status == 0, result.text
    assert case.editions() in list(references.values())
    assert list((case.build_root / SLUG).glob(".*.part*")) == []


def test_duplicate_key_between_front_matter_references_and_a_file(case):
    text = article_text(references=[{"id": "roe1999", "type": "book", "title": "Inline"}])
    case.article(text)
    case.assert_refused(case.build(), BIBLIOGRAPHY, "'roe1999'", "refs.yaml:", f"article.md:{line_of(text, 'id: roe1999')}")


@pytest.mark.parametrize("name, content", [
    ("refs.json", "[" * 100_000),
    ("refs.yaml", "references:\n" + "- " * 20_000 + "x\n"),
])
def test_absurdly_nested_bibliography_is_a_clear_error(case, name, content):
    case.write(name, content)
    case.article(article_text(bibliography=name))
    result = case.build()
    assert result.status in (BIBLIOGRAPHY,), result.text
    assert name in result.err and "Traceback" not in result.text
    assert case.editions() == case.baseline
