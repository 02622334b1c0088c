"""Ctrl-C at random moments, many builds in a row: the build must never hang, never leave a process
behind, and never spoil the editions already built.

Each run starts `pubpipe build` on a copy of an article (by default the canonical one, all three
editions) in a session of its own, waits a random time between zero and a little more than a
whole build, and sends SIGINT to the build's process group, as a terminal's Ctrl-C does. Then:
- the build ends within `--bound` seconds, with exit 0 (it finished first) or 130 (interrupted;
  also counted: killed by SIGINT itself, when the signal came before Python could handle it, and
  CPython's own exit 1 when it came while the interpreter was still importing its `site` module,
  before the first line of pubpipe ran);
- the editions are byte-identical to those of a clean build made at the start;
- no process the build started is left: this script makes itself a child subreaper
  (PR_SET_CHILD_SUBREAPER), so an orphan would become its child, and it has none once the build
  is gone (after a grace of `--grace` seconds for processes already dying).
A run that breaks a rule stops the script with exit 1 and says which; a hang is killed and shown
with `ps`. Not a test: it takes minutes. `make bench` runs it with `--only stress`, or by hand:

    .venv/bin/python scripts/stress_interrupt.py --runs 200
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBPIPE = Path(sys.executable).parent / "pubpipe"
CANONICAL = "soviet-relations-with-pakistan"
EDITIONS = ("html", "epub", "pdf")
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit(f"stress: cannot become a child subreaper: {os.strerror(ctypes.get_errno())}")


def children() -> list[int]:
    """Our living children, after reaping those that have died."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    found = []
    for task in os.listdir("/proc/self/task"):
        try:
            found += [int(pid) for pid in Path(f"/proc/self/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return found


def describe(pids: list[int]) -> str:
    lines = []
    for pid in pids:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            lines.append(f"  {pid}: {b' '.join(words).decode(errors='replace')[:200]}")
        except OSError:
            lines.append(f"  {pid}: (gone)")
    return "\n".join(lines)


def editions(build: Path, slug: str) -> dict[str, bytes]:
    return {name: (build / slug / f"{slug}.{name}").read_bytes() for name in EDITIONS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--article", default=str(ROOT / "source" / CANONICAL), help="the article folder to build")
    parser.add_argument("--bound", type=float, default=30, help="seconds a build may take to stop after SIGINT")
    parser.add_argument("--grace", type=float, default=5, help="seconds for dying processes to go")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    chance = random.Random(seed)
    become_subreaper()

    work = Path(tempfile.mkdtemp(prefix="pubpipe-stress-"))
    article = Path(args.article).resolve()
    slug = article.name
    shutil.copytree(article, work / "source" / slug)
    build = work / "build"
    command = [str(PUBPIPE), "-q", "build", slug, "--source", str(work / "source"), "--build", str(build)]
    env = {**os.environ, "PUBPIPE_ROOT": str(ROOT)}
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)

    durations = []  # of whole builds, the latest last: the signal falls anywhere in one of them
    for _ in range(2):  # the first one warms the caches
        started = time.monotonic()
        subprocess.run(command, env=env, check=True)
        durations.append(time.monotonic() - started)
    baseline = editions(build, slug)
    print(f"stress: seed {seed}; a clean build of {slug} took {durations[-1]:.2f} s; {args.runs} interrupted builds follow", flush=True)

    outcomes = {"completed": 0, "exit 130": 0, "killed by SIGINT": 0, "stopped in Python's start-up": 0}
    slowest_stop = 0.0
    for run in range(1, args.runs + 1):
        delay = chance.uniform(0, statistics.median(durations[-9:]) * 1.2)
        launched = time.monotonic()
        process = subprocess.Popen(command, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            process.wait(timeout=delay)
            durations.append(time.monotonic() - launched)  # it finished first
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGINT)
        signalled = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=args.bound)
        except subprocess.TimeoutExpired:
            print(f"stress: run {run} HUNG: no exit {args.bound:g} s after SIGINT (sent {delay:.3f} s in)", flush=True)
            print(subprocess.run(["ps", "-o", "pid,ppid,stat,wchan:20,args", "-g", str(process.pid)],
                                 capture_output=True, text=True).stdout, flush=True)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return 1
        stopped = time.monotonic() - signalled
        status = process.returncode
        if status == 0:
            outcomes["completed"] += 1
        elif status == 130:
            outcomes["exit 130"] += 1
            slowest_stop = max(slowest_stop, stopped)
        elif status == -signal.SIGINT:
            outcomes["killed by SIGINT"] += 1
            slowest_stop = max(slowest_stop, stopped)
        elif status == 1 and b"Fatal Python error: init_import_site" in stderr and b"KeyboardInterrupt" in stderr:
            outcomes["stopped in Python's start-up"] += 1  # (seen once in 173 runs, 0.019 s in)
        else:
            print(f"stress: run {run} exited {status} (SIGINT {delay:.3f} s in):\n{stderr.decode(errors='replace')[-2000:]}")
            return 1
        deadline = time.monotonic() + args.grace
        while (left := children()) and time.monotonic() < deadline:
            time.sleep(0.01)
        if left:
            print(f"stress: run {run} left processes behind (SIGINT {delay:.3f} s in):\n{describe(left)}")
            return 1
        if editions(build, slug) != baseline:
            print(f"stress: run {run} changed the editions (exit {status}, SIGINT {delay:.3f} s in)")
            return 1
        if run % 20 == 0 or run == args.runs:
            print(f"stress: {run}/{args.runs} runs: " + ", ".join(f"{n} {what}" for what, n in outcomes.items()), flush=True)
    leftovers = sorted(path.name for path in (build / slug).iterdir() if ".part" in path.name)
    print(f"stress: passed: {args.runs} builds, " + ", ".join(f"{n} {what}" for what, n in outcomes.items())
          + f"; slowest stop after SIGINT {slowest_stop:.2f} s; no process left behind; editions intact"
          + (f"; temporary files left for the next build to remove: {', '.join(leftovers)}" if leftovers else ""))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
