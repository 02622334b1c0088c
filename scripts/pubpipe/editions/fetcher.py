"""The only way WeasyPrint may read anything: files under the allowed folders, and `data:` URLs.

WeasyPrint's default fetcher reads any `file://` path and any `http(s)://` URL, so a raw
`<link rel="attachment" href="file:///etc/passwd">` in an untrusted article would embed that file in
the PDF. This fetcher refuses everything else with `FatalURLFetchingError`, which stops the build
instead of being swallowed as a missing image. It follows no redirects (it makes no HTTP requests
at all) and resolves symlinks before it checks a path.

The article's own files are addressed under a fixed URL, ARTICLE_URL, which the PDF edition uses
as its base URL: WeasyPrint names each image in the PDF after the MD5 of its URL, so with the real
folder in the URL the same article gave different PDF bytes in different folders.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pubpipe.runtime.paths import inside_folder

ARTICLE_URL = "file:///pubpipe-article/"


class SafeURLFetcher(URLFetcher):
    def __init__(self, allowed_folders: list[Path], timeout: float = 5, article_folder: Path | None = None):
        """`article_folder` (by default the first allowed folder) is what ARTICLE_URL stands for."""
        super().__init__(timeout=timeout, allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed_folders = [folder.resolve() for folder in allowed_folders]
        self.article_folder = (article_folder or allowed_folders[0]).resolve()

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if url.startswith(ARTICLE_URL):
            path = self.article_folder / unquote(urlsplit(url).path[len(urlsplit(ARTICLE_URL).path):])
            if inside_folder(path, self.article_folder):
                response = super().fetch(path.resolve().as_uri(), headers)
                response.url = url
                return response
        elif scheme == "file":
            parts = urlsplit(url)
            path = Path(unquote(parts.path))
            local = parts.netloc in ("", "localhost")
            if local and path.is_absolute() and any(inside_folder(path, folder) for folder in self.allowed_folders):
                return super().fetch(url, headers)
        # The URL is not repeated whole: a refused `data:` or query string could carry anything.
        raise FatalURLFetchingError(f"refused to fetch {url[:120]}: only the article's own files may be used")
