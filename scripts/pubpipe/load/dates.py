"""The article's date as a build timestamp (SOURCE_DATE_EPOCH): from `date:`, else from git."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

# The zip format cannot store dates before 1980; an article with no date and no history gets this.
FALLBACK_EPOCH = 315532800


def parse_date(value: str | None) -> int | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            parsed = dt.datetime.strptime(value.strip()[: len(dt.datetime(2000, 1, 1).strftime(pattern))], pattern)
        except ValueError:
            continue
        return int(parsed.replace(tzinfo=dt.timezone.utc).timestamp())
    return None


def git_commit_time(folder: Path) -> int | None:
    """The last commit time of the folder in the editor's repository.

    An article folder that carries its own `.git` is not asked: its config could make `git log`
    run a program (gpg.program with log.showSignature, for one).
    """
    if (folder / ".git").exists():
        return None
    try:
        result = subprocess.run(
            ["git", "-c", "log.showSignature=false", "log", "-1", "--no-show-signature", "--format=%ct", "--", "."],
            cwd=folder, capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None
