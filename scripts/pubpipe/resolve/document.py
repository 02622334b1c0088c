"""The resolved document: what the resolve step hands to every edition.

Every field that depends on the citation style or on Markdown (the body, the title, the authors,
the original publication's entry) is rendered once, by pandoc, and carried here as HTML with its
plain text beside it, so that no edition formats anything itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pubpipe.load.article import Article
from pubpipe.resolve.crossref import Target


@dataclass(frozen=True)
class Field:
    """A metadata value rendered once by pandoc: `html` for display, `text` for metadata slots."""

    html: str
    text: str


@dataclass(frozen=True)
class CiteAs:
    """How to cite the article where it is read, when that is not its original publication: in a
    course pack, the pack is the container (packs.front formats the entry with the same style)."""

    entry_html: str
    record: dict
    exports: dict[str, str]  # the record as pandoc writes it for reference managers (see original_exports)


@dataclass(frozen=True)
class ResolvedDocument:
    article: Article
    style: Path
    body_html: str
    title: Field
    subtitle: Field | None
    authors: list[Field]
    date: Field | None
    rights: Field | None
    description: Field | None
    keywords: list[Field]
    original_entry_html: str | None
    # The original publication's record as pandoc writes it for reference managers: format -> text
    # ("bibtex", "csljson"); empty without `original.record`.
    original_exports: dict[str, str]
    pandoc_version: str
    warnings: list[str]
    # The authors' affiliations, each once, in order of first mention; article.metadata.authors
    # says which author has which (by name) and carries the ORCID iDs.
    affiliations: list[Field] = ()
    abstract: Field | None = None  # block HTML: it may hold paragraphs
    own_entry_html: str | None = None  # the article's own record, formatted, when there is no original
    # The original record's entry and the cited record's titles as text, formulas in Unicode
    # ("On the α-decay of ²³⁸U"), for the metadata that holds only text (meta tags, dc:source).
    original_entry_text: str | None = None
    record_titles: dict = field(default_factory=dict)  # "title", "container-title"
    cite_as: CiteAs | None = None  # in a course pack: the article as a chapter of the pack
    # A PDF figure's page as PNG, by the image name the body gives it (resolve/pdf_figures.py).
    rendered_figures: dict = field(default_factory=dict)

    @property
    def cite_entry_html(self) -> str | None:
        """What "Cite this article" shows: in a course pack, the pack's citation of the article;
        else the original publication, else the article itself."""
        if self.cite_as is not None:
            return self.cite_as.entry_html
        return self.original_entry_html or self.own_entry_html
    targets: list[Target] = field(default_factory=list)  # numbered figures, tables, equations, labelled sections

    @property
    def cite_record(self) -> dict:
        """The CSL item behind `cite_entry_html`, for the citation downloads and tags."""
        from pubpipe.load.citation import citation_record

        return self.cite_as.record if self.cite_as else citation_record(self.article.metadata, self.article.slug)

    @property
    def cite_titles(self) -> dict[str, str]:
        """`title` and `container-title` of `cite_record` as text, formulas in Unicode (pandoc's
        reading of them); empty in a course pack, whose citation of the article is another record."""
        return {} if self.cite_as else self.record_titles

    @property
    def cite_exports(self) -> dict[str, str]:
        return self.cite_as.exports if self.cite_as else self.original_exports

    @property
    def style_name(self) -> str:
        return self.style.stem

