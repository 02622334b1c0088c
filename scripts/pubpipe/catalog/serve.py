"""`make serve`: build/ over HTTP, read-only, so that an e-reader's catalogue browser can open
the OPDS catalog (/opds/catalog.xml) and download what it lists.

It listens on 127.0.0.1 unless told otherwise (HOST=0.0.0.0 to share on a LAN), answers only GET
and HEAD, serves only files inside the folder (no link out of it is followed) and never the
build's own bookkeeping (dot files: caches, locks, make's stamps). Folders are not listed; the
root leads to the catalog. The Atom feeds go out with the media type OPDS clients look for.
"""

from __future__ import annotations

import functools
import http.server
import ipaddress
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pubpipe import console
from pubpipe.catalog.opds import FOLDER
from pubpipe.errors import UsageError
from pubpipe.runtime.paths import inside_folder

TYPES = {
    ".epub": "application/epub+zip",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/atom+xml;profile=opds-catalog",
}


class ReadOnlyHandler(http.server.SimpleHTTPRequestHandler):
    server_version = "pubpipe"
    sys_version = ""

    def __init__(self, *args, directory: str, **kwargs) -> None:
        super().__init__(*args, directory=directory, **kwargs)

    def _target(self) -> Path | None:
        """The file a request names, or None when it may not be served."""
        path = unquote(urlsplit(self.path).path)
        parts = [part for part in path.split("/") if part]
        if any(part.startswith(".") for part in parts):
            return None
        root = Path(self.directory)
        target = root.joinpath(*parts)
        if not inside_folder(target, root) or not target.is_file():
            return None
        return target

    def send_head(self):
        if urlsplit(self.path).path in ("", "/"):
            self.send_response(302)
            self.send_header("Location", f"/{FOLDER}/catalog.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        target = self._target()
        if target is None:
            self.send_error(404, "Not found")
            return None
        handle = target.open("rb")
        size = os.fstat(handle.fileno()).st_size
        self.send_response(200)
        self.send_header("Content-Type", TYPES.get(target.suffix, mimetypes.guess_type(target.name)[0] or "application/octet-stream"))
        self.send_header("Content-Length", str(size))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        return handle

    def _refuse(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815 (http.server's naming)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (http.server's signature)
        console.detail(f"{self.address_string()} {format % args}")


def make_server(folder: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    if not folder.is_dir():
        raise UsageError(f"nothing to serve: {folder} does not exist", hint="run `make catalog` first")
    handler = functools.partial(ReadOnlyHandler, directory=str(folder.resolve()))
    try:
        return http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint="choose another PORT=, or HOST=127.0.0.1 (HOST=0.0.0.0 shares on the network)") from None


def listens_everywhere(server: http.server.ThreadingHTTPServer) -> bool:
    """Whether the server took every network interface: judged by the address it bound, since
    `0`, `0.0.0.0`, `::` and other spellings all mean that."""
    return ipaddress.ip_address(server.server_address[0]).is_unspecified


def serve(folder: Path, host: str, port: int) -> int:
    server = make_server(folder, host, port)
    everywhere = listens_everywhere(server)
    shown = "127.0.0.1" if everywhere else server.server_address[0]
    console.info(f"serving {folder} read-only at http://{shown}:{server.server_address[1]}/ "
                 f"(the catalog: http://{shown}:{server.server_address[1]}/{FOLDER}/catalog.xml); Ctrl-C stops")
    if everywhere:
        console.info("listening on every network interface: anyone on this network can download the editions")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
