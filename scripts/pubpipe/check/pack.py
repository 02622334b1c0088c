"""`pubpipe check --pack <name>`: a course pack against its articles, its contents and itself.

- X-011: every article, in each of the pack's three editions, carries the text, headings, notes,
  citations, captions, bibliography and list numbers of its standalone edition (the web edition, as built; the
  standalone check proves the other two equal to it). When the pack sets a style of its own, the
  standalone edition is in another style, so the article is compared with its source resolved in
  the pack's style instead; so is an article named by a path outside source/, which has no
  standalone edition. "Cite this article" must give the pack's citation of the article, and
  "Originally published in" the article's own.
- X-012: the contents list the articles in the pack's order under their titles, and in the PDF
  each entry's page number is the page its link leads to, as labelled and as printed there.
- X-007: the volume's metadata (title, subtitle, editors, language, date, identifier, rights,
  description, keywords) agrees between the three editions and with the pack file.
- the validators, on the volume: EPUBCheck and Ace on the EPUB, the Nu checker and axe on the
  web pages, the PDF checks on the PDF (one bookmark per heading of the whole volume).
Findings go to build/packs/<name>/check.json, like an article's.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pubpipe.check import validators
from pubpipe.check.compare import compare, compare_metadata
from pubpipe.check.findings import CHECKS, Finding, verdict
from pubpipe.check.read_html import read_html
from pubpipe.check.read_pack import ContentsEntry, pdf_contents, pdf_metadata, read_pack_epub, read_pack_html, read_pack_pdf
from pubpipe.check.read_source import read_source
from pubpipe.check.report import print_summary, write_json
from pubpipe.check.run import _as_findings, _timed
from pubpipe.check.summary import Summary, normalise_text, words
from pubpipe.editions import output_path
from pubpipe.errors import ToolError
from pubpipe.labels import article_labels
from pubpipe.packs.build import Prepared, pack_folder, prepare_pack
from pubpipe.resolve import ResolvedDocument

PACK_EDITIONS = ("html", "epub", "pdf")


def _key(text: str | None) -> str:
    return " ".join(words(text or ""))


def _reference(doc: ResolvedDocument, build_root: Path, pack_style: bool, standalone: bool) -> tuple[Summary, str]:
    """What the article must carry: its standalone web edition, or, in the pack's own style, its
    source resolved in that style. An article the pack names by its path outside source/ (a test
    fixture) has no standalone edition in build/ (make builds the articles of source/): it too is
    compared with its source."""
    if standalone and not pack_style:
        path = output_path(build_root, doc.article.slug, "html")
        if not path.is_file():
            raise ToolError(f"the standalone edition {path} is not built", hint="run `make check` (it builds them first)")
        return read_html(path), "standalone html"
    return read_source(doc), f"source in {doc.style_name}"


def _as_article_finding(finding: Finding, slug: str, edition: str, reference: str) -> Finding:
    part = finding.message.split(" differ", 1)[0].split(":", 1)[0]
    return Finding(
        "X-011", finding.editions,
        f"{slug}: {part} of the article in the pack's {edition} differ from its {reference} ({finding.code})",
        where=finding.where, expected=finding.expected, found=finding.found,
    )


def _article_findings(slug: str, edition: str, reference: Summary, label: str, shown: Summary,
                      doc: ResolvedDocument) -> list[Finding]:
    expected_cites = {_key(text) for text in (doc.original_entry_html and _plain(doc.original_entry_html),
                                               _plain(doc.cite_entry_html)) if text}
    found_cites = {_key(c.text) for c in shown.self_citations}
    # Compared under the names the finding gives them (their media unchanged), so that each text
    # and place is reported under its own edition's name.
    bare_reference = Summary(**{**reference.__dict__, "edition": label, "metadata": {}, "self_citations": []})
    bare_shown = Summary(**{**shown.__dict__, "edition": f"pack {edition}", "metadata": {}, "self_citations": []})
    findings = [_as_article_finding(f, slug, edition, label) for f in compare(bare_reference, bare_shown)]
    if found_cites != expected_cites:
        findings.append(Finding("X-011", (f"pack {edition}",), f"{slug}: the article's citation entries in the pack's "
                                f"{edition} are not its original publication and its place in the pack",
                                expected=" | ".join(sorted(expected_cites)), found=" | ".join(sorted(found_cites))))
    return findings


def _plain(html: str | None) -> str | None:
    if not html:
        return None
    import lxml.html

    return normalise_text(lxml.html.fragment_fromstring(html, create_parent="span").text_content())


def _contents_findings(edition: str, entries: list[ContentsEntry], docs: list[ResolvedDocument]) -> list[Finding]:
    findings = []
    expected = [doc.article.slug for doc in docs]
    listed = [entry.slug for entry in entries if entry.slug]
    if listed != expected:
        findings.append(Finding("X-012", (f"pack {edition}",), "the contents do not list the pack's articles in its order",
                                expected=" | ".join(expected), found=" | ".join(str(s) for s in listed)))
    titles = {doc.article.slug: doc.title.text for doc in docs}
    for entry in entries:
        if entry.slug is None:
            findings.append(Finding("X-012", (f"pack {edition}",), "an entry of the contents leads to no article",
                                    found=entry.text))
            continue
        title = _key(titles.get(entry.slug))
        if not _key(entry.text).startswith(title):
            findings.append(Finding("X-012", (f"pack {edition}",), f"the contents give {entry.slug} a title that is not its own",
                                    expected=titles.get(entry.slug, ""), found=entry.text))
        if edition == "pdf":
            printed = entry.text.split()[-1] if entry.text.split() else ""
            if printed != entry.page_label or printed != entry.printed_folio:
                findings.append(Finding(
                    "X-012", ("pack pdf",), f"the contents give {entry.slug} page {printed}, but its first page is "
                    f"labelled {entry.page_label} and numbered {entry.printed_folio}",
                    expected=str(entry.page_label), found=printed))
    return findings


def _front_summary(pack: Prepared) -> Summary:
    front = pack.front
    text = lambda field: normalise_text(field.text) if field else None  # noqa: E731
    return Summary(edition="source", metadata={
        "title": text(front.title), "subtitle": text(front.subtitle), "authors": [text(e) for e in front.editors],
        "language": front.lang, "date": text(front.date), "identifier": pack.spec.identifier,
        "rights": text(front.rights), "description": text(front.description), "keywords": [text(k) for k in front.keywords],
    })


def _heading_count(pack: Prepared, sources: dict[str, Summary]) -> int:
    """The volume's bookmarks: its title, contents and preface (with the preface's headings), and
    for each article its title, its headings and its citation box."""
    import lxml.html

    preface = 0
    if pack.front.preface_html:
        holder = lxml.html.fragment_fromstring(pack.front.preface_html, create_parent="div")
        preface = 1 + sum(1 for _ in holder.iter("h1", "h2", "h3", "h4", "h5", "h6"))
    articles = sum(1 + len(sources[doc.article.slug].headings) + (1 if doc.cite_entry_html else 0) for doc in pack.docs)
    return 2 + preface + articles


def _collect(futures, timings: dict[str, float]) -> list[Finding]:
    """The validators' findings, in the order they were started; each one's time into `timings`."""
    findings = []
    for code, future in futures:
        validator_findings, seconds = future.result()
        findings += validator_findings
        timings[code] = seconds
    return findings


def check_pack(root: Path, name: str, source_root: Path, build_root: Path, options: dict[str, Any]) -> tuple[list[Finding], Path]:
    from pubpipe.editions import default_options

    started = time.perf_counter()
    timings: dict[str, float] = {}
    pack = prepare_pack(root, name, source_root, build_root,
                        dict(default_options(), style=options.get("style"), paper=options.get("paper")))
    folder = pack_folder(build_root, name)
    paths = {"pdf": folder / f"{name}.pdf", "epub": folder / f"{name}.epub", "html": folder / f"{name}.html"}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise ToolError(f"pack editions not built yet: {', '.join(missing)}", hint=f"run `make check` or `make pack PACK={name}`")
    run_validators = options.get("validators", True)
    jobs = []
    if run_validators:
        from pubpipe.check import accessibility

        pages = [paths["html"], *sorted((folder / "articles").glob("*.html"))]

        def accessibility_job() -> list[Finding]:
            # One browser for the EPUB and every web page (run_accessibility_many).
            ace, axe = accessibility.run_accessibility_many([paths["epub"]], pages)
            return _as_findings("V-ACE", "epub", verdict(ace[paths["epub"]])) + [
                finding for page in pages for finding in _as_findings("V-AXE", "html", verdict(axe[page]))]

        jobs = [("V-EPUBCHECK", lambda: validators.run_epubcheck(paths["epub"])),
                ("V-NU", lambda: [finding for page in pages for finding in verdict(validators.run_nu_many(pages)[page])]),
                ("V-ACE+V-AXE", accessibility_job)]
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        futures = [(code, pool.submit(_timed, job)) for code, job in jobs]
        own_style = pack.style is not None
        articles = [(doc.article.slug, doc.title.text, [a.text for a in doc.authors], doc.article.metadata.lang) for doc in pack.docs]
        labels = {doc.article.slug: article_labels(doc.article.metadata) for doc in pack.docs}
        html_meta, html_articles, html_contents = read_pack_html(paths["html"])
        epub_meta, epub_articles, epub_contents = read_pack_epub(paths["epub"])
        shown = {"html": html_articles, "epub": epub_articles, "pdf": read_pack_pdf(paths["pdf"], articles, labels)}
        timings["read"] = time.perf_counter() - started

        findings: list[Finding] = []
        sources = {doc.article.slug: read_source(doc) for doc in pack.docs}
        for doc in pack.docs:
            slug = doc.article.slug
            standalone = doc.article.folder == (source_root / slug).resolve()
            reference, label = _reference(doc, build_root, own_style, standalone)
            for edition in PACK_EDITIONS:
                if slug not in shown[edition]:
                    findings.append(Finding("X-011", (f"pack {edition}",), f"{slug}: the article is missing from the pack's {edition}"))
                    continue
                findings += _article_findings(slug, edition, reference, label, shown[edition][slug], doc)
        findings += _contents_findings("html", html_contents, pack.docs)
        findings += _contents_findings("epub", epub_contents, pack.docs)
        findings += _contents_findings("pdf", pdf_contents(paths["pdf"]), pack.docs)
        metadata = {"html": html_meta, "epub": epub_meta, "pdf": pdf_metadata(paths["pdf"])}
        summaries = [_front_summary(pack)] + [Summary(edition=f"pack {e}", metadata=m) for e, m in metadata.items()]
        for index, a in enumerate(summaries):
            for b in summaries[index + 1:]:
                if "pdf" in b.edition:  # the PDF's one Author field holds every editor's name
                    a = Summary(edition=a.edition, metadata={**a.metadata, "authors": [", ".join(a.metadata.get("authors") or [])]})
                findings += [Finding("X-007", f.editions, f"the volume's {f.message}", f.where, f.expected, f.found)
                             for f in compare_metadata(a, b)]
        findings += validators.check_pdf(paths["pdf"], pack.paper, _heading_count(pack, sources), has_authors=True)
        timings["compare"] = time.perf_counter() - started
        findings += _collect(futures, timings)
    timings["total"] = time.perf_counter() - started
    checks_run = ["X-007", "X-011", "X-012", "V-PDF"] + (["V-EPUBCHECK", "V-NU", "V-ACE", "V-AXE"] if run_validators else [])
    checks_run = [code for code in CHECKS if code in checks_run]
    report = folder / "check.json"
    write_json(report, f"pack {name}", findings, checks_run, timings)
    print_summary(f"pack {name}", findings, checks_run)
    return findings, report
