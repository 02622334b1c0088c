"""`make bench`: how fast the pipeline is next to pandoc's own route, on this machine, today.

The pandoc route is what a user who does not use us runs: pandoc three times, to HTML, to EPUB and
to PDF with `--pdf-engine=weasyprint`, with the same pandoc binary (pypandoc-binary), the same CSL
style and the WeasyPrint of .venv on PATH. The machine is shared and noisy, so every figure is a
median over several runs after a warm-up, with its spread, and ours and the pandoc route alternate
run by run: a slow minute then hurts both sides alike, and the ratio stays honest.

Every input is generated here, into build/bench/ (git-ignored): the 50-times article from the
canonical one, an article with 100 display and 200 inline formulas and its twin without them,
the folder of 20 articles from the canonical and fixture articles, and a small
project (symlinks to this checkout's Makefile, scripts, styles and .venv) in which `make` runs on
that folder, so the editor's own build/ is never touched.

Memory is the peak of the whole process tree (the build, pandoc, the layout worker),
summed over the processes alive at the same moment, sampled from /proc every 5 ms; and at least the
largest single process's peak from the kernel. Writes build/bench.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "build" / "bench"
VENV_BIN = Path(sys.executable).parent
PUBPIPE = VENV_BIN / "pubpipe"
CANONICAL = "soviet-relations-with-pakistan"
STOCK_EPUBCHECK = "epubcheck (stock)"
CHECK_CACHE = ".cache/check"  # where pubpipe.check.run files its verdicts
FIXTURE = ROOT / "tests" / "fixtures" / "features"
FORMATS = "html,epub,pdf"
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
MIB = 1 << 20
GOALS = {"sandbox_s": 0.02, "cold_ratio": 0.75, "scaled_ratio": 0.75, "scaled_peak_mib": 400, "jobs_speedup": 1.7, "noop_s": 0.1,
         "check_over_slowest_s": 1.0, "check_folder_s": 20.0, "check_again_s": 0.5, "watch_html_s": 0.3, "watch_all_s": 1.0,
         "pack_cold_ratio": 1.3, "pack_change_factor": 2.0, "pack_change_extra_s": 1.0, "pack_peak_mib": 600,
         "pack_peak_growth": 1.25, "catalog_s": 2.0,
         "math_added_s": 1.0, "math_renderer_starts": 1}


# ---------------------------------------------------------------- measuring one command

@dataclass
class Sample:
    wall: float
    cpu: float
    peak_mib: float


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
        except OSError:
            pass
    return found


def tree_rss(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Resident bytes of `pid` and all its descendants, now; and each one's CPU seconds so far, in `cpu`."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
            if cpu is not None:
                with open(f"/proc/{current}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                cpu[current] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(_children(current))
    return total


class TreeSampler(threading.Thread):
    """Peak memory of a process tree, and its CPU time as seen process by process: the kernel's
    own count (wait4) misses what runs in the sandbox, since bwrap does not wait for its process
    namespace's init."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0, threading.Event()
        self.cpu: dict[int, float] = {}
        self.start()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid, self.cpu))
            self.done.wait(0.005)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment without the outer make's job server, with .venv/bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PUBPIPE_ROOT", None)
    env.update(extra or {})
    return env


FAILED_ATTEMPTS: list[dict] = []


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None, check: bool = True) -> tuple[Sample, int, str]:
    """Like `measure`, but a checked command that fails is run once more (the shared machine has its
    moments: another session reinstalling .venv, say); the failure is kept for the report."""
    result = measure(command, cwd, env)
    if check and result[1] != 0:
        FAILED_ATTEMPTS.append({"command": " ".join(map(str, command)), "status": result[1], "stderr": result[2][-600:]})
        result = measure(command, cwd, env)
    if check and result[1] != 0:
        raise SystemExit(f"bench: {' '.join(map(str, command))} failed ({result[1]}):\n{result[2][-2000:]}")
    return result


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[Sample, int, str]:
    """Run `command`; return its wall time, CPU time (whole tree) and peak memory, status and stderr."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env or clean_env(), stdout=subprocess.DEVNULL, stderr=errors)
        sampler = TreeSampler(process.pid)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        peak = max(sampler.stop(), usage.ru_maxrss * 1024)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace")
    cpu = max(usage.ru_utime + usage.ru_stime, sum(sampler.cpu.values()))
    return Sample(wall, cpu, peak / MIB), process.returncode, stderr


def summary(samples: list[Sample]) -> dict:
    def stat(values: list[float]) -> dict:
        middle = statistics.median(values)
        return {"median": round(middle, 4), "min": round(min(values), 4), "max": round(max(values), 4),
                "spread": round((max(values) - min(values)) / middle, 3) if middle else 0.0}

    return {"wall_s": stat([s.wall for s in samples]), "cpu_s": stat([s.cpu for s in samples]),
            "peak_mib": stat([s.peak_mib for s in samples]), "runs": len(samples)}


def add(a: Sample, b: Sample) -> Sample:
    return Sample(a.wall + b.wall, a.cpu + b.cpu, max(a.peak_mib, b.peak_mib))


# ---------------------------------------------------------------- the two routes

def pandoc_binary() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def style_of(folder: Path) -> Path:
    from pubpipe.load.article import load_article
    from pubpipe.resolve.styles import resolve_style

    article = load_article(folder)
    return resolve_style(None, article.metadata.csl, article.folder, article.source)


def ours(source: Path, slug: str, out: Path, env: dict[str, str] | None = None) -> Sample:
    shutil.rmtree(out, ignore_errors=True)
    command = [str(PUBPIPE), "-q", "build", slug, "--formats", FORMATS, "--source", str(source), "--build", str(out)]
    return run(command, env=clean_env({"PUBPIPE_ROOT": str(ROOT), **(env or {})}))[0]


def pandoc_route(folder: Path, out: Path, extra_flags: tuple[str, ...] = ()) -> dict[str, Sample]:
    """pandoc three times, as its manual shows; the article's front matter names its bibliography."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    base = [pandoc_binary(), "article.md", "--citeproc", f"--csl={style_of(folder)}", "--standalone", *extra_flags]
    steps = {}
    for name, extra in (("html", []), ("epub", []), ("pdf", ["--pdf-engine=weasyprint"])):
        steps[name] = run([*base, *extra, "-o", str(out / f"article.{name}")], cwd=folder)[0]
    return steps


