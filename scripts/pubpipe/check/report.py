"""The check's report: `check.json` for machines, a short summary for people.

The terminal gets one line per check, then the differences, each with its code, the editions,
where in each edition, and the differing text in context.
"""

from __future__ import annotations

import json
from pathlib import Path

from pubpipe import console
from pubpipe.check.findings import CHECKS, Finding
from pubpipe.runtime.output import write_bytes_atomic


def write_json(path: Path, slug: str, findings: list[Finding], checks_run: list[str], timings: dict[str, float]) -> None:
    report = {
        "article": slug,
        "passed": not findings,
        "checks": {code: {"name": CHECKS[code], "findings": sum(f.code == code for f in findings)} for code in checks_run},
        "findings": [finding.to_json() for finding in findings],
        "timings_seconds": {name: round(value, 3) for name, value in timings.items()},
    }
    write_bytes_atomic(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def print_summary(slug: str, findings: list[Finding], checks_run: list[str]) -> None:
    console.info(f"check {slug}")
    for code in checks_run:
        count = sum(f.code == code for f in findings)
        editions = sorted({e for f in findings if f.code == code for e in f.editions if e not in ("source", "original")})
        status = "ok" if not count else f"FAIL ({count}: {', '.join(editions) or code})"
        console.info(f"  {code:<12} {CHECKS[code]:<22} {status}")
    for finding in findings:
        where = "; ".join(f"{edition} {place}" for edition, place in finding.where.items() if place)
        lines = [f"{finding.code} [{', '.join(finding.editions)}] {finding.message}" + (f" ({where})" if where else "")]
        if finding.expected:
            lines.append(f"    {finding.editions[0]}: {finding.expected}")
        if finding.found:
            lines.append(f"    {finding.editions[-1]}: {finding.found}")
        console.finding("\n".join(lines))
