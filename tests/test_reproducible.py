"""The same sources give the same bytes: whatever the folder, whatever the clock, and with the
timestamp taken from the article (its `date`, else its folder's last git commit) unless the
caller sets SOURCE_DATE_EPOCH."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pypdf
import pytest

from conftest import FIXTURES, build_into
from untrusted import readable_strings

EDITIONS = ("html", "epub", "pdf")


def _editions(built) -> dict[str, bytes]:
    return {name: built.edition(name).read_bytes() for name in EDITIONS}


def _pdf_date(data: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(data)).metadata["/CreationDate"]


def _epub_modified(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        opf = next(name for name in book.namelist() if name.endswith(".opf"))
        return re.search(r'dcterms:modified">([^<]+)<', book.read(opf).decode("utf-8")).group(1)


@pytest.fixture(scope="module")
def features_elsewhere(tmp_path_factory, features):
    """The features article copied to another, deeper folder and built from another working
    folder, later, in another time zone."""
    import os

    root = tmp_path_factory.mktemp("a-rather-different") / "place" / "to build" / "in"
    shutil.copytree(FIXTURES / "features", root / "source" / "features")
    previous_tz, previous_cwd = os.environ.get("TZ"), Path.cwd()
    os.environ["TZ"] = "Pacific/Kiritimati"
    time.tzset()
    os.chdir(root)
    try:
        return build_into(root / "source", "features", root / "out")
    finally:
        os.chdir(previous_cwd)
        if previous_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous_tz
        time.tzset()


@pytest.mark.parametrize("name", EDITIONS)
def test_two_clean_builds_in_different_folders_give_identical_bytes(features, features_elsewhere, name):
    assert features.edition(name).read_bytes() == features_elsewhere.edition(name).read_bytes()


@pytest.mark.parametrize("name", EDITIONS)
def test_no_edition_carries_a_path_of_the_machine(features_elsewhere, name):
    data = features_elsewhere.edition(name).read_bytes()
    root = str(Path(__file__).resolve().parent.parent)
    forbidden = [str(features_elsewhere.source), str(features_elsewhere.build), root, "/tmp/", "site-packages", "file:///tmp"]
    for chunk in readable_strings(data, name):
        for path in forbidden:
            assert path.encode() not in chunk, f"{path} is in the {name} edition"


def test_timestamps_come_from_the_article_date(features, monkeypatch):
    editions = _editions(features)
    assert _pdf_date(editions["pdf"]).startswith("D:20210315000000")
    assert _epub_modified(editions["epub"]) == "2021-03-15T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(editions["epub"])) as book:
        assert {info.date_time for info in book.infolist()} == {(2021, 3, 15, 0, 0, 0)}


def test_the_callers_source_date_epoch_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    built = build_into(FIXTURES, "features", tmp_path / "build", "--formats", "epub,pdf")
    assert _pdf_date(built.edition("pdf").read_bytes()).startswith("D:20231114221320")
    assert _epub_modified(built.edition("epub").read_bytes()) == "2023-11-14T22:13:20Z"


def test_an_undated_article_takes_its_folders_last_commit_time(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / "repo" / "source"
    shutil.copytree(FIXTURES / "features", source / "features")
    article = source / "features" / "article.md"
    article.write_text(re.sub(r"(?m)^date: .*\n", "", article.read_text(encoding="utf-8")), encoding="utf-8")
    stamp = "2019-05-06T07:08:09+00:00"
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-q", "-m", "article"]):
        subprocess.run(command, cwd=tmp_path / "repo", env=env, check=True)
    built = build_into(source, "features", tmp_path / "build", "--formats", "epub,pdf")
    assert _pdf_date(built.edition("pdf").read_bytes()).startswith("D:20190506070809")
    assert _epub_modified(built.edition("epub").read_bytes()) == "2019-05-06T07:08:09Z"
