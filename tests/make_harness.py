"""Running the real `make`, as a user does, in a scratch project.

Users run `make`, not `pubpipe`, so a failure case is also run through the Makefile: its
variables, its rules and make's own handling of a failed or interrupted recipe are part of what
is tested. A scratch project is a folder holding links to this checkout's Makefile, code, styles
and installed `.venv` and `.tools`, beside its own `source/` and `build/`. The install stamps are
declared old (`make -o`), so a test never reinstalls the shared environment.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ("Makefile", "pyproject.toml", "scripts", "styles", ".venv", ".tools")
NEVER_REMADE = ("-o", ".venv/.installed", "-o", ".tools/.installed", "-o", ".venv/.bytecode")
# An enclosing make's state (`make test STYLE=apa`) must not reach the make under test.
MAKE_STATE = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "PUBPIPE_MAKE_NOTES", "PUBPIPE_MAKE_GO_ON",
              "ARTICLE", "PACK", "STYLE", "PAPER", "PDF_VARIANT", "PORT", "HOST", "V")
# The summary's line for a failed article, "make: 1 failed: victim (exit 3)", and make's own line
# for a failed recipe, "make: *** [Makefile:80: build/a/a.html] Error 3".
_SUMMED_UP = re.compile(r"^make: \d+ failed: .*?\(exit (\d+)\)", re.M)
_RECIPE_FAILED = re.compile(r"^make: \*\*\* \[[^\]]*\] Error (\d+)$", re.M)


def link_project(root: Path) -> Path:
    """Make `root` a project that builds with this checkout's Makefile, code and tools."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SHARED:
        if not (root / name).exists():
            (root / name).symlink_to(ROOT / name)
    return root


def make_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without the make state of an enclosing `make test` (whose jobserver
    file descriptors are not open in the test process, and whose variables would change the run)."""
    env = {key: value for key, value in os.environ.items() if key not in MAKE_STATE}
    env.update(extra or {})
    return env


def make_command(root: Path, *arguments: str) -> list[str]:
    return ["make", "-C", str(root), *NEVER_REMADE, *arguments]


def run_make(root: Path, *arguments: str, env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(make_command(root, *arguments), env=make_env(env), capture_output=True, text=True, timeout=timeout)


def start_make(root: Path, *arguments: str, env: dict[str, str] | None = None, wrapper: list[str] = ()) -> subprocess.Popen:
    """make in a process group of its own, so that a signal reaches make and its recipes together,
    as Ctrl-C in a terminal does; `wrapper` is a command that runs make (`bash -c 'ulimit …'`)."""
    return subprocess.Popen(
        [*wrapper, *make_command(root, *arguments)], env=make_env(env), start_new_session=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def signal_group(process: subprocess.Popen, sig: int) -> None:
    os.killpg(process.pid, sig)


def recipe_status(make_status: int, err: str) -> int:
    """pubpipe's exit status as make reports it: in the summary of what failed, else in make's
    "Error N" line; 0 when make succeeded. make's own status on failure is always 2."""
    if make_status == 0:
        return 0
    found = _SUMMED_UP.search(err) or _RECIPE_FAILED.search(err)
    if found:
        return int(found.group(1))
    if make_status < 0 and -make_status in (signal.SIGINT, signal.SIGTERM):
        return 128 - make_status
    return make_status
