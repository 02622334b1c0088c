"""The preview server of `pubpipe watch`: the article's build folder on the loopback interface.

The page reloads itself after each rebuild: a small script asks the server for the current build
number and reloads when it changes. The script goes into the served response only, never into the
built file, so the HTML edition stays byte-identical to what `pubpipe build` writes. A
Content-Security-Policy meta tag would block that script, so the served copy drops it (the built
file keeps it; the preview is not where a policy is tested).
"""

from __future__ import annotations

import http.server
import json
import re
import threading
from pathlib import Path
from typing import Any

from pubpipe import console

PREFIX = "/__pubpipe__/"
STATUS_PATH = PREFIX + "status"
SCRIPT_PATH = PREFIX + "reload.js"
SCRIPT_TAG = f'<script src="{SCRIPT_PATH}"></script>'
CSP_META = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-security-policy[^>]*>", re.IGNORECASE)
BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)

# Polls the status; reloads when the HTML's build number changes; shows a failed build's message.
RELOAD_JS = """(function () {
  var seen = null, banner = null;
  function show(error) {
    if (!error) { if (banner) { banner.remove(); banner = null; } return; }
    if (!banner) {
      banner = document.createElement("pre");
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:1em;z-index:2147483647;" +
        "background:#fee;color:#600;border-top:2px solid #c00;white-space:pre-wrap;font:13px monospace";
      document.body.appendChild(banner);
    }
    banner.textContent = "pubpipe watch: the last rebuild failed\\n" + error;
  }
  function poll() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (seen !== null && s.html !== seen) { location.reload(); return; }
      seen = s.html; show(s.error); setTimeout(poll, 250);
    }).catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
""" % STATUS_PATH


class BuildStatus:
    """What the watcher has built so far: a build number per edition, and the last error."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[str, int] = {}
        self._latency: dict[str, float] = {}
        self._error: str | None = None
        self._rebuilds = 0

    def built(self, edition: str, seconds_after_save: float | None) -> None:
        """An edition is in place: the previous failure, if any, is over (a later one sets it again)."""
        with self._lock:
            self._error = None
            self._numbers[edition] = self._numbers.get(edition, 0) + 1
            if seconds_after_save is not None:
                self._latency[edition] = round(seconds_after_save, 4)

    def finished(self, error: str | None) -> None:
        with self._lock:
            self._error = error
            self._rebuilds += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                **self._numbers,
                "rebuilds": self._rebuilds,
                "error": self._error,
                "seconds_after_save": dict(self._latency),
            }


def inject_reload(html: str) -> str:
    html = CSP_META.sub("", html)
    ends = list(BODY_END.finditer(html))
    if not ends:
        return html + SCRIPT_TAG
    cut = ends[-1].start()
    return html[:cut] + SCRIPT_TAG + html[cut:]


def _handler(folder: Path, index: str, status: BuildStatus):
    class PreviewHandler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self) -> None:  # noqa: N802 (the http.server spelling)
            path = self.path.split("?", 1)[0]
            if path == STATUS_PATH:
                self._send(json.dumps(status.snapshot()).encode("utf-8"), "application/json")
            elif path == SCRIPT_PATH:
                self._send(RELOAD_JS.encode("utf-8"), "text/javascript; charset=utf-8")
            elif path == "/":
                self.send_response(302)
                self.send_header("Location", "/" + index)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path.endswith(".html"):
                file = Path(self.translate_path(path))
                try:
                    text = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    self.send_error(404, "not built yet")
                    return
                self._send(inject_reload(text).encode("utf-8"), "text/html; charset=utf-8")
            else:
                super().do_GET()

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            super().end_headers()

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002 (the http.server signature)
            console.detail("preview: " + format % args)

    return PreviewHandler


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True


def start_preview(folder: Path, index: str, status: BuildStatus, host: str, port: int) -> PreviewServer:
    """Serve `folder` on host:port (port 0: any free one) from a daemon thread."""
    server = PreviewServer((host, port), _handler(folder, index, status))
    threading.Thread(target=server.serve_forever, name="preview", daemon=True).start()
    return server