def compare(source: Path, slug: str, label: str, runs: int, warmup: int, pandoc_flags: tuple[str, ...] = ()) -> dict:
    """Ours and the pandoc route, alternating who goes first, after `warmup` unrecorded pairs."""
    folder = source / slug
    mine: list[Sample] = []
    theirs: dict[str, list[Sample]] = {"html": [], "epub": [], "pdf": []}
    for index in range(warmup + runs):
        order = ("ours", "pandoc") if index % 2 == 0 else ("pandoc", "ours")
        for who in order:
            if who == "ours":
                sample = ours(source, slug, BENCH / label / "ours")
                if index >= warmup:
                    mine.append(sample)
            else:
                steps = pandoc_route(folder, BENCH / label / "pandoc", pandoc_flags)
                if index >= warmup:
                    for name, sample in steps.items():
                        theirs[name].append(sample)
        print(f"  {label}: run {index + 1}/{warmup + runs}{' (warm-up)' if index < warmup else ''}", flush=True)
    totals = [add(add(h, e), p) for h, e, p in zip(theirs["html"], theirs["epub"], theirs["pdf"])]
    ratios = [m.wall / t.wall for m, t in zip(mine, totals)]
    return {
        "ours": summary(mine),
        "pandoc_route": {**summary(totals), "steps": {name: summary(samples) for name, samples in theirs.items()}},
        "ratio": round(statistics.median(s.wall for s in mine) / statistics.median(t.wall for t in totals), 3),
        "ratio_per_pair": {"median": round(statistics.median(ratios), 3), "min": round(min(ratios), 3), "max": round(max(ratios), 3)},
        # The fastest run of each side: the least disturbed by other work on a shared machine.
        "ratio_of_fastest": round(min(s.wall for s in mine) / min(t.wall for t in totals), 3),
    }


# ---------------------------------------------------------------- the steps of one build, one by one

STEP_SCRIPT = r"""
import json, os, resource, sys, threading, time
from pathlib import Path
sys.path.insert(0, {bench_dir!r})
from bench import tree_rss
folder, build = Path(sys.argv[1]), Path(sys.argv[2])
from pubpipe.editions import default_options
from pubpipe.build import build_article, prepare
results = {{}}
def measure(name, work):
    seen_before = {{}}
    peak = [tree_rss(os.getpid(), seen_before)]
    seen = dict(seen_before)
    done = threading.Event()
    def sample():
        while not done.wait(0.005):
            peak[0] = max(peak[0], tree_rss(os.getpid(), seen))
    sampler = threading.Thread(target=sample, daemon=True); sampler.start()
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    started = time.perf_counter()
    value = work()
    wall = time.perf_counter() - started
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    done.set(); sampler.join()
    tree_rss(os.getpid(), seen)
    # The kernel's count misses the sandboxed processes (see TreeSampler); the samples see them.
    cpu = max(sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before)),
              sum(seconds - seen_before.get(pid, 0) for pid, seconds in seen.items()))
    results[name] = {{"wall": wall, "cpu": cpu, "peak_mib": peak[0] / 1048576}}
    return value
options = default_options()
prepared = measure("resolve", lambda: prepare(folder, options, build))
for name in ("html", "epub"):
    measure(name, lambda: build_article(folder, [name], build, options, prepared))
from pubpipe.editions.pdf import start_worker
from pubpipe.runtime.layout import Job
def worker_ready():  # started, WeasyPrint imported and warmed up: a no-op job waits behind the warm-up
    worker = start_worker()
    worker.result(worker.submit(Job(int), what="a no-op"), 120)
measure("layout worker ready", worker_ready)
measure("pdf", lambda: build_article(folder, ["pdf"], build, options, prepared))
print(json.dumps(results))
"""


def steps(source: Path, slug: str, runs: int) -> dict:
    """Each step of one build in turn, in one process, so each figure is that step alone."""
    script = BENCH / "steps.py"
    script.write_text(STEP_SCRIPT.format(bench_dir=str(Path(__file__).parent)))
    collected: dict[str, list[Sample]] = {}
    out = BENCH / "steps" / "out"
    for index in range(runs + 1):
        shutil.rmtree(out, ignore_errors=True)
        result = subprocess.run([sys.executable, str(script), str(source / slug), str(out)], env=clean_env({"PUBPIPE_ROOT": str(ROOT)}),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"bench: the step runner failed:\n{result.stderr[-2000:]}")
        if index == 0:
            continue  # warm-up
        for name, figures in json.loads(result.stdout.strip().splitlines()[-1]).items():
            collected.setdefault(name, []).append(Sample(figures["wall"], figures["cpu"], figures["peak_mib"]))
    return {name: summary(samples) for name, samples in collected.items()}


def check_step(source: Path, slug: str, runs: int) -> dict:
    """`pubpipe check` on freshly built editions, next to the slowest validator run alone."""
    help_status = subprocess.run([str(PUBPIPE), "check", "--help"], capture_output=True, env=clean_env()).returncode
    if help_status != 0:
        return {"missing": "pubpipe check does not exist yet"}
    out = BENCH / "check" / "out"
    ours(source, slug, out)
    env = clean_env({"PUBPIPE_ROOT": str(ROOT)})
    samples, statuses = [], []
    for _ in range(runs):
        shutil.rmtree(out / CHECK_CACHE, ignore_errors=True)  # each run checks the editions afresh
        sample, status, _stderr = run([str(PUBPIPE), "-q", "check", slug, "--source", str(source), "--build", str(out)], env=env, check=False)
        samples.append(sample)
        statuses.append(status)
    validators = validator_times(out / slug, slug, runs)
    reported = out / slug / "check.json"
    inside = json.loads(reported.read_text()).get("timings_seconds") if reported.is_file() else None
    jobs = {name: stats for name, stats in validators.items() if name != STOCK_EPUBCHECK}
    slowest = max(jobs.items(), key=lambda item: item[1]["wall_s"]["median"]) if jobs else None
    result = {**summary(samples), "exit_status": statuses, "validators_alone": validators, "check_json_timings_s": inside}
    if slowest:
        result["slowest_validator"] = slowest[0]
        result["over_slowest_s"] = round(result["wall_s"]["median"] - slowest[1]["wall_s"]["median"], 3)
    if STOCK_EPUBCHECK in validators:
        result["over_stock_epubcheck_s"] = round(result["wall_s"]["median"] - validators[STOCK_EPUBCHECK]["wall_s"]["median"], 3)
    return result


