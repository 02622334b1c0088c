"""The time and memory limits of the tools, read from the environment when a build runs.

pandoc gets its limits from its own runtime (`+RTS -M`) and a subprocess timeout
(resolve/pandoc.py); the PDF layout from the layout worker (runtime/layout.py), which waits for it
with a timeout and sets RLIMIT_AS on itself for each job.
"""

from __future__ import annotations

import os

from pubpipe.errors import UsageError

PDF_TIME_LIMIT_VAR = "PUBPIPE_PDF_TIMEOUT"
PDF_MEMORY_LIMIT_VAR = "PUBPIPE_PDF_MEMORY"
DEFAULT_PDF_TIME_LIMIT = "120"
DEFAULT_PDF_MEMORY_LIMIT = "2G"
_UNITS = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str, variable: str) -> int:
    """'1G', '512M', '300000K' or a plain number of bytes."""
    value = text.strip().upper().removesuffix("B")
    factor = _UNITS.get(value[-1:], 1)
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        size = int(float(number) * factor)
    except ValueError:
        size = 0
    if size <= 0:
        raise UsageError(f"{variable} must be a size such as 2G or 512M, not {text!r}")
    return size


def parse_seconds(text: str, variable: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise UsageError(f"{variable} must be a number of seconds such as 120, not {text!r}")
    return seconds


def pdf_limits() -> tuple[float, int]:
    """(seconds, bytes) for WeasyPrint, read when a build runs so that tests and callers can set them.

    The bytes are a budget on top of what the layout worker has mapped when a job starts."""
    return (
        parse_seconds(os.environ.get(PDF_TIME_LIMIT_VAR, DEFAULT_PDF_TIME_LIMIT), PDF_TIME_LIMIT_VAR),
        parse_size(os.environ.get(PDF_MEMORY_LIMIT_VAR, DEFAULT_PDF_MEMORY_LIMIT), PDF_MEMORY_LIMIT_VAR),
    )
