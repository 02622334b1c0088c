"""`make corpus`: build and check every article of tests/corpus/, one line per article.

The corpus holds articles written in the forms other tools use (JOSS, Quarto, pandoc-scholar,
R Markdown, Zettlr, the Programming Historian…), listed with their convention in
tests/corpus/index.yaml. Each is built with the real `pubpipe build` into build/corpus/ (never the
editor's build/) and checked with `pubpipe check`, validators included. An article the index
marks `refused` must be refused with a message that names its file and line; one marked
`needs` depends on work not landed yet and may fail, and the line says why.

Usage: .venv/bin/python scripts/corpus.py [--no-validators] [slug ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
BUILD = ROOT / "build" / "corpus"
PUBPIPE = ROOT / ".venv" / "bin" / "pubpipe"
LOCATION = re.compile(r"[^/\s]+\.(?:md|markdown|qmd|Rmd|rmd):\d+")  # the article's file, by whatever name its tool gave it


def run(command: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PUBPIPE_ROOT": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def one(slug: str, entry: dict, validators: bool) -> tuple[str, bool]:
    started = time.perf_counter()
    built = run([str(PUBPIPE), "-q", "build", slug, "--source", str(CORPUS), "--build", str(BUILD)])
    expected = entry.get("expect", "clean")
    if built.returncode != 0:
        located = bool(LOCATION.search(built.stderr)) and "hint:" in built.stderr
        build = f"refused (exit {built.returncode})"
        good = expected == "refused" and located
        check = "-"
        errors = [line for line in built.stderr.splitlines() if line.startswith("error:")]
        why = errors[0][:240] if errors else ""
    else:
        build = "ok"
        command = [str(PUBPIPE), "-q", "check", slug, "--source", str(CORPUS), "--build", str(BUILD)]
        if not validators:
            command.append("--no-validators")
        checked = run(command)
        check = "ok" if checked.returncode == 0 else f"failed (exit {checked.returncode})"
        good = expected == "clean" and checked.returncode == 0
        why = "" if good else " | ".join(line.strip() for line in checked.stdout.splitlines() if line.startswith("✗"))[:200]
    if not good and entry.get("needs"):
        why = f"needs {entry['needs']}: {why}"
    seconds = time.perf_counter() - started
    mark = "ok " if good else ("…  " if entry.get("needs") else "NO ")
    line = f"{mark}{slug:<34} {entry.get('convention', ''):<24} {build:<18} {check:<18} {seconds:6.1f} s"
    if why and not good:
        line += f"\n      {why}"
    return line, good or bool(entry.get("needs"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--no-validators", action="store_true", help="compare the editions only")
    args = parser.parse_args(argv)
    index = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))
    slugs = args.slugs or sorted(index)
    print(f"   {'article':<34} {'convention':<24} {'build':<18} {'check':<18} {'time':>8}")
    results = []
    for slug in slugs:
        line, good = one(slug, index[slug], not args.no_validators)
        print(line, flush=True)
        results.append(good)
    print(f"{sum(results)} of {len(results)} as expected")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
