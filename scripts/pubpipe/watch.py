"""`pubpipe watch`: rebuild an article's editions as its sources change, and preview the HTML.

A long-running process pays the fixed costs once: the layout worker (pubpipe.runtime.layout) is
started at once, imports WeasyPrint and warms it up, and serves every rebuild; pypandoc's look-up
of pandoc is cached. Each change then costs one pandoc run and the rendering.

Changes are found by polling modification times, every 25 ms: an article folder holds a handful of
files, so a poll is a few dozen stat() calls, and polling needs no dependency and works on every
file system (inotify misses changes on network and some container mounts).

What is rebuilt: a change in the article's folder rebuilds every edition; a change of one
edition's own stylesheet (its module's STYLESHEET, e.g. web.css) rebuilds that edition only;
any other change in styles/ rebuilds every edition. Changes to pubpipe's own code are not picked
up: restart the watcher.

The HTML is put in place first, from the same resolved document as the other editions, so the
preview reloads before the PDF is done. Outside `watch`, `pubpipe build` keeps putting an
article's editions in place together.
"""

from __future__ import annotations

import importlib
import re
import signal
import stat
import threading
import time
from pathlib import Path
from typing import Any

from pubpipe import console
from pubpipe.editions import EDITIONS, output_path
from pubpipe.errors import PubpipeError, UsageError
from pubpipe.runtime.paths import styles_dir

POLL_SECONDS = 0.025
# Editors' swap, backup and lock files: saving in vim or emacs must not trigger a rebuild of its own.
EDITOR_DEBRIS = re.compile(r"^\.|~$|\.sw[a-p]$|^#.*#$|^4913$|\.part$|\.tmp$")

Snapshot = dict[Path, tuple[int, int]]


def snapshot(folders: list[Path]) -> Snapshot:
    """Modification time and size of every file under `folders` (editor debris left out)."""
    seen: Snapshot = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if EDITOR_DEBRIS.search(path.name) or any(part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            try:
                info = path.stat()
            except OSError:  # removed between the listing and the stat
                continue
            if not stat.S_ISDIR(info.st_mode):
                seen[path] = (info.st_mtime_ns, info.st_size)
    return seen


def changed_paths(before: Snapshot, after: Snapshot) -> set[Path]:
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def stylesheet_owners(formats: list[str]) -> dict[str, str]:
    """Stylesheet file name -> the one edition that reads it, from each edition module's STYLESHEET."""
    owners: dict[str, list[str]] = {}
    for name in formats:
        sheet = getattr(importlib.import_module(EDITIONS[name][0]), "STYLESHEET", None)
        if sheet:
            owners.setdefault(sheet, []).append(name)
    # A stylesheet that two editions share (or that an edition without STYLESHEET may read) is not one edition's.
    return {sheet: names[0] for sheet, names in owners.items() if len(names) == 1}


def affected(changed: set[Path], article_folder: Path, formats: list[str], owners: dict[str, str]) -> list[str]:
    wanted: set[str] = set()
    for path in changed:
        if path.is_relative_to(article_folder) or path.name not in owners:
            return list(formats)
        wanted.add(owners[path.name])
    # Editions without a STYLESHEET of their own (the handouts, say) may read any stylesheet.
    return [name for name in formats if name in wanted or name not in owners.values()]


class Watcher:
    def __init__(self, folder: Path, build_root: Path, formats: list[str], options: dict[str, Any]) -> None:
        from pubpipe.preview import BuildStatus

        self.folder = folder
        self.build_root = build_root
        # The HTML first: it is what the preview shows, and it is the quickest.
        self.formats = sorted(formats, key=lambda name: name != "html")
        self.options = options
        self.status = BuildStatus()
        self.owners = stylesheet_owners(self.formats)
        self.stop = threading.Event()

    def watched(self) -> list[Path]:
        return [self.folder, styles_dir()]

    def rebuild(self, formats: list[str], saved_at: float | None) -> bool:
        """Build `formats`; report each edition's delay after the save. False when the build failed."""
        from pubpipe.build import build_article, prepare

        started = time.perf_counter()
        try:
            prepared = prepare(self.folder, self.options, self.build_root)
            groups = [["html"], [name for name in formats if name != "html"]] if "html" in formats else [formats]
            for group in filter(None, groups):
                build_article(self.folder, group, self.build_root, self.options, prepared)
                for name in group:
                    self.status.built(name, time.time() - saved_at if saved_at else None)
        except PubpipeError as exc:
            console.error(str(exc))
            self.status.finished(str(exc))
            return False
        except Exception as exc:  # a bug of ours: say so, keep watching, keep the last good editions
            console.error(f"internal error: {type(exc).__name__}: {exc}\n  hint: run `pubpipe --debug build` to see the traceback")
            self.status.finished(f"internal error: {type(exc).__name__}: {exc}")
            return False
        after = f", {time.time() - saved_at:.2f} s after the save" if saved_at else ""
        console.info(f"rebuilt {', '.join(formats)} in {time.perf_counter() - started:.2f} s{after}")
        self.status.finished(None)
        return True

    def run(self) -> None:
        before = snapshot(self.watched())
        self.rebuild(self.formats, None)
        while not self.stop.wait(POLL_SECONDS):
            after = snapshot(self.watched())
            changed = changed_paths(before, after)
            if not changed:
                continue
            # A save in several writes: wait until two polls agree before reading the file.
            while not self.stop.is_set():
                settled = snapshot(self.watched())
                if settled == after:
                    break
                changed |= changed_paths(after, settled)
                after = settled
                time.sleep(POLL_SECONDS / 5)
            before = after
            saved_at = max((after[path][0] for path in changed if path in after), default=time.time_ns()) / 1e9
            names = sorted({path.name for path in changed})
            console.info(f"changed: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
            self.rebuild(affected(changed, self.folder, self.formats, self.owners), saved_at)


def watch(folder: Path, build_root: Path, formats: list[str], options: dict[str, Any], host: str, port: int) -> int:
    from pubpipe.preview import start_preview

    watcher = Watcher(folder, build_root, formats, options)
    if any(name not in ("html", "epub") for name in formats):
        from pubpipe.editions.pdf import start_worker

        start_worker()  # one layout worker, warm, for every rebuild
    site = build_root / folder.name
    site.mkdir(parents=True, exist_ok=True)
    try:
        server = start_preview(site, output_path(build_root, folder.name, "html").name, watcher.status, host, port)
    except OSError as exc:
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror}", hint="choose another port, e.g. PORT=8001") from None
    console.info(f"serving http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    previous = signal.signal(signal.SIGTERM, lambda *_: watcher.stop.set())
    try:
        watcher.run()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
    console.info("stopped")
    return 0