def validator_times(folder: Path, slug: str, runs: int) -> dict:
    """Each validator job that `pubpipe check` runs, alone on one article, with the command line
    check gives it. `epubcheck (stock)` is EPUBCheck as its README runs it, for reference; it is not
    one of check's jobs and does not count as the slowest."""
    from pubpipe.runtime import jvm_start, tools

    epub, html = folder / f"{slug}.epub", folder / f"{slug}.html"
    commands = {
        "epubcheck": [*jvm_start.epubcheck_batch_command(), os.devnull, str(epub)],
        "nu": [*jvm_start.nu_command(), "--format", "json", "--also-check-css", str(html)],
        # Ace and axe share one Node process and browser; this figure includes a Python start (about 0.1 s).
        "ace+axe": [sys.executable, "-c", "from pubpipe.check.accessibility import run_accessibility; "
                    f"run_accessibility({str(epub)!r}, {str(html)!r})"],
        STOCK_EPUBCHECK: [tools.java(), "-jar", str(tools.epubcheck_jar()), str(epub), "--json", "-"],
    }
    results = {}
    for name, command in commands.items():
        samples = []
        for _ in range(runs):
            sample, status, stderr = run(command, env=clean_env({"PUBPIPE_ROOT": str(ROOT)}), check=False)
            if status not in (0, 1):  # 1: the validator found something, which still times it
                print(f"  {name} failed ({status}): {stderr[-300:]}", flush=True)
            samples.append(sample)
        results[name] = summary(samples)
    return results


# ---------------------------------------------------------------- the sandbox's cost

def sandbox_cost(source: Path, slug: str, runs: int) -> dict:
    """The cold build with the OS sandbox and without (PUBPIPE_SANDBOX=off), alternating run by run,
    and what one sandbox start costs: `true` under bwrap with pandoc's view, against plain `true`."""
    from pubpipe.runtime import sandbox

    if not sandbox.available():
        return {"missing": "this machine cannot sandbox"}
    builds: dict[str, list[Sample]] = {"on": [], "off": []}
    for index in range(runs + 1):
        for mode in (("on", "off") if index % 2 == 0 else ("off", "on")):
            sample = ours(source, slug, BENCH / "sandbox" / mode, env={sandbox.MODE_VAR: "auto" if mode == "on" else "off"})
            if index:  # the first pair is a warm-up
                builds[mode].append(sample)
    pandoc_view = sandbox.wrap(["true"], read_only=[source / slug], tools=False)
    starts = {"bwrap": [], "plain": []}
    for _ in range(max(20, runs * 4)):
        starts["bwrap"].append(measure(pandoc_view)[0])
        starts["plain"].append(measure(["true"])[0])
    on, off = (statistics.median(s.wall for s in builds[mode]) for mode in ("on", "off"))
    start = statistics.median(s.wall for s in starts["bwrap"]) - statistics.median(s.wall for s in starts["plain"])
    cpu = statistics.median(s.cpu for s in builds["on"]) - statistics.median(s.cpu for s in builds["off"])
    return {"on": summary(builds["on"]), "off": summary(builds["off"]), "build_overhead_s": round(on - off, 4),
            "build_overhead_cpu_s": round(cpu, 4),
            "start": summary(starts["bwrap"]), "start_overhead_s": round(start, 4)}


def stress(runs: int) -> dict:
    """scripts/stress_interrupt.py: builds interrupted at random moments; its last line is the verdict."""
    result = subprocess.run([sys.executable, str(Path(__file__).parent / "stress_interrupt.py"), "--runs", str(runs)],
                            env=clean_env(), capture_output=True, text=True)
    lines = result.stdout.strip().splitlines()
    return {"runs": runs, "status": result.returncode, "verdict": lines[-1] if lines else result.stderr[-500:]}


# ---------------------------------------------------------------- generated inputs

FRONT = re.compile(r"\A---\n(.*?\n)(?:---|\.\.\.)\n", re.DOTALL)


def scaled_article(times: int) -> tuple[Path, str]:
    """The canonical article with its body `times` over; note labels and ids made unique per copy."""
    source = BENCH / "scaled" / "source"
    slug = f"{CANONICAL}-x{times}"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(ROOT / "source" / CANONICAL, source / slug)
    text = (source / slug / "article.md").read_text(encoding="utf-8")
    front = FRONT.match(text)
    body = text[front.end():]
    copies = []
    for index in range(1, times + 1):
        copy = re.sub(r"\[\^([^\]\s]+)\]", lambda m: f"[^{m.group(1)}-{index}]", body)
        copy = re.sub(r"\{#([\w:.-]+)", lambda m: f"{{#{m.group(1)}-{index}", copy)
        copies.append(copy)
    (source / slug / "article.md").write_text(text[: front.end()] + "\n\n".join(copies), encoding="utf-8")
    return source, slug


