"""The volume's own words, rendered once by pandoc: its title, editors, preface, and how to cite
each article as a chapter of it.

The pack file's fields are Markdown like an article's front matter, so they go through the same
custom writer (resolve/lua/resolve.lua) as an article: each field comes back as HTML and plain text,
and the raw-HTML policy is applied to all of it, with errors on the pack file's lines. The
"Cite this article" entry of every article names the pack as its container; it is formatted by
citeproc with the article's style in the pack (the pack's `style:`, else the article's own), in
one pandoc run per style, however many articles there are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pubpipe import console
from pubpipe.errors import BibliographyError, UnsafeContentError
from pubpipe.load.sanitize import check_html
from pubpipe.packs.spec import PackSpec
from pubpipe.resolve import CiteAs, Field, ResolvedDocument
from pubpipe.resolve.pandoc import LUA_WRITER, pandoc_limits, pandoc_path, run_pandoc
from pubpipe.runtime.cache import OutputCache, digest

CITE_KEY = "pubpipe-cite"
# The writer formats each chapter citation with a citeproc call of its own (one entry, never
# disambiguated against the others), and pandoc's memory grows with every call: 100 chapters in
# one run peaked at 284 MiB. So the citations go to pandoc in runs of this many, and a changed
# article's title or authors re-runs only its own run.
CHAPTERS_PER_RUN = 20


@dataclass(frozen=True)
class Front:
    title: Field
    subtitle: Field | None
    editors: list[Field]
    date: Field | None
    rights: Field | None
    description: Field | None
    keywords: list[Field]
    preface_html: str | None
    lang: str
    pandoc_version: str
    citations: dict[str, CiteAs]  # slug -> how to cite the article in this pack


def chapter_record(spec: PackSpec, doc: ResolvedDocument) -> dict:
    """The article as a chapter of the pack, as a CSL item. Its authors are named as the article's
    own citation names them (the original publication's record when it names the same number of
    authors, else the front matter's names, split as load/citation.py splits them)."""
    from pubpipe.load.citation import citation_record, csl_name

    cited = citation_record(doc.article.metadata, doc.article.slug)  # the original publication, or the article
    named = cited.get("author") if isinstance(cited.get("author"), list) else None
    own = doc.article.metadata.authors
    authors = named if named and len(named) == len(own) else [csl_name(author) for author in own]
    record = {
        "id": f"pack-{doc.article.slug}",
        "type": "chapter",
        "title": doc.article.metadata.title,
        "author": authors,
        "container-title": spec.title + (f": {spec.subtitle}" if spec.subtitle else ""),
        "editor": [{"literal": name} for name in spec.editors],
    }
    if spec.date:
        record["issued"] = {"date-parts": [[int(part) for part in spec.date.split("-")[:3]]]}
    return record


def _source(spec: PackSpec, lang: str, records: list[dict], with_fields: bool) -> tuple[str, str]:
    """(the metadata as YAML, the Markdown body). The metadata goes to pandoc as a file of its own,
    and the body is read with YAML blocks off: a `---` block in the preface is text, never keys
    that make pandoc read files (an article's second block is refused; a preface's is not obeyed)."""
    meta: dict = {"lang": lang, CITE_KEY: records}
    body = ""
    if with_fields:
        meta["title"] = spec.title
        for key in ("subtitle", "date", "rights", "description"):
            if getattr(spec, key):
                meta[key] = getattr(spec, key)
        body = spec.preface.value if spec.preface else ""
    else:
        meta["title"] = spec.title
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), body + "\n"


def _front_for_writer(spec: PackSpec) -> str:
    """The fields the resolve writer takes as the load step read them (resolve/pandoc.py): the
    editors in the authors' place."""
    return json.dumps({"own_record": None, "authors": spec.editors, "affiliations": [], "keywords": spec.keywords,
                       "date_shown": bool(spec.date)}, ensure_ascii=False)


def _run(spec: PackSpec, source: tuple[str, str], style: Path, cache: OutputCache, part: int) -> dict:
    """One pandoc run of the resolve writer over a document made of the pack's fields."""
    scratch = (cache.root / "front").resolve()  # absolute: the sandbox changes into it by name
    name = f"{digest(str(style))[:10]}-{part}.md"
    meta, body = source
    command = [pandoc_path(), "+RTS", f"-M{pandoc_limits()[1]}", "-RTS", name, "--from=markdown-yaml_metadata_block",
               f"--metadata-file={name}.yaml",
               f"--to={LUA_WRITER}", "--wrap=none", "--shift-heading-level-by=1", "--sandbox", f"--csl={style}",
               f"--metadata=pubpipe-front:{_front_for_writer(spec)}"]
    key = digest(*command, meta, body, style.read_bytes(), LUA_WRITER.read_bytes())

    def run() -> bytes:
        scratch.mkdir(parents=True, exist_ok=True)
        (scratch / f"{name}.yaml").write_text(meta, encoding="utf-8")
        (scratch / name).write_text(body, encoding="utf-8")
        return json.dumps(run_pandoc(command, cwd=scratch, reads=[style])).encode("utf-8")

    stdout, stderr = json.loads(cache.fetch(f"front/{name}.json", key, run))
    for warning in (line.strip() for line in stderr.splitlines() if line.strip()):
        missing = re.search(r"citation (\S+) not found", warning)
        if missing:
            raise BibliographyError(f"the preface cites @{missing.group(1)}, but a pack has no bibliography",
                                    path=spec.path, line=_line_in_preface(spec, "@" + missing.group(1)),
                                    hint="cite the work in one of the articles, or write the reference out in full")
        console.warning(f"{spec.path}: pandoc: {warning}")
    return json.loads(stdout)


