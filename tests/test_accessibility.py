"""Ace by DAISY on the EPUB and axe-core on the web edition (light and dark colour schemes) report
nothing on the canonical article and the features fixture, and both checkers do report a page
built to fail, so a silent checker cannot pass for a clean edition."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from pubpipe.check.accessibility import run_accessibility, run_ace, run_axe


@pytest.fixture(scope="module", params=["canonical", "features"])
def built(request):
    return request.getfixturevalue(request.param)


def test_axe_finds_no_violations(built):
    assert run_axe(built.edition("html")) == []


def test_ace_finds_no_violations(built):
    assert run_ace(built.edition("epub")) == []


@pytest.fixture
def faulty_page(tmp_path):
    page = tmp_path / "faulty.html"
    page.write_text(
        '<!DOCTYPE html><html lang="en"><head><title>t</title>'
        "<style>@media (prefers-color-scheme: dark) { .dim { color: #333; background: #222; } }</style></head>"
        '<body><main><h1>t</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p class="dim">only unreadable in the dark</p></main></body></html>',
        encoding="utf-8",
    )
    return page


@pytest.fixture
def epub_without_accessibility_metadata(features, tmp_path):
    stripped = tmp_path / "stripped.epub"
    with zipfile.ZipFile(features.edition("epub")) as source, zipfile.ZipFile(stripped, "w") as out:
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


METADATA_RULES = {"ace/metadata-accessmode", "ace/metadata-accessibilityfeature", "ace/metadata-accessibilityhazard"}


def test_axe_reports_a_page_with_faults(faulty_page):
    findings = run_axe(faulty_page)
    codes = {(f["code"], "dark colour scheme" in f["message"]) for f in findings}
    assert ("axe/image-alt", False) in codes
    assert ("axe/color-contrast", True) in codes and ("axe/color-contrast", False) not in codes
    assert all(set(f) == {"code", "severity", "message", "file", "line"} for f in findings)


def test_ace_reports_an_epub_without_accessibility_metadata(epub_without_accessibility_metadata):
    codes = {finding["code"] for finding in run_ace(epub_without_accessibility_metadata)}
    assert METADATA_RULES <= codes


def test_one_run_for_both_keeps_their_findings_apart(epub_without_accessibility_metadata, faulty_page):
    """`pubpipe check` runs Ace and axe in one browser: each edition's faults stay with it."""
    found = run_accessibility(epub=epub_without_accessibility_metadata, html=faulty_page)
    assert METADATA_RULES <= {finding["code"] for finding in found["ace"]}
    assert {"axe/image-alt", "axe/color-contrast"} <= {finding["code"] for finding in found["axe"]}
    assert all(finding["code"].startswith("ace/") for finding in found["ace"])
    assert all(finding["file"] == str(faulty_page.resolve()) for finding in found["axe"])


def test_a_checker_that_cannot_run_says_which_file_and_why(canonical, tmp_path):
    from pubpipe.errors import ToolError

    broken = tmp_path / "broken.epub"
    broken.write_bytes(canonical.edition("epub").read_bytes()[:3000])
    with pytest.raises(ToolError) as caught:
        run_accessibility(epub=broken, html=canonical.edition("html"))
    assert caught.value.path == broken.resolve()
    assert caught.value.message.startswith("Ace could not check this file: ") and "  at " not in caught.value.message
