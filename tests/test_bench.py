"""`make bench` runs: its parts that the others build on, the cold build against pandoc's route and
each step of a build alone, end with their figures (a part that fails stops the bench, as the
step runner did when the build's `prepare` gained its cache folder). No figure is judged here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_canonical_comparison_and_the_steps_run_and_report_every_figure(tmp_path):
    report = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "--only", "canonical,steps", "--runs", "1",
                             "--scratch", str(tmp_path / "scratch"), "--output", str(report)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["canonical"]["ours"]["runs"] == 1 and figures["canonical"]["ratio"] > 0
    assert set(figures["steps"]) == {"resolve", "html", "epub", "layout worker ready", "pdf"}
    assert all(step["wall_s"]["median"] > 0 for step in figures["steps"].values())
    assert "step: pdf" in result.stdout and "canonical: ratio ours/pandoc" in result.stdout
