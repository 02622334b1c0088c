"""Shared fixtures: the real pipeline builds the canonical and the fixture article once per session.

Nothing here is mocked: pandoc, WeasyPrint and EbookLib run on real files, into a temporary build
folder, so the tests never touch the editor's build/.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

# A test run started in the background (`make test &`, nohup) inherits an ignored SIGINT, and so
# would every build the tests start: the Ctrl-C tests would then fail for the launcher's reason.
# With Python's own handler here, the builds get the default disposition again when they start.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CANONICAL = "soviet-relations-with-pakistan"

os.environ.setdefault("PUBPIPE_ROOT", str(ROOT))


def pytest_configure(config):
    from progress import register

    register(config)


def pytest_addoption(parser):
    parser.addoption(
        "--save-golden-files", action="store_true", default=False,
        help="regenerate the reference files under tests/golden/ instead of comparing with them",
    )


@dataclass(frozen=True)
class Built:
    slug: str
    source: Path
    build: Path

    def edition(self, suffix: str) -> Path:
        return self.build / self.slug / f"{self.slug}.{suffix}"


def once_per_run(tmp_path_factory, name: str, make):
    """`make()`, run by one test process for the whole run and read by the others.

    `make test` runs the tests in two processes (pytest-xdist); a session fixture is per process,
    so each would build the same articles and start the same validators. The first process to ask
    makes the value under a lock in the folder the processes share, and the others read it.
    """
    own = tmp_path_factory.getbasetemp()
    shared = own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own
    kept = shared / f"once-{name}.pickle"
    with open(shared / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if kept.exists():
            return pickle.loads(kept.read_bytes())
        value = make()
        part = kept.with_suffix(".part")  # renamed into place whole: a reader never sees half of it
        part.write_bytes(pickle.dumps(value))
        part.rename(kept)
        return value


def built_once(tmp_path_factory, source_root: Path, slug: str) -> Built:
    """A session fixture's article, built by one test process for the whole run."""
    return once_per_run(tmp_path_factory, slug, lambda: build_into(source_root, slug, tmp_path_factory.mktemp(f"build-{slug}")))


def write_article(root: Path, slug: str, text: str) -> Path:
    """`root`/source/`slug`/article.md holding `text`; returns the article's folder."""
    folder = root / "source" / slug
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(text, encoding="utf-8")
    return folder


def build_into(source_root: Path, slug: str, build_root: Path, *extra: str) -> Built:
    from pubpipe.cli import main

    status = main(["-q", "build", slug, "--source", str(source_root), "--build", str(build_root), *extra])
    assert status == 0, f"building {slug} failed with status {status}"
    return Built(slug=slug, source=source_root / slug, build=build_root)


def write_and_build(root: Path, slug: str, files: dict[str, str], *extra: str) -> Built:
    """An article the test writes (file name -> text), in `root`/source, built into `root`/build."""
    folder = root / "source" / slug
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return build_into(root / "source", slug, root / "build", *extra)


@pytest.fixture(scope="session")
def canonical(tmp_path_factory) -> Built:
    return built_once(tmp_path_factory, SOURCE, CANONICAL)


@pytest.fixture(scope="session")
def features(tmp_path_factory) -> Built:
    return built_once(tmp_path_factory, FIXTURES, "features")


@pytest.fixture(scope="session")
def tricky(tmp_path_factory) -> Built:
    """Three authors in three scripts, a long title, notes in list items, text run over pages, and
    a hyphen early in the text (which makes pdfium report later line-end hyphens as U+0002)."""
    return built_once(tmp_path_factory, FIXTURES, "tricky")


@pytest.fixture(scope="session")
def math_article(tmp_path_factory) -> Built:
    """Inline and display formulas, numbered equations (labelled in Markdown and in raw TeX
    environments), figures, tables and sections, referred to in pandoc-crossref's and Quarto's
    syntaxes and with \\ref, \\eqref and \\autoref."""
    return built_once(tmp_path_factory, FIXTURES, "math")


@pytest.fixture(scope="session")
def conventions_article(tmp_path_factory) -> Built:
    """What pandoc-crossref, Quarto and Zettlr authors write besides figures and formulas: code
    listings in each of their forms, referred to one by one and several at once."""
    return built_once(tmp_path_factory, FIXTURES, "conventions")


@pytest.fixture(scope="session")
def translated(tmp_path_factory) -> dict[str, Built]:
    """The features fixture in French (labels of its own) and in Polish (English labels, marked)."""

    def build(language: str) -> Built:
        root = tmp_path_factory.mktemp(f"labels-{language}")
        slug = f"features-{language}"
        shutil.copytree(FIXTURES / "features", root / "source" / slug)
        article = root / "source" / slug / "article.md"
        article.write_text(article.read_text(encoding="utf-8").replace("lang: en-GB", f"lang: {language}", 1), encoding="utf-8")
        return build_into(root / "source", slug, root / "build")

    return once_per_run(tmp_path_factory, "translated", lambda: {language: build(language) for language in ("fr", "pl")})


@pytest.fixture(scope="session")
def validated(canonical, features, tricky, math_article, conventions_article, translated, tmp_path_factory) -> dict:
    """The whole check, validators included, run once for every fixture article, as `make check`
    runs it: each validator starts once for all of them. {slug: pubpipe.check.run.ArticleCheck};
    the tests assert on these results instead of starting the validators again."""
    from pubpipe.check.run import check_articles

    def check() -> dict:
        articles = [canonical, features, tricky, math_article, conventions_article, *translated.values()]
        build_root = tmp_path_factory.mktemp("validated")
        for built in articles:
            shutil.copytree(built.build / built.slug, build_root / built.slug)
        return {check.slug: check for check in check_articles([built.source for built in articles], build_root, {})}

    return once_per_run(tmp_path_factory, "validated", check)


@pytest.fixture()
def article_copy(tmp_path):
    """Copy a source article into a scratch folder so a test may change it."""

    def copy(source_root: Path, slug: str) -> Path:
        target = tmp_path / "source" / slug
        shutil.copytree(source_root / slug, target)
        return target

    return copy


@pytest.fixture(scope="session")
def science(tmp_path_factory) -> Built:
    """Written as field scientists write: sub- and superscripts, superscript citations, a note of
    several paragraphs with code, a note that is only a number, code lines that start with
    numbers, a numbered bibliography whose linked titles end in italics, a very long URL."""
    return built_once(tmp_path_factory, FIXTURES, "science")


# Untrusted and malformed articles (test_security, test_errors): see tests/untrusted.py.
@pytest.fixture(scope="session")
def victim_baseline(tmp_path_factory) -> Path:
    from untrusted import build_baseline

    return once_per_run(tmp_path_factory, "victim", lambda: build_baseline(tmp_path_factory.mktemp("victim")))


@pytest.fixture(scope="session")
def planted_secret(tmp_path_factory) -> Path:
    from untrusted import plant_secrets

    return plant_secrets(tmp_path_factory.mktemp("outside"))


@pytest.fixture(scope="session")
def listener():
    from untrusted import Listener

    server = Listener()
    yield server
    server.close()


@pytest.fixture(params=["pubpipe", "make"])
def case(request, tmp_path, victim_baseline, planted_secret, listener, capfd):
    """A fresh copy of the good victim article and its good editions, built through `pubpipe` and
    through real `make`; afterwards, no leak at all."""
    from untrusted import assert_no_secret, make_case

    made = make_case(tmp_path / "case", victim_baseline, capfd, planted_secret, via=request.param)
    yield made
    assert_no_secret(made.build_root)
    assert listener.requests == [], f"the article reached the network: {listener.requests}"