def math_articles(display: int, inline: int) -> tuple[Path, str, str]:
    """An article with `display` display formulas (every other one numbered and referred to) and
    `inline` inline ones, all different, and its twin with each formula replaced by a word: the
    difference between their builds is what the formulas cost."""
    source = BENCH / "math" / "source"
    shutil.rmtree(source, ignore_errors=True)
    paragraphs, plain = [], []
    per_paragraph = max(1, inline // max(display, 1))
    count = 0
    for index in range(display):
        inlines = [f"$x_{{{count + k}}}^2 + \\alpha_{{{k}}}$" for k in range(per_paragraph)]
        count += per_paragraph
        words = " and ".join(inlines)
        label = f" {{#eq:f{index}}}" if index % 2 == 0 else ""
        reference = f", as in @eq:f{index - 2}" if index % 2 == 0 and index >= 2 else ""
        paragraphs.append(f"The terms {words} enter the sum{reference}:\n\n"
                          f"$$ \\sum_{{k=1}}^{{{index + 2}}} \\frac{{a_k}}{{k^{{{index % 7 + 1}}}}} = \\int_0^{{{index + 1}}} f(t)\\,dt $${label}\n")
        plain.append(f"The terms {' and '.join(['term'] * per_paragraph)} enter the sum:\n\nA sum equals an integral.\n")
    front = "---\ntitle: Many Formulas\nauthor: A. Writer\ndate: 2024-01-01\nlang: en\n---\n\n"
    for slug, body in (("math-many", paragraphs), ("math-none", plain)):
        (source / slug).mkdir(parents=True)
        (source / slug / "article.md").write_text(front + "\n".join(body), encoding="utf-8")
    return source, "math-many", "math-none"


def renderer_starts(source: Path, slug: str) -> int:
    """How many times one build started MathJax (untimed; from the build's own -v report)."""
    out = BENCH / "math" / "count"
    shutil.rmtree(out, ignore_errors=True)
    result = subprocess.run([str(PUBPIPE), "-v", "build", slug, "--formats", FORMATS, "--source", str(source), "--build", str(out)],
                            env=clean_env({"PUBPIPE_ROOT": str(ROOT)}), capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bench: building {slug} failed:\n{result.stderr[-2000:]}")
    return len(re.findall(r"MathJax drew \d+ formulas", result.stdout))


def math_cost(display: int, inline: int, runs: int) -> dict:
    """The cold build of an article with formulas against its twin without, alternating, and
    pandoc's own route on it with --mathml."""
    source, many, none = math_articles(display, inline)
    twin: list[Sample] = []
    for index in range(runs + 1):
        sample = ours(source, none, BENCH / "math" / "twin")
        if index:
            twin.append(sample)
        print(f"  math: the twin without formulas, run {index + 1}/{runs + 1}", flush=True)
    result = compare(source, many, "math", runs, warmup=1, pandoc_flags=("--mathml",))
    added = result["ours"]["wall_s"]["median"] - statistics.median(s.wall for s in twin)
    return {"display": display, "inline": inline, "twin": summary(twin), **result, "added_s": round(added, 3),
            "renderer_starts": {"with_formulas": renderer_starts(source, many), "without": renderer_starts(source, none),
                                "canonical": renderer_starts(ROOT / "source", CANONICAL)}}


def project(name: str, articles: dict[str, Path]) -> Path:
    """A project folder that shares this checkout's code and tools, with its own source/ and build/."""
    folder = BENCH / name
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "source").mkdir(parents=True)
    for entry in ("Makefile", "pyproject.toml", "scripts", "styles", ".venv", ".tools"):
        (folder / entry).symlink_to(ROOT / entry)
    for slug, original in articles.items():
        shutil.copytree(original, folder / "source" / slug)
    return folder


def make(folder: Path, *arguments: str, check: bool = True) -> tuple[Sample, int, str]:
    return run(["make", "-C", str(folder), *arguments], env=clean_env(), check=check)


def folder_jobs(count: int, runs: int) -> dict:
    """make -j1 against make -j2 on a folder of `count` articles, alternating, from a clean build/."""
    articles = {}
    for index in range(count):
        original = ROOT / "source" / CANONICAL if index % 2 == 0 else FIXTURE
        articles[f"{original.name}-{index + 1:02d}"] = original
    folder = project("folder", articles)
    results: dict[str, list[Sample]] = {"j1": [], "j2": []}
    for index in range(runs):
        for jobs in (("1", "2") if index % 2 == 0 else ("2", "1")):
            shutil.rmtree(folder / "build", ignore_errors=True)
            results[f"j{jobs}"].append(make(folder, f"-j{jobs}")[0])
            print(f"  folder of {count}: make -j{jobs}, run {index + 1}/{runs}", flush=True)
    j1, j2 = (statistics.median(s.wall for s in results[key]) for key in ("j1", "j2"))
    return {"articles": count, "j1": summary(results["j1"]), "j2": summary(results["j2"]), "speedup": round(j1 / j2, 3),
            "project": folder}


def folder_check(sizes: list[int], runs: int) -> dict:
    """`make check` over a folder that grows (5, 10, 15, 20 articles), each time from an empty
    check cache, so every validator checks every edition: the per-article figure shows whether
    the check scales. Then `make check` again with nothing changed, which the cache answers."""
    articles = {}
    for index in range(max(sizes)):
        original = ROOT / "source" / CANONICAL if index % 2 == 0 else FIXTURE
        articles[f"{original.name}-{index + 1:02d}"] = original
    folder = project("check-folder", {})
    results: dict = {"sizes": {}}
    for size in sizes:
        for slug, original in list(articles.items())[:size]:
            if not (folder / "source" / slug).exists():
                shutil.copytree(original, folder / "source" / slug)
        make(folder, "all", "press")  # every file `make check` checks, untimed: the check alone is timed
        samples = []
        for index in range(runs):
            shutil.rmtree(folder / "build" / CHECK_CACHE, ignore_errors=True)
            samples.append(make(folder, "check")[0])
            print(f"  make check over {size} articles, run {index + 1}/{runs}", flush=True)
        stats = summary(samples)
        stats["per_article_s"] = round(stats["wall_s"]["median"] / size, 3)
        stats["per_article_cpu_s"] = round(stats["cpu_s"]["median"] / size, 3)
        results["sizes"][size] = stats
    again = [make(folder, "check")[0] for _ in range(max(3, runs))]
    results["again"] = summary(again)
    results["articles"] = max(sizes)
    results["parts"] = check_parts(folder)
    return results


def check_parts(folder: Path) -> dict:
    """Where the time of `make check` over a folder goes: each of its jobs alone on all the
    folder's editions, as check runs it (the comparison from an empty check cache, then each
    validator job), with CPU seconds counted over the whole process tree. Their CPU over the
    machine's cores is the least wall time any schedule of the same work could reach."""
    slugs = sorted(path.name for path in (folder / "source").iterdir() if path.is_dir())
    editions = {kind: [str(folder / "build" / slug / f"{slug}.{kind}") for slug in slugs] for kind in ("epub", "html")}
    files = {kind: f"[Path(name) for name in {paths!r}]" for kind, paths in editions.items()}
    prelude = "from pathlib import Path; from pubpipe.check import accessibility, validators; "
    jobs = {
        "epubcheck": f"validators.run_epubcheck_many({files['epub']})",
        "nu": f"validators.run_nu_many({files['html']})",
        "ace": f"accessibility.run_accessibility_many({files['epub']}, [])",
        "axe": f"accessibility.run_accessibility_many([], {files['html']})",
    }
    shutil.rmtree(folder / "build" / CHECK_CACHE, ignore_errors=True)
    parts = {"comparison": run([str(PUBPIPE), "-q", "check", "--no-validators"], cwd=folder, check=False)[0]}
    for name, call in jobs.items():
        parts[name] = run([sys.executable, "-c", prelude + call], cwd=folder, env=clean_env({"PUBPIPE_ROOT": str(folder)}))[0]
    shutil.rmtree(folder / "build" / CHECK_CACHE, ignore_errors=True)
    cpu = sum(sample.cpu for sample in parts.values())
    return {"articles": len(slugs), "jobs": {name: summary([sample]) for name, sample in parts.items()},
            "cpu_s": round(cpu, 2), "cores": os.cpu_count(), "least_wall_s": round(cpu / (os.cpu_count() or 1), 2)}


def noop(folder: Path, runs: int) -> dict:
    """`make` with nothing to do, timed; and proof that it starts no Python (its one recipe is the
    summary, a shell script that finds nothing to report)."""
    make(folder)  # up to date first
    samples = [make(folder)[0] for _ in range(runs)]
    question = make(folder, "-q", check=False)[1]
    executed = []
    if shutil.which("strace"):
        with tempfile.NamedTemporaryFile("r") as trace:
            subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace.name, "make", "-C", str(folder)],
                           env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            executed = sorted({m.group(1) for m in re.finditer(r'execve\("([^"]+)"', trace.read())})
    return {**summary(samples), "make_q_status": question, "programs_started": executed,
            "python_started": any("python" in path or "pubpipe" in path for path in executed)}


