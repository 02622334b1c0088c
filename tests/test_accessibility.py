"""Ace by DAISY on the EPUB and axe-core on the web edition (light and dark colour schemes, and a
phone's width) report nothing on the fixture articles, and both checkers do report files built to
fail, so a silent checker cannot pass for a clean edition. Every file here is checked in one run of
the two checkers (one browser), as `pubpipe check` runs them."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from pubpipe.check.accessibility import run_accessibility_many
from pubpipe.errors import ToolError

METADATA_RULES = {"ace/metadata-accessmode", "ace/metadata-accessibilityfeature", "ace/metadata-accessibilityhazard"}


@pytest.mark.parametrize("slug", ["soviet-relations-with-pakistan", "features", "conventions"])
def test_ace_and_axe_find_no_violations(validated, slug):
    check = validated[slug]
    assert {"V-ACE", "V-AXE"} <= set(check.checks_run)
    assert check.validated["V-ACE"] == [] and check.validated["V-AXE"] == []


def _faulty_page(folder):
    page = folder / "faulty.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title><meta name="viewport" content="width=device-width">'
        "<style>@media (prefers-color-scheme: dark) { .dim { color: #333; background: #222; } }"
        "@media (max-width: 400px) { .narrow { color: #777; background: #888; } }</style></head>"
        '<body><main><h1>t</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p class="dim">only unreadable in the dark</p><p class="narrow">only unreadable on a phone</p></main></body></html>',
        encoding="utf-8",
    )
    return page


def _epub_without_accessibility_metadata(epub, folder):
    stripped = folder / "stripped.epub"
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(stripped, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".opf"):
                root = etree.fromstring(data)
                for meta in root.iter("{http://www.idpf.org/2007/opf}meta"):
                    if (meta.get("property") or "").startswith("schema:"):
                        meta.getparent().remove(meta)
                data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            out.writestr(info, data)
    return stripped


def _epub_with_faults_in_its_article(epub, folder):
    """The EPUB with a picture without a text alternative and unreadable grey-on-grey text planted
    in its article: faults that only axe's rules, run by Ace inside the content document, find."""
    faulty = folder / "faulty-article.epub"
    planted = ('<p><img src="images/000-chart.png"/></p>'
               '<p style="color: #777; background: #888;">Grey on grey.</p></section>').encode()
    with zipfile.ZipFile(epub) as source, zipfile.ZipFile(faulty, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("/article.xhtml"):
                assert b"</section>" in data, "the article's content document has changed shape: update this fault"
                data = data.replace(b"</section>", planted, 1)
            out.writestr(info, data)
    return faulty


def _page_with_a_style_sheet_elsewhere(folder):
    """A page that links a style sheet from another folder; the style sheet makes its text
    unreadable, which axe reports when the style sheet is read."""
    (folder / "outside").mkdir()
    (folder / "outside" / "dim.css").write_text("p { color: #777; background: #888; }", encoding="utf-8")
    (folder / "pages").mkdir()
    page = folder / "pages" / "page.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>t</title>'
                    f'<link rel="stylesheet" href="{(folder / "outside" / "dim.css").as_uri()}"></head>'
                    "<body><main><h1>t</h1><p>Some text.</p></main></body></html>", encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def faulty(features, tmp_path_factory):
    """One run of both checkers over an EPUB stripped of its accessibility metadata, one with faults
    planted in its article, an EPUB cut short, a page with faults in light mode, in dark mode and at a phone's width, and a page that
    links a style sheet from another folder: (files, Ace's results, axe's)."""
    folder = tmp_path_factory.mktemp("faulty")
    (folder / "files").mkdir()  # beside outside/, never above it: the checkers see the folders of their files
    files = {"stripped": _epub_without_accessibility_metadata(features.edition("epub"), folder / "files"),
             "article": _epub_with_faults_in_its_article(features.edition("epub"), folder / "files"),
             "broken": folder / "files" / "broken.epub", "page": _faulty_page(folder / "files"),
             "elsewhere": _page_with_a_style_sheet_elsewhere(folder)}
    files["broken"].write_bytes(features.edition("epub").read_bytes()[:3000])
    ace, axe = run_accessibility_many([files["broken"], files["stripped"], files["article"]], [files["page"], files["elsewhere"]])
    return files, ace, axe


def test_axe_reports_a_page_with_faults(faulty):
    files, _ace, axe = faulty
    findings = axe[files["page"]]
    views = ("light colour scheme", "dark colour scheme", "360 px wide")
    codes = {(f["code"], view) for f in findings for view in views if f"({view})" in f["message"]}
    assert ("axe/image-alt", "light colour scheme") in codes
    # Each contrast fault in the one view that shows it: the page is laid out again at a phone's width.
    assert {view for code, view in codes if code == "axe/color-contrast"} == {"dark colour scheme", "360 px wide"}
    assert all(set(f) == {"code", "severity", "message", "file", "line"} for f in findings)
    assert all(f["file"] == str(files["page"].resolve()) for f in findings)


def test_ace_reports_an_epub_without_accessibility_metadata(faulty):
    files, ace, _axe = faulty
    assert METADATA_RULES <= {finding["code"] for finding in ace[files["stripped"]]}
    assert all(finding["code"].startswith("ace/") for finding in ace[files["stripped"]])


def test_ace_reports_faults_inside_a_content_document(faulty):
    """Ace loads axe and its own scripts into each content document (accessibility.js says how):
    the faults planted in the article are found there, and in no other document."""
    files, ace, _axe = faulty
    findings = ace[files["article"]]
    assert {"ace/image-alt", "ace/color-contrast"} <= {finding["code"] for finding in findings}
    assert {finding["file"] for finding in findings if finding["code"] in ("ace/image-alt", "ace/color-contrast")} == {"article.xhtml"}


def test_an_epub_the_checker_cannot_read_is_named_and_the_others_are_still_checked(faulty):
    files, ace, axe = faulty
    error = ace[files["broken"]]
    assert isinstance(error, ToolError)
    assert error.path == files["broken"].resolve()
    assert error.message.startswith("Ace could not check this file: ") and "  at " not in error.message
    assert ace[files["stripped"]] and axe[files["page"]]  # the files after it in the same run were checked


def test_the_checkers_read_nothing_outside_the_folders_of_the_files_they_check(faulty, monkeypatch):
    """Ace and axe run in the OS sandbox (runtime/sandbox.py): a page that links a style sheet
    from another folder is checked without it, while the control run without the sandbox reads
    it (axe then reports the unreadable text), so the test can tell."""
    from pubpipe.runtime import sandbox

    if not sandbox.available():
        pytest.skip("this machine cannot sandbox (bubblewrap missing or refused)")
    files, _ace, inside = faulty

    def contrast(findings) -> bool:
        return any(finding["code"] == "axe/color-contrast" for finding in findings)

    monkeypatch.setenv(sandbox.MODE_VAR, "off")
    _ace, unwrapped = run_accessibility_many([], [files["elsewhere"]])
    assert contrast(unwrapped[files["elsewhere"]]), "the control run did not read the style sheet"
    assert not contrast(inside[files["elsewhere"]]), "the sandboxed checker read a file outside its view"
