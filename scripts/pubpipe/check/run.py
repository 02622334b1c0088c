"""`pubpipe check`: the order of work for all the articles it is given, each validator started once.

1. Find each article's three editions and hash them. The build's cache (runtime/cache.py, under
   build/.cache/check/) answers for every validator verdict and every comparison it holds for
   exactly these bytes, tools and code: a verdict is filed under a key made of everything it
   depends on (a validator's: the edition's bytes and the validator's fingerprint, that is its
   version, the Java, Node or browser it runs in, its flags and our code that reads its report;
   a comparison's: the bytes of the editions and of every file in the article's folder, the
   options, our code and the pinned dependencies), so a stale verdict is never used.
2. Start each validator that has editions left to check, once for all of them, in the background:
   EPUBCheck on the EPUBs, the Nu checker on the web editions, Ace and axe in one browser on both.
   EPUBCheck is the longest; the others run at lower priority so that, on a machine with few
   cores, it is not the last to finish.
3. Meanwhile, for each article without a cached comparison: resolve the canonical source (one
   pandoc run), read the three editions as built, compare every edition with every other (X-00n),
   each with the source (F-002) and the source with the original as received (F-001); check the
   PDF's print-readiness (V-PDF).
4. Collect the validators and file their new verdicts in the cache; write build/<slug>/check.json
   and print a summary for each article.
The editions are only read, never rebuilt: `make check` brings them up to date first.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pubpipe.check.findings import CHECKS, PRESS_CHECKS, Finding
from pubpipe.check.report import print_summary, write_json
from pubpipe.editions import output_path
from pubpipe.errors import PubpipeError, ToolError
from pubpipe.runtime.cache import OutputCache, code_digest, digest, folder_digest

EDITIONS = ("html", "epub", "pdf")
VALIDATOR_CODES = ("V-EPUBCHECK", "V-NU", "V-ACE", "V-AXE")


@dataclass
class ArticleCheck:
    """One article's editions, and what the check found in them (or why it could not check)."""

    folder: Path
    build_root: Path
    comparison: list[Finding] = field(default_factory=list)
    validated: dict[str, list[Finding]] = field(default_factory=dict)
    checks_run: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    error: PubpipeError | None = None

    @property
    def slug(self) -> str:
        return self.folder.name

    @property
    def paths(self) -> dict[str, Path]:
        return {name: output_path(self.build_root, self.slug, name) for name in EDITIONS}

    @property
    def press_path(self) -> Path:
        """The press PDF, checked (pre-press, the V- codes of PRESS_CHECKS) when it was built."""
        return output_path(self.build_root, self.slug, "press")

    @property
    def report(self) -> Path:
        return self.build_root / self.slug / "check.json"

    @property
    def findings(self) -> list[Finding]:
        return self.comparison + [finding for code in VALIDATOR_CODES for finding in self.validated.get(code, [])]

    def fail(self, error: PubpipeError) -> None:
        self.error = self.error or error


@dataclass(frozen=True)
class Validator:
    code: str
    edition: str
    fingerprint: Callable[[], list]


def _validators() -> list[Validator]:
    from pubpipe.check import accessibility, validators

    return [
        Validator("V-EPUBCHECK", "epub", validators.epubcheck_fingerprint),
        Validator("V-NU", "html", validators.nu_fingerprint),
        Validator("V-ACE", "epub", accessibility.fingerprint),
        Validator("V-AXE", "html", accessibility.fingerprint),
    ]


# What each validator still has to check: code -> {edition file: (its article, its cache key)}.
Pending = dict[str, dict[Path, tuple[ArticleCheck, str]]]
# What a validator job returns: code -> {edition file: findings, or the error that stopped it}.
Verdicts = dict[str, dict[Path, "list[Finding] | ToolError"]]


def _jobs(pending: Pending) -> list[tuple[str, Callable[[], Verdicts]]]:
    """The validator processes to start, each once for all its files. Ace and axe-core share one
    browser, so they are one job."""
    from pubpipe.check import accessibility, validators

    files = {code: list(pending.get(code, {})) for code in VALIDATOR_CODES}

    def accessibility_job() -> Verdicts:
        ace, axe = accessibility.run_accessibility_many(files["V-ACE"], files["V-AXE"])
        return {"V-ACE": _as_verdicts("V-ACE", "epub", ace), "V-AXE": _as_verdicts("V-AXE", "html", axe)}

    jobs = [
        ("V-EPUBCHECK", lambda: {"V-EPUBCHECK": validators.run_epubcheck_many(files["V-EPUBCHECK"])}),
        ("V-NU", lambda: {"V-NU": validators.run_nu_many(files["V-NU"])}),
        ("V-ACE+V-AXE", accessibility_job),
    ]
    wanted = {"V-EPUBCHECK": ("V-EPUBCHECK",), "V-NU": ("V-NU",), "V-ACE+V-AXE": ("V-ACE", "V-AXE")}
    return [(name, job) for name, job in jobs if any(files[code] for code in wanted[name])]


