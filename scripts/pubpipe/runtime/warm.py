"""Loading WeasyPrint quickly, early, and once.

Importing WeasyPrint is the largest fixed cost of a PDF build (about 0.45 s here), and a third of
that is not Python at all: WeasyPrint opens pango, harfbuzz and fontconfig by trying up to six
spellings of each library name, and every spelling that misses makes cffi call
`ctypes.util.find_library`, which on Linux runs `ldconfig -p`, then `gcc`, then `ld` as
subprocesses. With the optional harfbuzz-vector library absent, that is about 50 subprocesses per
import. During the import only, `find_library` answers from one cached `ldconfig -p` listing, the
same source and the same pattern that ctypes tries first; a miss falls back to the standard search
when LD_LIBRARY_PATH or LIBRARY_PATH could add directories that the listing does not know.
"""

from __future__ import annotations

import ctypes.util
import functools
import os
import re
import struct
import subprocess
import sys
import threading

_lock = threading.Lock()

# The ABI tag of this interpreter in `ldconfig -p` lines, as ctypes.util spells it.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


@functools.cache
def _ldconfig_listing() -> bytes | None:
    try:
        result = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env={"LC_ALL": "C", "LANG": "C"},
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 and result.stdout else None


def _cached_find_library(standard):
    listing = _ldconfig_listing()
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = _ABI.get(machine, "libc6")
    extra_dirs = os.environ.get("LD_LIBRARY_PATH") or os.environ.get("LIBRARY_PATH")

    def find_library(name: str) -> str | None:
        pattern = os.fsencode(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), abi))
        found = re.search(pattern, listing)
        if found:
            return os.fsdecode(found.group(1))
        return standard(name) if extra_dirs else None

    return find_library


def import_weasyprint():
    """Import WeasyPrint (once per process) with the library look-ups answered from one listing."""
    with _lock:
        if "weasyprint" in sys.modules:
            return sys.modules["weasyprint"]
        standard = ctypes.util.find_library
        fast = sys.platform.startswith("linux") and _ldconfig_listing() is not None
        if fast:
            ctypes.util.find_library = _cached_find_library(standard)
        try:
            import weasyprint
        finally:
            ctypes.util.find_library = standard
    return weasyprint


def prewarm_weasyprint() -> threading.Thread:
    """Start importing WeasyPrint in a thread, so that it overlaps with pandoc's own process."""

    def load() -> None:
        try:
            import_weasyprint()
        except Exception:  # the PDF builder reports the real error when it imports it again
            pass

    thread = threading.Thread(target=load, name="import-weasyprint", daemon=True)
    thread.start()
    return thread


def warm_up_weasyprint() -> None:
    """Import WeasyPrint and lay out one line, for a process that renders many times.

    The first layout of a process pays once for fontconfig's set-up, pango's font map and cffi's
    parsing of the C types it meets; forked PDF renderers inherit all of that from the parent.
    """
    weasyprint = import_weasyprint()
    weasyprint.HTML(string="<p>pubpipe <i>warm</i> <b>up</b></p>").write_pdf()
