"""Ordinary faults get their own exit status and a message, never exit 70 ("internal error").

A far-future date, a large or malformed SOURCE_DATE_EPOCH, malformed limits, a bogus PDF
variant, text nested deeper than the layout can take, a full disk and `ulimit -f` are the
user's to fix, so each says what is wrong and exits with the status the README's table gives.
Each case spoils the `victim` (tests/untrusted.py) and leaves its good editions byte-identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from untrusted import ROOT, SLUG, VICTIM_BODY, article_text

USAGE, ARTICLE, OUTPUT = 2, 3, 9


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


@pytest.mark.parametrize("date, epoch", [("2110-03-01", None), ("2020-06-01", "5000000000")])
def test_dates_a_zip_cannot_record_still_build(case, date, epoch):
    """A zip records the years 1980 to 2107; the EPUB's members are stamped within that range,
    while its OPF keeps the real date."""
    case.article(article_text(date=date))
    result = case.run(env={"SOURCE_DATE_EPOCH": epoch} if epoch else None)
    assert result.status == 0, result.text
    with zipfile.ZipFile(case.edition("epub")) as book:
        assert {info.date_time[0] for info in book.infolist()} == {2107}
        opf = book.read("EPUB/content.opf").decode("utf-8")
    assert ">2110-" in opf or ">2128-" in opf


@pytest.mark.parametrize("variable, value, words", [
    ("SOURCE_DATE_EPOCH", "abc", ("SOURCE_DATE_EPOCH", "whole number")),
    ("SOURCE_DATE_EPOCH", "99999999999999", ("SOURCE_DATE_EPOCH", "9999")),
    ("SOURCE_DATE_EPOCH", "-5", ("SOURCE_DATE_EPOCH",)),
    ("PUBPIPE_PDF_MEMORY", "lots", ("PUBPIPE_PDF_MEMORY", "2G")),
    ("PUBPIPE_PANDOC_MEMORY", "lots", ("PUBPIPE_PANDOC_MEMORY", "1G")),
    ("PUBPIPE_PANDOC_TIMEOUT", "soon", ("PUBPIPE_PANDOC_TIMEOUT", "seconds")),
    ("PUBPIPE_PDF_TIMEOUT", "later", ("PUBPIPE_PDF_TIMEOUT", "seconds")),
])
def test_malformed_settings_are_usage_errors(case, variable, value, words):
    case.assert_refused(case.run(env={variable: value}), USAGE, *words)


def test_a_bogus_pdf_variant_names_the_allowed_ones(case):
    case.assert_refused(case.run("--pdf-variant", "pdf/bogus-9"), USAGE, "pdf/bogus-9", "pdf/ua-1", "pdf/a-3b")


def test_the_allowed_pdf_variants_are_weasyprints():
    from weasyprint.pdf import VARIANTS

    from pubpipe.editions import PDF_VARIANTS

    assert set(PDF_VARIANTS) == set(VARIANTS) - {"debug"}


def test_text_nested_deeper_than_the_layout_takes_is_refused_with_its_line(case):
    text = article_text(body="Text [@doe2001].\n\n" + "> " * 150 + "deeply quoted\n\n" + VICTIM_BODY)
    case.article(text)
    case.assert_refused(case.run(), ARTICLE, f"article.md:{line_of(text, 'deeply quoted')}", "nested", "levels")


def test_nesting_within_the_limit_builds(case):
    case.article(article_text(body="Text [@doe2001].\n\n" + "> " * 40 + "quoted\n\n" + VICTIM_BODY))
    result = case.build()
    assert result.status == 0, result.text


def test_a_file_size_limit_is_an_output_error(case):
    """`ulimit -f` makes every write past it fail with EFBIG (Python ignores SIGXFSZ)."""
    result = case.run(wrapper=["bash", "-c", 'ulimit -f 20 && exec "$@"', "ulimit"])
    case.assert_refused(result, OUTPUT, "cannot write", "File too large")


def test_a_full_disk_is_an_output_error(case, tmp_path):
    """The output folder is a 200 KB tmpfs holding the good editions, in a mount namespace of
    its own; the build runs out of space, and the good editions must still be there, unchanged."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("mounting a small file system needs root and unshare")
    saved = tmp_path / "saved"
    shutil.copytree(case.build_root / SLUG, saved)
    out = case.build_root / SLUG
    script = (
        'out=$1 saved=$2; shift 2; mount -t tmpfs -o size=200k tmpfs "$out" && cp "$saved"/* "$out"/ || exit 99\n'
        '"$@"; status=$?\n'
        'for f in "$saved"/*; do cmp -s "$f" "$out/${f##*/}" || echo "CHANGED ${f##*/}" >&2; done\n'
        'ls -A "$out" | grep -q "\\.part" && echo "LEFTOVER PART FILE" >&2\n'
        "exit $status\n"
    )
    result = case.run(wrapper=["unshare", "-m", "bash", "-c", script, "full", str(out), str(saved)])
    if result.status == 99:
        pytest.skip(f"cannot mount a tmpfs here: {result.err.strip()}")
    assert result.status == OUTPUT, result.text
    assert "No space left" in result.err and "Traceback" not in result.err
    assert "CHANGED" not in result.err and "LEFTOVER" not in result.err, result.err


def test_a_harmless_blockquote_cite_builds(case):
    body = 'Text [@doe2001].\n\n<blockquote cite="https://example.org/source">\n<p>Quoted.</p>\n</blockquote>\n\n' + VICTIM_BODY
    case.article(article_text(body=body))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    assert 'cite="https://example.org/source"' in case.edition("html").read_text(encoding="utf-8")


def test_a_folder_without_article_md_is_not_a_silent_success(case):
    (case.root / "source" / "draft").mkdir()
    (case.root / "source" / "draft" / "article.txt").write_text("---\ntitle: Misnamed\n---\n\nText.\n")
    (case.root / "source" / ".git").mkdir()  # hidden folders are not articles
    from pubpipe.cli import main

    case.capfd.readouterr()
    status = main(["build", "--formats", "html", "--source", str(case.root / "source"), "--build", str(case.build_root)])
    out, err = case.capfd.readouterr()
    assert status != 0, err
    assert "draft" in err and "no article.md" in err and ".git" not in err
    assert f"{SLUG}.html" in out  # the good article was still built


def test_an_empty_source_folder_is_a_usage_error(tmp_path):
    (tmp_path / "source").mkdir()
    result = subprocess.run([sys.executable, "-m", "pubpipe", "build", "--source", str(tmp_path / "source"),
                             "--build", str(tmp_path / "build")], capture_output=True, text=True,
                            env=dict(os.environ, PUBPIPE_ROOT=str(ROOT)))
    assert result.returncode == USAGE, result.stderr
    assert "no articles found" in result.stderr
