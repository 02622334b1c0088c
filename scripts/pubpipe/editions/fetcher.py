"""The only way WeasyPrint may read anything: the article's images handed over with the job, files
under the allowed folders (styles, fonts), and `data:` URLs.

WeasyPrint's default fetcher reads any `file://` path and any `http(s)://` URL, so a raw
`<link rel="attachment" href="file:///etc/passwd">` in an untrusted article would embed that file in
the PDF. This fetcher refuses everything else with `FatalURLFetchingError`, which stops the build
instead of being swallowed as a missing image. It makes no HTTP requests at all, and resolves
symlinks before it checks a path. (The layout also runs in the OS sandbox, runtime/sandbox.py, where
neither the network nor the rest of the disk can be seen: this fetcher is the first line, not the
only one.)

The article's own files are addressed under ARTICLE_URL (see editions/layout.py); their bytes come
with the layout job, since the worker cannot see the article folder.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from pubpipe.editions.layout import ARTICLE_URL, article_key
from pubpipe.editions.math_pdf import PLACEHOLDER, is_placeholder
from pubpipe.runtime.paths import inside_folder


class SafeURLFetcher(URLFetcher):
    def __init__(self, allowed_folders: list[Path], article_files: dict[str, bytes] | None = None, timeout: float = 5):
        super().__init__(timeout=timeout, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed_folders = [folder.resolve() for folder in allowed_folders]
        self.article_files = article_files or {}

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if is_placeholder(url):  # a formula's stand-in: its bytes are known, no URL parsing (300 of them: 0.1 s)
            return URLFetcherResponse(url, PLACEHOLDER, {"Content-Type": "image/png"})
        if scheme == "data":
            return super().fetch(url, headers)
        if url.startswith(ARTICLE_URL):
            key = article_key(urlsplit(url).path[len(urlsplit(ARTICLE_URL).path):])
            if key in self.article_files:
                media_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
                return URLFetcherResponse(url, self.article_files[key], {"Content-Type": media_type})
        elif scheme == "file":
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            local = parts.netloc in ("", "localhost")
            if local and path.is_absolute() and any(inside_folder(path, folder) for folder in self.allowed_folders):
                return super().fetch(url, headers)
        # The URL is not repeated whole: a refused `data:` or query string could carry anything.
        raise FatalURLFetchingError(f"refused to fetch {url[:120]}: only the article's own files may be used")
