"""Headless Chromium driven over its DevTools pipe, with nothing but the standard library.

axe-core must run inside a real browser engine to compute styles and contrast, and screenshots
need one too. Playwright or Selenium would add a driver that must match the browser's version;
Chromium's own `--remote-debugging-pipe` speaks the DevTools protocol as NUL-separated JSON on
file descriptors 3 (commands in) and 4 (replies out), which is all we need.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from pubpipe.runtime import tools
from pubpipe.errors import ToolError

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-extensions", "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--mute-audio", "--hide-scrollbars", "--disable-dev-shm-usage", "--remote-debugging-pipe",
]
TIMEOUT = float(os.environ.get("PUBPIPE_CHROMIUM_TIMEOUT", "60"))


class Browser:
    """One headless Chromium; use as a context manager so the process always ends."""

    def __init__(self) -> None:
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []
        self._profile = tempfile.TemporaryDirectory(prefix="pubpipe-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and answers on fd 4. posix_spawn puts our pipe ends there
        # (safe when the caller runs threads, unlike a preexec_fn); they are first moved to fds
        # above 9 so that neither dup2 overwrites the other's source.
        high_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD_CLOEXEC, 10)
        command = [tools.chromium(), *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"]
        try:
            self.pid = os.posix_spawn(command[0], command, os.environ, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, high_r, 3),
                (os.POSIX_SPAWN_DUP2, high_w, 4),
            ])
        except OSError as exc:
            raise ToolError(f"cannot start Chromium: {exc.strerror}") from None
        finally:
            for fd in (to_chrome_r, from_chrome_w, high_r, high_w):
                os.close(fd)
        self.session: str | None = None

    def __enter__(self) -> "Browser":
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
            self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                                     session=False)["sessionId"]
            self.send("Page.enable")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.send("Browser.close", session=False)
        except ToolError:
            pass
        deadline = time.monotonic() + 10
        while os.waitpid(self.pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                break
            time.sleep(0.05)
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        self._profile.cleanup()

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_chrome], [], [], remaining)[0]:
                raise ToolError(f"Chromium did not answer within {TIMEOUT:g} s",
                                hint="raise PUBPIPE_CHROMIUM_TIMEOUT if the page is very large")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise ToolError("Chromium closed its DevTools pipe (it may have crashed)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        try:
            os.write(self._to_chrome, json.dumps(message).encode("utf-8") + b"\0")
        except BrokenPipeError:
            raise ToolError("Chromium has exited (it may have crashed on start)",
                            hint=f"run {tools.chromium()} --headless --no-sandbox to see why") from None
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ToolError(f"Chromium refused {method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, event: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event:
                    return self._events.pop(index)
            self._events.append(self._read_message(deadline))

    def open(self, path: Path, width: int = 1280, height: int = 900, dark: bool = False) -> None:
        """Load a local file at a viewport size and colour scheme, and wait until it has loaded."""
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
        self.send("Emulation.setEmulatedMedia",
                  {"features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})
        self._events.clear()
        self.send("Page.navigate", {"url": Path(path).resolve().as_uri()})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "awaitPromise": True, "returnByValue": True})
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise ToolError(f"a script failed in Chromium: {text}")
        return result.get("result", {}).get("value")

    def screenshot(self, out: Path, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params)["data"]
        Path(out).write_bytes(base64.b64decode(data))
        return Path(out)
