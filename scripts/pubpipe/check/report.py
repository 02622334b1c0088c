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


def write_json(path: Path, slug: str, findings: list[Finding], checks_run: list[str], timings: dict[str, float],
               cached: list[str] = (), checked_together: int = 1) -> None:
    """`cached`: the checks whose verdict came from an earlier run on the same bytes;
    `checked_together`: how many articles shared the validators' runs (and their timings)."""
    report = {
        "article": slug,
        "passed": not findings,
        "checks": {code: {"name": CHECKS[code], "findings": sum(f.code == code for f in findings)} for code in checks_run},
        "findings": [finding.to_json() for finding in findings],
        "cached": list(cached),
        "checked_together": checked_together,
        "timings_seconds": {name: round(value, 3) for name, value in timings.items()},
    }
    write_bytes_atomic(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def print_summary(slug: str, findings: list[Finding], checks_run: list[str], unchanged: bool = False) -> None:
    console.info(f"check {slug}" + (" (editions unchanged since the last check)" if unchanged else ""))
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def overall(checks) -> str:
    """One line for a run over several articles: how many passed, and which did not and why."""
    failed = [check for check in checks if check.error is None and check.findings]
    broken = [check for check in checks if check.error is not None]
    passed = len(checks) - len(failed) - len(broken)
    parts = [f"{passed} of {_count(len(checks), 'article')} passed"]
    if failed:
        parts.append("the editions do not agree in " + "; ".join(
            f"{check.slug} ({_count(len(check.findings), 'finding')}, see {check.report})" for check in failed))
    if broken:
        parts.append("could not check " + ", ".join(check.slug for check in broken))
    return "; ".join(parts)