def _as_findings(code: str, edition: str, items: list[dict]) -> list[Finding]:
    """Ace's or axe's findings ({"code", "message", "file", "line"}) as ours."""
    return [Finding(code, (edition,), f"{item.get('code', '')}: {item.get('message', '')}".strip(": "),
                    where={edition: ":".join(str(item[k]) for k in ("file", "line") if item.get(k))})
            for item in items]


def _as_verdicts(code: str, edition: str, per_file: dict) -> dict:
    return {path: result if isinstance(result, ToolError) else _as_findings(code, edition, result) for path, result in per_file.items()}


def _read_edition(reader: Callable[[Path], Any], path: Path) -> Any:
    """An edition that is not a readable file of its kind (truncated, or replaced by hand) is a
    finding about that file, not an internal error."""
    import zipfile

    from pypdf.errors import PdfReadError

    try:
        return reader(path)
    except (zipfile.BadZipFile, PdfReadError, UnicodeDecodeError, ValueError, KeyError, OSError) as exc:
        raise ToolError(f"cannot read this edition ({type(exc).__name__}: {exc})", path=path,
                        hint="rebuild it: delete it and run `make check` again") from None


def _compare(check: ArticleCheck, options: dict) -> tuple[list[Finding], list[str]]:
    """The editions against each other, against the source and the original: (findings, checks)."""
    from pubpipe.check import validators
    from pubpipe.check.compare import compare, dangling_references
    from pubpipe.check.fidelity import check_original
    from pubpipe.check.read_epub import read_epub
    from pubpipe.check.read_html import read_html
    from pubpipe.check.read_pdf import read_pdf
    from pubpipe.check.read_source import read_source
    from pubpipe.labels import article_labels
    from pubpipe.load.article import load_article
    from pubpipe.resolve import resolve
    from pubpipe.resolve.styles import resolve_style

    started = time.perf_counter()
    article = load_article(check.folder)
    readers = {"html": read_html, "epub": read_epub, "pdf": partial(read_pdf, labels=article_labels(article.metadata))}
    document = resolve(article, options.get("style"), OutputCache(check.build_root / ".cache"))  # pandoc's output, kept per input
    source = read_source(document)
    summaries = {name: _read_edition(readers[name], check.paths[name]) for name in EDITIONS}
    check.timings["read"] = time.perf_counter() - started

    findings: list[Finding] = []
    for a, b in itertools.combinations(EDITIONS, 2):
        findings += compare(summaries[a], summaries[b])
    for name in EDITIONS:
        findings += compare(source, summaries[name])
        findings += dangling_references(summaries[name])
    if article.metadata.original_file:
        own_style = not options.get("style") or document.style == resolve_style(None, article.metadata.csl, article.folder, article.source)
        findings += check_original(article.folder / article.metadata.original_file, source, with_bibliography=own_style)
    paper = options.get("paper") or article.metadata.paper
    heading_count = len(source.headings) + 1 + (1 if document.cite_entry_html else 0)
    findings += validators.check_pdf(check.paths["pdf"], paper, heading_count, has_authors=bool(source.metadata["authors"]))
    press = check.press_path
    if press.is_file():  # `make check` builds it; `pubpipe check` checks it when it is there
        from pubpipe.check.prepress import check_press

        findings += check_press(press, paper)
    check.timings["compare"] = time.perf_counter() - started
    checks = [code for code in CHECKS if not code.startswith("V-") and (code != "F-001" or article.metadata.original_file)]
    return findings, checks + ["V-PDF"] + (list(PRESS_CHECKS) if press.is_file() else [])


def _comparison_fingerprint(options: dict) -> str:
    """What a comparison depends on besides the article's files and editions: our own code, the
    pinned versions of everything it runs (pyproject.toml), and the check's options."""
    pyproject = Path(__file__).resolve().parent.parent.parent.parent / "pyproject.toml"
    style = options.get("style")
    style_file = Path(style) if style and Path(style).is_file() else None
    return digest(code_digest(), pyproject.read_bytes() if pyproject.is_file() else b"", str(style), str(options.get("paper")),
                  style_file.read_bytes() if style_file else b"")


