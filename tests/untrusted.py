"""Helpers for the tests of untrusted and malformed articles (test_security, test_errors).

Each case writes an article named `victim` into its own temporary source folder, next to a copy of
the good editions a clean build of the well-formed victim made once per session, runs the real
command line, and then checks three things: the exit status and message, that the good editions
are byte-identical, and that the planted secret is nowhere (not in any edition, PDF streams and
EPUB members included, nor in what the tool printed) while the loopback listener saw no request.

Every case runs twice: through `pubpipe` and through real `make` (tests/make_harness.py), since
users run `make` and make has its own ways of losing a good edition.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from make_harness import link_project, recipe_status, signal_group, start_make

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SLUG = "victim"
EDITIONS = ("html", "epub", "pdf")
SECRET = "PUBPIPE-PLANTED-SECRET-" + uuid.uuid4().hex[:12].upper()

VICTIM_FRONT = {
    "title": "The Victim: an Article Built by Strangers",
    "author": [{"name": "Ann Author"}],
    "date": "2020-06-01",
    "lang": "en",
    "bibliography": "refs.yaml",
}
VICTIM_BODY = """# Introduction

A citation [@doe2001, 5] and another [@roe1999].

![A small chart.](chart.png)

# References

::: {#refs}
:::
"""
VICTIM_REFS = """references:
- id: doe2001
  type: book
  title: A Book
  author:
  - family: Doe
    given: Jane
  issued: 2001
- id: roe1999
  type: article-journal
  title: An Article
  container-title: A Journal
  author:
  - family: Roe
    given: Richard
  issued: 1999
"""


def article_text(front: dict | None = None, body: str = VICTIM_BODY, **changes) -> str:
    """article.md from the victim's front matter with `changes` (None removes a field)."""
    meta = dict(VICTIM_FRONT if front is None else front)
    for key, value in changes.items():
        key = key.replace("_", "-")
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


class _Counter(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.server.requests.append(self.path)
        body = f"@book{{leak, title={{{SECRET}}}}}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Listener:
    """An HTTP server on 127.0.0.1 that counts requests; an article must never make it count."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
        self.server.requests = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        return list(self.server.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Result:
    """What the user saw. `status` is pubpipe's exit status; through make it is the one make
    reports in its "Error N" line, and `make_status` is make's own."""

    status: int
    out: str
    err: str
    make_status: int | None = None

    @property
    def text(self) -> str:
        return self.out + self.err


@dataclass
class Case:
    """One hostile or malformed article with its own source and build folders."""

    root: Path
    baseline: dict[str, bytes]
    capfd: object
    secret_file: Path
    via: str = "pubpipe"
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.root / "source" / SLUG

    @property
    def build_root(self) -> Path:
        return self.root / "build"

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def article(self, text: str) -> Path:
        return self.write("article.md", text)

    def build(self, *extra: str) -> Result:
        """Build the victim with pubpipe's options `extra`, through the command line or make."""
        if self.via == "make":
            return self.run(*extra)
        from pubpipe.cli import main

        self.capfd.readouterr()
        status = main(["build", SLUG, "--source", str(self.root / "source"), "--build", str(self.build_root), *extra])
        captured = self.capfd.readouterr()
        assert_no_secret(self.root / "nowhere", captured.out, captured.err)  # not in any message
        return Result(status, captured.out, captured.err)

    def start(self, *extra: str, env: dict[str, str] | None = None, wrapper: list[str] = (),
              verbose: bool = False) -> subprocess.Popen:
        """The build as a separate process, as a user runs it (for signals, races and heap limits);
        `wrapper` is a command that runs it (`bash -c 'ulimit …; exec "$@"'`); `verbose`: it says
        each step on stdout, as `-v` (make's V=1) does."""
        if self.via == "make":
            return start_make(self.root, *make_arguments(extra), *(["V=1"] if verbose else []), env=env, wrapper=wrapper)
        return subprocess.Popen(
            [*wrapper, sys.executable, "-m", "pubpipe", "-v" if verbose else "-q", "build", SLUG, "--source", str(self.root / "source"),
             "--build", str(self.build_root), *extra],
            env=dict(os.environ, PUBPIPE_ROOT=str(ROOT), **(env or {})),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def interrupt(self, process: subprocess.Popen, sig: int) -> None:
        """Ctrl-C or kill: through make, to the whole process group, as a terminal sends it."""
        if self.via == "make":
            signal_group(process, sig)
        else:
            process.send_signal(sig)

    def finish(self, process: subprocess.Popen, timeout: float = 300) -> Result:
        out, err = process.communicate(timeout=timeout)
        assert_no_secret(self.root / "nowhere", out, err)
        if self.via == "make":
            return Result(recipe_status(process.returncode, err), out, err, make_status=process.returncode)
        return Result(process.returncode, out, err)

    def run(self, *extra: str, env: dict[str, str] | None = None, wrapper: list[str] = ()) -> Result:
        return self.finish(self.start(*extra, env=env, wrapper=wrapper))

    def edition(self, name: str) -> Path:
        return self.build_root / SLUG / f"{SLUG}.{name}"

    def editions(self) -> dict[str, bytes]:
        return {name: self.edition(name).read_bytes() for name in EDITIONS if self.edition(name).exists()}

    def assert_refused(self, result: Result, status: int, *words: str) -> None:
        """The build failed with `status`, said every one of `words`, and changed nothing."""
        assert result.status == status, result.text
        if self.via == "make":
            assert result.make_status == 2, result.text
        for word in words:
            assert word in result.err, f"{word!r} not in: {result.err}"
        assert "Traceback" not in result.text
        assert self.editions() == self.baseline, "a good edition was changed by a failed build"
        leftovers = [p.name for p in (self.build_root / SLUG).iterdir() if ".part" in p.name]
        assert leftovers == [], leftovers


def make_arguments(extra: tuple[str, ...]) -> list[str]:
    """pubpipe build's options as make's goal and variables: `--formats html` is `make html`,
    `--style apa` is `STYLE=apa`."""
    goals, variables = [], [f"ARTICLE={SLUG}"]
    names = {"--style": "STYLE", "--paper": "PAPER", "--pdf-variant": "PDF_VARIANT"}
    options = iter(extra)
    for option in options:
        value = next(options)
        if option == "--formats":
            goals.append(value)
        elif option in names:
            variables.append(f"{names[option]}={value}")
        else:
            raise ValueError(f"no make variable for pubpipe's {option}")
    return [*variables, *goals]


def make_case(root: Path, baseline_build: Path, capfd, secret_file: Path, via: str = "pubpipe") -> Case:
    """The victim's good sources and a copy of its good editions, ready to be spoiled; through
    make, in a project of its own (tests/make_harness.py)."""
    case = Case(root=root, baseline={}, capfd=capfd, secret_file=secret_file, via=via)
    if via == "make":
        link_project(root)
    write_victim(case.folder)
    shutil.copytree(baseline_build, case.build_root)
    case.baseline = case.editions()
    assert set(case.baseline) == set(EDITIONS)
    return case


def write_victim(folder: Path) -> Path:
    """The well-formed victim's sources in `folder`: a small article that builds in seconds."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "article.md").write_text(article_text(), encoding="utf-8")
    (folder / "refs.yaml").write_text(VICTIM_REFS, encoding="utf-8")
    shutil.copy(FIXTURES / "features" / "chart.png", folder / "chart.png")
    return folder


def build_baseline(root: Path) -> Path:
    """Build the well-formed victim once; return its build folder (with build/victim/ inside)."""
    from pubpipe.cli import main

    case_root = root / "baseline"
    write_victim(case_root / "source" / SLUG)
    status = main(["-q", "build", SLUG, "--source", str(case_root / "source"), "--build", str(case_root / "build")])
    assert status == 0
    return case_root / "build"


def plant_secrets(folder: Path) -> Path:
    """Files outside the article folder that hold the secret, in every format an article could name."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text(f"{SECRET}\n", encoding="utf-8")
    (folder / "secret.bib").write_text(f"@book{{doe2001, title={{{SECRET}}}, year=2001}}\n", encoding="utf-8")
    (folder / "secret.yaml").write_text(f"references:\n- id: doe2001\n  title: {SECRET}\n", encoding="utf-8")
    (folder / "secret.json").write_text(f'[{{"id": "doe2001", "title": "{SECRET}"}}]', encoding="utf-8")
    (folder / "secret.csl").write_text(_csl_with_secret(), encoding="utf-8")
    (folder / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>{SECRET}</text></svg>',
        encoding="utf-8",
    )
    (folder / "secret.png").write_bytes((FIXTURES / "features" / "chart.png").read_bytes() + SECRET.encode())
    return folder / "secret.txt"


def _csl_with_secret() -> str:
    from pubpipe.resolve.styles import style_by_name

    text = style_by_name("apa").read_text(encoding="utf-8")
    return text.replace("<bibliography", f'<bibliography><!-- {SECRET} -->', 1).replace(
        "<layout", f'<layout prefix="{SECRET} "', 1
    )


def readable_strings(data: bytes, suffix: str) -> list[bytes]:
    """Every form in which an edition could carry text: raw bytes, decompressed PDF streams, PDF
    page text, EPUB members."""
    chunks = [data]
    if suffix == "pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data))
        for number in range(1, int(reader.trailer["/Size"])):
            try:
                obj = reader.get_object(number)
            except Exception:
                continue
            if isinstance(obj, pypdf.generic.StreamObject):
                chunks.append(obj.get_data())
            chunks.append(repr(obj).encode("utf-8", "replace"))
        chunks += [page.extract_text().encode("utf-8") for page in reader.pages]
    elif suffix == "epub":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            chunks += [book.read(name) for name in book.namelist()]
    return chunks


# The digests of files already searched and found clean in this process. Most cases end with the
# victim's good editions untouched (a refused build), and parsing the same PDF's streams again for
# every case was a tenth of a second each time; the same bytes give the same verdict.
_searched_clean: set[tuple[str, bytes]] = set()


def assert_no_secret(build_root: Path, *messages: str) -> None:
    needles = [SECRET.encode(), SECRET.encode("utf-16-be"), SECRET.lower().encode()]
    for message in messages:
        assert SECRET not in message and SECRET.lower() not in message.lower()
    if not build_root.exists():
        return
    for path in build_root.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        seen = (path.suffix, hashlib.sha256(data).digest())
        if seen in _searched_clean:
            continue
        for chunk in readable_strings(data, path.suffix.lstrip(".")):
            for needle in needles:
                assert needle not in chunk, f"the secret leaked into {path}"
        _searched_clean.add(seen)