# ---------------------------------------------------------------- course packs and the catalog

def pack_project(name: str, count: int) -> Path:
    """A project of `count` articles (the canonical and the fixture in turn, two pages each) and
    one pack of all of them, in that order."""
    articles = {}
    for index in range(count):
        original = ROOT / "source" / CANONICAL if index % 2 == 0 else FIXTURE
        articles[f"{original.name}-{index + 1:03d}"] = original
    folder = project(name, articles)
    (folder / "packs").mkdir()
    lines = ["title: A Bench Volume", "editor: The Bench", "date: 2026-01-01", "articles:", *(f"  - {slug}" for slug in articles)]
    (folder / "packs" / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _edit(folder: Path, slug: str, round_number: int) -> None:
    """A one-word change in one article, different at every round."""
    article = folder / "source" / slug / "article.md"
    text = article.read_text(encoding="utf-8")
    text = re.sub(r"\n\nEdited for the bench, round \d+\.\n?$", "", text)
    article.write_text(text + f"\n\nEdited for the bench, round {round_number}.\n", encoding="utf-8")


def packs(count: int, small: int, runs: int) -> dict:
    """A pack of `count` articles: cold `make pack` against building the same articles alone (the
    same editions and handouts), a rebuild after one article changes against that article's own
    build, and peak memory at `small` and `count` articles."""
    folder = pack_project("pack", count)
    alone, cold, alone_editions, cold_editions = [], [], [], []
    for index in range(runs):
        shutil.rmtree(folder / "build", ignore_errors=True)
        alone.append(make(folder, "all", "handout")[0])
        shutil.rmtree(folder / "build", ignore_errors=True)
        alone_editions.append(make(folder, "all")[0])
        shutil.rmtree(folder / "build", ignore_errors=True)
        cold.append(make(folder, "pack", "PACK=bench")[0])
        shutil.rmtree(folder / "build", ignore_errors=True)
        cold_editions.append(run([str(PUBPIPE), "-q", "pack", "bench", "--formats", "pdf,epub,html"], cwd=folder)[0])
        print(f"  pack of {count}: cold, run {index + 1}/{runs}", flush=True)
    make(folder, "pack", "PACK=bench")
    changed = sorted(path.parent.name for path in (folder / "source").glob("*/article.md"))[count // 2]
    rebuild, own = [], []
    for index in range(runs):
        _edit(folder, changed, 2 * index)
        rebuild.append(make(folder, "pack", "PACK=bench")[0])
        _edit(folder, changed, 2 * index + 1)
        own.append(make(folder, f"ARTICLE={changed}", "all", "handout")[0])
        print(f"  pack of {count}: one article changed, run {index + 1}/{runs}", flush=True)
    small_folder = pack_project("pack-small", small)
    small_cold = [make(small_folder, "pack", "PACK=bench")[0]]
    pages = 0
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(folder / "build" / "packs" / "bench" / "bench.pdf").pages)
    except Exception:  # the figure only labels the row
        pass
    median = lambda samples: statistics.median(s.wall for s in samples)  # noqa: E731
    return {
        "articles": count, "small": small, "pages": pages, "changed": changed,
        "alone": summary(alone), "cold": summary(cold), "ratio": round(median(cold) / median(alone), 3),
        "alone_editions": summary(alone_editions), "cold_editions": summary(cold_editions),
        "ratio_editions": round(median(cold_editions) / median(alone_editions), 3),
        "rebuild": summary(rebuild), "own": summary(own),
        "rebuild_limit_s": round(GOALS["pack_change_factor"] * median(own) + GOALS["pack_change_extra_s"], 3),
        "small_cold": summary(small_cold),
    }


def catalog(entries: int, runs: int) -> dict:
    """`pubpipe catalog` over `entries` publications: real editions of the canonical article,
    copied under `entries` slugs, each EPUB given its own title and identifier."""
    import zipfile

    folder = BENCH / "catalog"
    shutil.rmtree(folder, ignore_errors=True)
    template = folder / "template"
    run([str(PUBPIPE), "-q", "build", CANONICAL, "--source", str(ROOT / "source"), "--build", str(template)])
    built = template / CANONICAL
    build = folder / "build"
    with zipfile.ZipFile(built / f"{CANONICAL}.epub") as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    for index in range(entries):
        slug = f"entry-{index:04d}"
        target = build / slug
        target.mkdir(parents=True)
        for suffix in (".pdf", ".html", "-cover.png", "-thumbnail.png"):
            shutil.copyfile(built / f"{CANONICAL}{suffix}", target / f"{slug}{suffix}")
        with zipfile.ZipFile(target / f"{slug}.epub", "w") as out:
            for info, data in members:
                if info.filename.endswith(".opf"):
                    text = data.decode("utf-8").replace("Soviet Relations with Pakistan", f"Entry {index}: Soviet Relations")
                    data = re.sub(r"urn:uuid:[0-9a-f-]+", f"urn:uuid:00000000-0000-4000-8000-{index:012d}", text).encode("utf-8")
                out.writestr(info, data)
    samples = []
    for index in range(runs):
        shutil.rmtree(build / "opds", ignore_errors=True)
        samples.append(run([str(PUBPIPE), "-q", "catalog", "--build", str(build)])[0])
    listed = (build / "opds" / "catalog.xml").read_text(encoding="utf-8").count("<entry>")
    return {"entries": entries, "listed": listed, **summary(samples)}


# ---------------------------------------------------------------- the watcher

def watch(edits: int) -> dict:
    """Edit a copy of the canonical article while `pubpipe watch` runs; time the served HTML and the PDF."""
    source = BENCH / "watch" / "source"
    shutil.rmtree(BENCH / "watch", ignore_errors=True)
    shutil.copytree(ROOT / "source" / CANONICAL, source / CANONICAL)
    article = source / CANONICAL / "article.md"
    command = [str(PUBPIPE), "watch", CANONICAL, "--source", str(source), "--build", str(BENCH / "watch" / "out"), "--port", "0"]
    process = subprocess.Popen(command, env=clean_env({"PUBPIPE_ROOT": str(ROOT)}), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    html_after, all_after, reported = [], [], []
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            raise SystemExit(f"bench: the watcher did not start: {line}{process.stdout.read()}")
        said: list[str] = []
        threading.Thread(target=lambda: said.extend(process.stdout), daemon=True).start()  # keep its pipe drained
        base = f"http://127.0.0.1:{match.group(1)}"

        def status() -> dict:
            with urllib.request.urlopen(base + "/__pubpipe__/status", timeout=5) as response:
                return json.load(response)

        def wait(condition, what: str, limit: float = 60):
            deadline = time.monotonic() + limit
            while time.monotonic() < deadline:
                value = condition()
                if value:
                    return value
                time.sleep(0.005)
            raise SystemExit(f"bench: the watcher did not show {what} within a minute; it said:\n{''.join(said)[-3000:]}")

        wait(lambda: status().get("rebuilds", 0) >= 1, "its first build")
        for index in range(edits):
            word = f"benchedit{index}x{os.getpid()}"
            before = status()
            text = article.read_text(encoding="utf-8")
            front = FRONT.match(text)  # each edit puts a new word at the head of the first paragraph
            article.write_text(text[: front.end()] + re.sub(r"\A(\s*)", rf"\1{word} ", text[front.end():], count=1), encoding="utf-8")
            saved = time.time()
            wait(lambda: word in urllib.request.urlopen(base + f"/{CANONICAL}.html", timeout=5).read().decode("utf-8"), "the edit")
            html_after.append(time.time() - saved)
            final = wait(lambda: (s := status()).get("pdf", 0) > before.get("pdf", 0) and s, "the new PDF")
            all_after.append(time.time() - saved)
            reported.append(final.get("seconds_after_save", {}))
            time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stat(values):
        return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}

    return {"edits": edits, "html_served_after_save_s": stat(html_after), "all_built_after_save_s": stat(all_after),
            "watcher_reported": reported}


# ---------------------------------------------------------------- report

def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        memory = int(handle.readline().split()[1]) // 1024
    import weasyprint

    pandoc = subprocess.run([pandoc_binary(), "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"cpu": model, "cores": os.cpu_count(), "memory_mib": memory, "kernel": platform.release(),
            "python": platform.python_version(), "pandoc": pandoc, "weasyprint": weasyprint.__version__,
            "load_average_at_start": os.getloadavg()}


def fmt(stats: dict, key: str = "wall_s", unit: str = "s") -> str:
    s = stats[key]
    return f"{s['median']:.3f} {unit} ({s['min']:.3f}–{s['max']:.3f})"


def table(report: dict) -> str:
    rows = [("", "wall: median (min–max)", "CPU", "peak", "goal", "")]

    def row(label, stats, goal="", verdict=""):
        rows.append((label, fmt(stats), f"{stats['cpu_s']['median']:.2f} s", f"{stats['peak_mib']['median']:.0f} MiB", goal, verdict))

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    c = report.get("canonical")
    if c:
        row("canonical: ours (3 editions)", c["ours"])
        row("canonical: pandoc route", c["pandoc_route"])
        for name, stats in c["pandoc_route"]["steps"].items():
            row(f"  pandoc -> {name}", stats)
        rows.append(("canonical: ratio ours/pandoc", f"{c['ratio']:.3f} (pairs {c['ratio_per_pair']['min']:.2f}–{c['ratio_per_pair']['max']:.2f}, fastest {c['ratio_of_fastest']:.2f})",
                     "", "", f"<= {GOALS['cold_ratio']}", verdict(c["ratio"] <= GOALS["cold_ratio"])))
    for name, stats in report.get("steps", {}).items():
        row(f"  step: {name}", stats)
    b = report.get("sandbox")
    if b and "missing" in b:
        rows.append(("sandbox", b["missing"], "", "", "", ""))
    elif b:
        row("sandbox: cold build, sandboxed", b["on"])
        row("sandbox: cold build, PUBPIPE_SANDBOX=off", b["off"])
        rows.append(("sandbox: cost per build", f"{b['build_overhead_s'] * 1000:+.0f} ms", f"{b['build_overhead_cpu_s'] * 1000:+.0f} ms", "",
                     f"<= {GOALS['sandbox_s'] * 1000:.0f} ms",
                     verdict(b["build_overhead_s"] <= GOALS["sandbox_s"])))
        rows.append(("  one sandbox start (bwrap true)", f"{b['start_overhead_s'] * 1000:+.1f} ms over plain true", "", "", "", ""))
    k = report.get("check")
    if k:
        if "missing" in k:
            rows.append(("  step: check", k["missing"], "", "", "", ""))
        else:
            row("  step: check (pubpipe check)", k, f"<= slowest + {GOALS['check_over_slowest_s']:g} s",
                verdict(k.get("over_slowest_s", 99) <= GOALS["check_over_slowest_s"]))
            if "over_stock_epubcheck_s" in k:
                rows.append(("    over stock EPUBCheck alone", f"{k['over_stock_epubcheck_s']:+.3f} s", "", "",
                             f"<= +{GOALS['check_over_slowest_s']:g} s", verdict(k["over_stock_epubcheck_s"] <= GOALS["check_over_slowest_s"])))
            for name, stats in k["validators_alone"].items():
                row(f"    {name} alone", stats)
    fc = report.get("check_folder")
    if fc:
        for size, stats in fc["sizes"].items():
            goal = f"<= {GOALS['check_folder_s']:g} s" if int(size) == 20 else ""
            row(f"make check, {size} articles ({stats['per_article_s']:.2f} s, {stats.get('per_article_cpu_s', 0):.2f} s CPU each)",
                stats, goal, verdict(stats["wall_s"]["median"] <= GOALS["check_folder_s"]) if goal else "")
        parts = fc.get("parts")
        if parts:
            for name, stats in parts["jobs"].items():
                row(f"  {name} alone on {parts['articles']} articles", stats)
            rows.append((f"  their CPU over {parts['cores']} cores: least wall", f"{parts['least_wall_s']:.1f} s "
                         f"({parts['cpu_s']:.1f} s CPU)", "", "", "(shown)", ""))
        row(f"make check again, {fc['articles']} unchanged", fc["again"], f"<= {GOALS['check_again_s']:g} s",
            verdict(fc["again"]["wall_s"]["median"] <= GOALS["check_again_s"]))
    s = report.get("scaled")
    if s:
        row(f"scaled x{s['times']} ({s['pages']} pages): ours", s["ours"], f"< {GOALS['scaled_peak_mib']} MiB",
            verdict(s["ours"]["peak_mib"]["max"] < GOALS["scaled_peak_mib"]))
        row(f"scaled x{s['times']}: pandoc route", s["pandoc_route"])
        rows.append((f"scaled x{s['times']}: ratio ours/pandoc", f"{s['ratio']:.3f} (fastest {s['ratio_of_fastest']:.2f})", "", "", f"<= {GOALS['scaled_ratio']}",
                     verdict(s["ratio"] <= GOALS["scaled_ratio"])))
    m = report.get("math")
    if m:
        starts = m["renderer_starts"]
        row(f"math: {m['display']} display + {m['inline']} inline, ours", m["ours"])
        row("math: the same without formulas", m["twin"])
        rows.append(("math: added by the formulas", f"{m['added_s']:+.3f} s", "", "", f"<= {GOALS['math_added_s']:g} s",
                     verdict(m["added_s"] <= GOALS["math_added_s"])))
        row("math: pandoc route --mathml", m["pandoc_route"])
        rows.append(("math: MathJax starts per build", f"{starts['with_formulas']} (without formulas {starts['without']}, "
                     f"canonical {starts['canonical']})", "", "", "1, and 0 without",
                     verdict(starts["with_formulas"] == GOALS["math_renderer_starts"] and starts["without"] == 0 == starts["canonical"])))
    f = report.get("folder")
    if f:
        row(f"folder of {f['articles']}: make -j1", f["j1"])
        row(f"folder of {f['articles']}: make -j2", f["j2"])
        rows.append(("folder: speed-up -j2 over -j1", f"{f['speedup']:.2f}x", "", "", f">= {GOALS['jobs_speedup']}x",
                     verdict(f["speedup"] >= GOALS["jobs_speedup"])))
    n = report.get("noop")
    if n:
        ok = n["wall_s"]["median"] <= GOALS["noop_s"] and n["make_q_status"] == 0 and not n["python_started"]
        row(f"no-op make ({f['articles'] if f else '?'} articles)", n, f"<= {GOALS['noop_s']} s, no Python", verdict(ok))
    t = report.get("stress")
    if t:
        rows.append((f"Ctrl-C at random, {t['runs']} builds", t["verdict"].removeprefix("stress: "), "", "", "never hangs",
                     verdict(t["status"] == 0)))
    w = report.get("watch")
    if w:
        h, a = w["html_served_after_save_s"], w["all_built_after_save_s"]
        rows.append(("watch: HTML served after save", f"{h['median']:.3f} s ({h['min']:.3f}–{h['max']:.3f})", "", "",
                     f"<= {GOALS['watch_html_s']} s", verdict(h["median"] <= GOALS["watch_html_s"])))
        rows.append(("watch: all three after save", f"{a['median']:.3f} s ({a['min']:.3f}–{a['max']:.3f})", "", "",
                     f"<= {GOALS['watch_all_s']} s", verdict(a["median"] <= GOALS["watch_all_s"])))
    pk = report.get("pack")
    if pk:
        row(f"pack of {pk['articles']} ({pk['pages']} pages): articles alone, editions + handouts", pk["alone"])
        row(f"pack of {pk['articles']}: cold make pack", pk["cold"], f"<= {GOALS['pack_peak_mib']} MiB",
            verdict(pk["cold"]["peak_mib"]["max"] <= GOALS["pack_peak_mib"]))
        rows.append(("  ratio pack / articles alone", f"{pk['ratio']:.3f}", "", "", f"<= {GOALS['pack_cold_ratio']}",
                     verdict(pk["ratio"] <= GOALS["pack_cold_ratio"])))
        row("  articles alone, editions only (make)", pk["alone_editions"])
        row("  pack, editions only (no handouts)", pk["cold_editions"])
        rows.append(("  ratio, editions only", f"{pk['ratio_editions']:.3f}", "", "", "(shown)", ""))
        row("pack: one article changed, make pack", pk["rebuild"], f"<= {pk['rebuild_limit_s']:.2f} s",
            verdict(pk["rebuild"]["wall_s"]["median"] <= pk["rebuild_limit_s"]))
        row("  that article alone (all handout)", pk["own"])
        growth = pk["cold"]["peak_mib"]["max"] / max(pk["small_cold"]["peak_mib"]["max"], 1)
        row(f"pack of {pk['small']}: cold make pack", pk["small_cold"], f"peak x{growth:.2f} to {pk['articles']} <= x{GOALS['pack_peak_growth']}",
            verdict(growth <= GOALS["pack_peak_growth"]))
    c = report.get("catalog")
    if c:
        row(f"catalog of {c['entries']} entries ({c['listed']} listed)", c, f"<= {GOALS['catalog_s']} s",
            verdict(c["wall_s"]["median"] <= GOALS["catalog_s"] and c["listed"] == c["entries"]))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def run_section(name: str, args, only: set[str], report: dict, source: Path) -> None:
    if name == "canonical":
        print("canonical article, ours against the pandoc route", flush=True)
        report["canonical"] = compare(source, CANONICAL, "canonical", args.runs, warmup=1)
    if name == "steps":
        print("the steps of one build", flush=True)
        report["steps"] = steps(source, CANONICAL, max(3, args.runs // 2))
    if name == "check":
        print("pubpipe check", flush=True)
        report["check"] = check_step(source, CANONICAL, args.check_runs)
    if name == "check-folder":
        sizes = [int(size) for size in args.check_sizes.split(",")]
        print(f"make check over a folder of {', '.join(map(str, sizes))} articles", flush=True)
        report["check_folder"] = folder_check(sizes, args.check_folder_runs)
    if name == "scaled":
        print(f"the canonical article {args.times} times over", flush=True)
        scaled_source, slug = scaled_article(args.times)
        result = compare(scaled_source, slug, "scaled", args.scaled_runs, warmup=0)
        import pypdfium2

        pages = len(pypdfium2.PdfDocument(str(BENCH / "scaled" / "ours" / slug / f"{slug}.pdf")))
        report["scaled"] = {"times": args.times, "pages": pages, **result}
    if name == "math":
        print(f"an article with {args.display_formulas} display and {args.inline_formulas} inline formulas", flush=True)
        report["math"] = math_cost(args.display_formulas, args.inline_formulas, args.math_runs)
    if name == "folder":
        print(f"a folder of {args.articles} articles", flush=True)
        folder = folder_jobs(args.articles, args.folder_runs)
        report["noop"] = noop(folder.pop("project"), 10)
        if "folder" in only:
            report["folder"] = folder
    if name == "watch":
        print("pubpipe watch", flush=True)
        report["watch"] = watch(args.edits)
    if name == "sandbox":
        print("the OS sandbox: builds with and without it", flush=True)
        report["sandbox"] = sandbox_cost(source, CANONICAL, args.runs)
    if name == "stress":
        print(f"Ctrl-C at random moments, {args.stress_runs} builds", flush=True)
        report["stress"] = stress(args.stress_runs)
    if name == "pack":
        print(f"a course pack of {args.pack_articles} articles", flush=True)
        report["pack"] = packs(args.pack_articles, args.pack_small, args.pack_runs)
    if name == "catalog":
        print(f"the OPDS catalog of {args.catalog_entries} entries", flush=True)
        report["catalog"] = catalog(args.catalog_entries, args.catalog_runs)


def main(argv: list[str] | None = None) -> int:
    global BENCH
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="recorded runs of the canonical comparison (after one warm-up)")
    parser.add_argument("--scaled-runs", type=int, default=5)
    parser.add_argument("--times", type=int, default=50, help="how many times longer the scaled article is")
    parser.add_argument("--folder-runs", type=int, default=2)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--check-runs", type=int, default=5)
    parser.add_argument("--check-sizes", default="5,10,15,20", help="folder sizes for `make check` over a folder")
    parser.add_argument("--check-folder-runs", type=int, default=2)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--stress-runs", type=int, default=200, help="interrupted builds for --only stress")
    parser.add_argument("--math-runs", type=int, default=5)
    parser.add_argument("--display-formulas", type=int, default=100)
    parser.add_argument("--inline-formulas", type=int, default=200)
    parser.add_argument("--pack-articles", type=int, default=100, help="articles in the benchmark's course pack")
    parser.add_argument("--pack-small", type=int, default=25, help="articles in the smaller pack, for memory growth")
    parser.add_argument("--pack-runs", type=int, default=1)
    parser.add_argument("--catalog-entries", type=int, default=1000)
    parser.add_argument("--catalog-runs", type=int, default=5)
    parser.add_argument("--only", default="canonical,steps,sandbox,check,check-folder,scaled,math,folder,noop,watch,pack,catalog",
                        help="comma-separated parts to run (also: stress, about ten minutes: builds interrupted at "
                        "random; a quick try of the pack rows: --only pack,catalog --pack-articles 4 --pack-small 2 "
                        "--catalog-entries 20; of the check rows: --only check-folder --check-sizes 1,2 --check-folder-runs 1)")
    parser.add_argument("--output", default=str(ROOT / "build" / "bench.json"))
    parser.add_argument("--scratch", default=str(ROOT / "build" / "bench"), help="folder for the benchmark's own articles and builds")
    args = parser.parse_args(argv)
    BENCH = Path(args.scratch).resolve()
    os.environ["PUBPIPE_ROOT"] = str(ROOT)
    only = set(args.only.split(","))
    BENCH.mkdir(parents=True, exist_ok=True)
    # Untimed, and here in the checkout itself: a stale set-up must neither be timed as part of a
    # build nor be redone from a benchmark project, whose linked .venv would leave its own path
    # in the installed scripts.
    make(ROOT, "setup")
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "goals": GOALS}
    source = ROOT / "source"
    for name in ("canonical", "steps", "sandbox", "check", "check-folder", "scaled", "math", "folder", "watch", "stress", "pack", "catalog"):
        if name in only or (name == "folder" and "noop" in only):
            try:
                run_section(name, args, only, report, source)
            except (SystemExit, OSError) as exc:  # one broken part must not lose the others' figures
                print(f"  {name} failed: {exc}", flush=True)
                report.setdefault("errors", {})[name] = str(exc)[-3000:]
    report["load_average_at_end"] = os.getloadavg()
    report["failed_attempts"] = FAILED_ATTEMPTS
    report["table"] = table(report)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print()
    print(report["table"])
    loads = report["machine"]["load_average_at_start"], report["load_average_at_end"]
    print(f"\nload average (1, 5, 15 min) at start {loads[0]}, at end {loads[1]}; "
          f"{report['machine']['cores']} cores: figures taken under load are slower on both sides")
    for name, error in report.get("errors", {}).items():
        print(f"\n{name} could not be measured: {error}")
    print(f"\nwritten: {args.output}")
    return 1 if report.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