def _verdict_name(kind: str, check: "ArticleCheck") -> str:
    """One entry per article and kind, replaced when the article changes: the cache does not grow."""
    return f"check/{kind}/{check.slug}.json"


def _locate(folder: Path, build_root: Path) -> tuple[ArticleCheck, dict[str, str]]:
    """The article and the digests of its editions; a missing edition is its error."""
    check = ArticleCheck(folder=folder, build_root=build_root)
    missing = [str(path) for path in check.paths.values() if not path.is_file()]
    if missing:
        check.fail(ToolError(f"editions not built yet: {', '.join(missing)}", hint="run `make check` (it builds them first) or `make`"))
        return check, {}
    return check, {name: digest(path.read_bytes()) for name, path in check.paths.items()}


def check_articles(folders: list[Path], build_root: Path, options: dict) -> list[ArticleCheck]:
    """Check every article; a failure to check one article is its `error`, and the others go on.
    A validator that cannot start at all raises its ToolError."""
    started = time.perf_counter()
    cache = OutputCache(build_root / ".cache")
    located = [_locate(folder, build_root) for folder in folders]
    live = [(check, digests) for check, digests in located if check.error is None]

    pending: Pending = {}
    if options.get("validators", True):
        for validator in _validators():
            fingerprint = json.dumps(validator.fingerprint(), sort_keys=True)
            for check, digests in live:
                entry = digest(fingerprint, digests[validator.edition])
                known = cache.get(_verdict_name(validator.code, check), entry)
                if known is None:
                    pending.setdefault(validator.code, {})[check.paths[validator.edition]] = (check, entry)
                else:
                    check.validated[validator.code] = [Finding.from_json(item) for item in json.loads(known)]
                    check.cached.append(validator.code)

    # The validators are slow (JVM and Chromium start-up) and independent: each job runs in its
    # own thread, beside the comparisons below, and reports its own wall time.
    jobs = _jobs(pending)
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [(name, pool.submit(_timed, job)) for name, job in jobs]
        fingerprint = _comparison_fingerprint(options)
        for check, digests in live:
            press = check.press_path.read_bytes() if check.press_path.is_file() else b""
            entry = digest(fingerprint, folder_digest(check.folder), *(digests[name] for name in EDITIONS), digest(press))
            known = cache.get(_verdict_name("comparison", check), entry)
            if known is not None:
                known = json.loads(known)
                check.comparison = [Finding.from_json(item) for item in known["findings"]]
                check.checks_run = known["checks"]
                check.cached.append("comparison")
                continue
            try:
                check.comparison, check.checks_run = _compare(check, options)
            except PubpipeError as exc:
                check.fail(exc)
                continue
            cache.put(_verdict_name("comparison", check), entry,
                      _json({"findings": [f.to_json() for f in check.comparison], "checks": check.checks_run}))

        for name, future in futures:
            verdicts, seconds = future.result()
            for code, per_file in verdicts.items():
                for path, result in per_file.items():
                    check, entry = pending[code][path]
                    check.timings[name] = seconds
                    if isinstance(result, ToolError):
                        check.fail(result)
                        continue
                    check.validated[code] = result
                    cache.put(_verdict_name(code, check), entry, _json([f.to_json() for f in result]))

    total = time.perf_counter() - started
    for check, _digests in located:
        check.timings["total"] = total
        if check.error is None:
            ran = set(check.checks_run) | set(check.validated)
            check.checks_run = [code for code in CHECKS if code in ran]
            write_json(check.report, check.slug, check.findings, check.checks_run, check.timings,
                       cached=check.cached, checked_together=len(located))
            unchanged = "comparison" in check.cached and set(check.validated) <= set(check.cached)
            print_summary(check.slug, check.findings, check.checks_run, unchanged=unchanged)
        else:
            with contextlib.suppress(OSError):
                check.report.unlink(missing_ok=True)  # an earlier verdict no longer holds
    return [check for check, _digests in located]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _timed(job: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    return job(), time.perf_counter() - started


def check_article(folder: Path, build_root: Path, options: dict) -> tuple[list[Finding], Path]:
    """One article: its findings and its check.json; an article that cannot be checked raises."""
    (check,) = check_articles([folder], build_root, options)
    if check.error is not None:
        raise check.error
    return check.findings, check.report