def _line_in_preface(spec: PackSpec, needle: str) -> int | None:
    if spec.preface is None:
        return None
    for offset, line in enumerate(spec.preface.value.split("\n")):
        if needle.lower() in line.lower():
            return spec.preface.line + offset
    return spec.preface.line


def _field(value: dict | None) -> Field | None:
    if not value or value.get("html") is None:
        return None
    return Field(html=value["html"].strip(), text=value["text"].strip())


def _refuse_unsafe(spec: PackSpec, fields: list[tuple[str, str | None]]) -> None:
    """The raw-HTML policy (load/sanitize.py) on everything the pack file contributes."""
    for what, fragment in fields:
        found = check_html(fragment or "", what)
        if found:
            message, needles = found[0]
            line = next((line for needle in needles if needle and (line := _line_of(spec, needle))), None)
            raise UnsafeContentError(message, path=spec.path, line=line,
                                     hint="remove it: a pack may use plain HTML for layout but nothing that runs or fetches")
        if fragment and "<img" in fragment:
            raise UnsafeContentError(f"{what} shows an image, but a pack has no folder for images", path=spec.path,
                                     line=_line_of(spec, "!["), hint="put images in an article of the pack instead")


def _line_of(spec: PackSpec, needle: str) -> int | None:
    for number, line in enumerate(spec.path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle.lower() in line.lower():
            return number
    return None


def _citations(docs: list[ResolvedDocument], records: list[dict], result: dict) -> dict[str, CiteAs]:
    entries = {entry["id"]: entry for entry in result.get("cite_entries") or []}
    citations = {}
    for doc, record in zip(docs, records):
        entry = entries.get(record["id"]) or {}
        if (entry.get("html") or "").strip():
            citations[doc.article.slug] = CiteAs(entry_html=entry["html"].strip(), record=record,
                                                 exports=entry.get("exports") or {})
    return citations


def resolve_front(spec: PackSpec, lang: str, documents: list[ResolvedDocument], pack_style: Path | None,
                  cache: OutputCache) -> Front:
    """The pack's fields and preface, and every article's chapter citation."""
    by_style: dict[Path, list[ResolvedDocument]] = {}
    for doc in documents:
        by_style.setdefault(pack_style or doc.style, []).append(doc)
    main_style = pack_style or documents[0].style
    by_style.setdefault(main_style, [])
    citations: dict[str, CiteAs] = {}
    data: dict = {}
    for style, all_docs in by_style.items():
        for part, docs in enumerate([all_docs[i:i + CHAPTERS_PER_RUN] for i in range(0, len(all_docs), CHAPTERS_PER_RUN)] or [[]]):
            records = [chapter_record(spec, doc) for doc in docs]
            with_fields = style == main_style and part == 0
            result = _run(spec, _source(spec, lang, records, with_fields), style, cache, part)
            if with_fields:
                data = result
            citations.update(_citations(docs, records, result))
    front = Front(
        title=_field(data.get("title")) or Field(spec.title, spec.title),
        subtitle=_field(data.get("subtitle")),
        editors=[field for item in data.get("authors") or [] if (field := _field(item))],
        date=_field(data.get("date")),
        rights=_field(data.get("rights")),
        description=_field(data.get("description")),
        keywords=[field for item in data.get("keywords") or [] if (field := _field(item))],
        preface_html=(data.get("body") or "").strip() or None,
        lang=lang,
        pandoc_version=data.get("pandoc_version", ""),
        citations=citations,
    )
    _refuse_unsafe(spec, [
        ("the preface", front.preface_html),
        *((f"'{key}:'", getattr(front, key).html if getattr(front, key) else None)
          for key in ("title", "subtitle", "date", "rights", "description")),
        *(("'editor:'", editor.html) for editor in front.editors),
        *(("'keywords:'", keyword.html) for keyword in front.keywords),
        *(("the citation of an article in the pack", cite.entry_html) for cite in citations.values()),
    ])
    return front
