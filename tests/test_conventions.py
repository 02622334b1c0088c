"""What the front matter of other conventions becomes in every edition: authors with affiliations
and ORCID iDs, dates read into ISO, the abstract, "Cite this article" from the article's own
metadata, style nicknames and the citation forms a note style garbles."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
import lxml.html
from lxml import etree
from pypdf import PdfReader

from conftest import Built, build_into
from pubpipe.check.read_html import read_html
from pubpipe.check.run import check_article
from pubpipe.resolve import resolve
from pubpipe.load.article import load_article
from pubpipe.load.authors import Author
from pubpipe.load.citation import csl_name, own_record
from pubpipe.resolve.styles import style_by_name

CORPUS = Path(__file__).resolve().parent / "corpus"
NO_VALIDATORS = {"validators": False}


@pytest.fixture(scope="module")
def joss(tmp_path_factory) -> Built:
    return build_into(CORPUS, "joss-tidewatch", tmp_path_factory.mktemp("joss"))


@pytest.fixture(scope="module")
def quarto(tmp_path_factory) -> Built:
    return build_into(CORPUS, "quarto-journal", tmp_path_factory.mktemp("quarto"))


def opf_of(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read("EPUB/content.opf"))


DC = {"dc": "http://purl.org/dc/elements/1.1/"}


def test_joss_authors_reach_every_edition_with_affiliations_and_orcid(joss):
    html = joss.edition("html").read_text(encoding="utf-8")
    tags = re.findall(r'<meta name="(citation_author[a-z_]*)" content="([^"]*)">', html)
    assert tags[:4] == [
        ("citation_author", "Marit Solberg"),
        ("citation_author_institution", "Department of Earth Science, University of Bergen, Norway"),
        ("citation_author_institution", "Coastal Observation Lab, Lisbon, Portugal"),
        ("citation_author_orcid", "https://orcid.org/0000-0002-1825-0097"),
    ]
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["author"][0]["sameAs"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["author"][2]["affiliation"] == [{"@type": "Organization", "name": "Independent Researcher, Japan"}]
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html and '<ol class="affiliations">' in html
    opf = opf_of(joss.edition("epub"))
    assert [e.text for e in opf.iterfind(".//dc:creator", DC)] == ["Marit Solberg", "Tomás Ferreira", "Aiko Watanabe"]
    assert PdfReader(joss.edition("pdf")).metadata["/Author"] == "Marit Solberg, Tomás Ferreira, Aiko Watanabe"


def test_a_written_out_date_is_iso_in_the_metadata_and_as_written_on_the_page(joss):
    """`date: 11 October 2019` once left the EPUB without dc:date and dated the PDF 1980-01-01."""
    opf = opf_of(joss.edition("epub"))
    assert [e.text for e in opf.iterfind(".//dc:date", DC)] == ["2019-10-11"]
    assert PdfReader(joss.edition("pdf")).metadata["/CreationDate"].startswith("D:20191011")
    html = joss.edition("html").read_text(encoding="utf-8")
    assert '<meta name="DC.date" content="2019-10-11">' in html
    assert '<time datetime="2019-10-11">11 October 2019</time>' in html
    assert check_article(CORPUS / "joss-tidewatch", joss.build, NO_VALIDATORS)[0] == []


def test_the_abstract_is_in_every_edition(quarto):
    source = "Soil moisture carries the memory of past rain"
    assert source in quarto.edition("html").read_text(encoding="utf-8")
    with zipfile.ZipFile(quarto.edition("epub")) as archive:
        assert source in archive.read("EPUB/titlepage.xhtml").decode("utf-8")
    from pubpipe.check.read_pdf import read_pdf

    assert read_pdf(quarto.edition("pdf")).metadata["abstract"].startswith(source)
    assert read_html(quarto.edition("html")).metadata["abstract"].endswith("after wet springs.")


def test_a_changed_abstract_is_caught_as_metadata(quarto, tmp_path):
    import shutil

    build = tmp_path / "build"
    shutil.copytree(quarto.build, build)
    html = build / quarto.slug / f"{quarto.slug}.html"
    html.write_text(html.read_text(encoding="utf-8").replace("after wet springs", "after dry springs"), encoding="utf-8")
    findings, _ = check_article(CORPUS / quarto.slug, build, NO_VALIDATORS)
    assert [f.code for f in findings if "abstract" in f.message] == ["X-007", "X-007", "F-002"], findings


def test_cite_this_article_comes_from_the_articles_own_metadata(quarto):
    """No original.record: the box cites the article itself, with Quarto's citation: fields."""
    html = quarto.edition("html").read_text(encoding="utf-8")
    box = re.search(r'<aside class="cite-this".*?</aside>', html, re.S).group(0)
    assert "Mensah, Kofi" in box and "Journal of Example Hydrology" in box and "10.5555/example.2024.003" in box
    assert 'download="quarto-journal.bib"' in box and 'download="quarto-journal.ris"' in box
    assert '<meta name="citation_journal_title" content="Journal of Example Hydrology">' in html
    assert '<meta name="citation_doi" content="10.5555/example.2024.003">' in html


@pytest.mark.parametrize("written, parts", [
    ("Ada Lovelace", {"given": "Ada", "family": "Lovelace"}),
    ("Николай Лобачевский", {"given": "Николай", "family": "Лобачевский"}),
    ("Maria de la Cruz", {"given": "Maria", "non-dropping-particle": "de la", "family": "Cruz"}),
    ("Doe, Jane Q.", {"given": "Jane Q.", "family": "Doe"}),
    ("Martin Luther King, Jr.", {"given": "Martin Luther", "family": "King", "suffix": "Jr."}),
    ("Henry Ford III", {"given": "Henry", "family": "Ford", "suffix": "III"}),
    ("Plato", {"literal": "Plato"}),
    ("山田 太郎", {"literal": "山田 太郎"}),
    ("*Jane* Doe", {"literal": "*Jane* Doe"}),
])
def test_a_name_written_whole_is_split_by_bibtex_rule_for_its_citation(written, parts):
    """Without the split, a style that inverts the first author prints "Ada Lovelace, and …"."""
    assert csl_name(Author(written)) == parts


def _folder(parent: Path, name: str, files: dict[str, str]) -> Path:
    """An article folder written from its files' texts."""
    folder = parent / name
    folder.mkdir()
    for file_name, text in files.items():
        (folder / file_name).write_text(text, encoding="utf-8")
    return folder


def test_a_literal_name_an_organisation_stays_whole(tmp_path):
    folder = _folder(tmp_path, "org", {"article.md": (
        "---\ntitle: Report\nauthor:\n  - name:\n      literal: World Weather Watch\n  - literal: The Editors\n"
        "  - name: Ann Smith\n---\n\nText.\n")})
    record = own_record(load_article(folder).metadata, "org")
    assert record["author"] == [{"literal": "World Weather Watch"}, {"literal": "The Editors"},
                                {"given": "Ann", "family": "Smith"}]


@pytest.mark.parametrize("nickname, style", [
    ("mla", "modern-language-association"), ("MLA", "modern-language-association"),
    ("chicago", "chicago-notes-bibliography-17th-edition"), ("harvard", "harvard-cite-them-right"),
    ("turabian", "chicago-notes-bibliography-subsequent-author-title-17th-edition"),
])
def test_style_nicknames_name_their_styles(nickname, style):
    assert style_by_name(nickname).stem == style


def test_note_style_citation_forms_that_lose_words_are_warned_with_their_line(tmp_path):
    folder = _folder(tmp_path, "cases", {
        "refs.yaml": "references:\n- id: smith\n  type: article-journal\n  title: A study\n"
                     "  author: [{family: Smith, given: Ann}]\n  container-title: Journal\n  volume: 2\n  issued: 2001\n",
        "article.md": "---\ntitle: Cases\nbibliography: refs.yaml\n---\n\nFirst @smith.\n\nAs @smith [p. 4] argues.\n\n"
                      "See [@smith, 2:214].\n",
    })
    warnings = resolve(load_article(folder)).warnings
    # The line of the use that has the locator, not of the key's first use (line 6).
    assert any(w.startswith("line 8: '@smith [p. 4]'") and "[@smith, p. 4]" in w for w in warnings), warnings
    assert any(w.startswith("line 10: the locator '2:214'") and "[@smith, 214]" in w for w in warnings), warnings
    # An author-date style keeps the author in the text: nothing to warn about there.
    assert not [w for w in resolve(load_article(folder), "apa").warnings if "'@smith [p. 4]'" in w]


def test_the_abstract_block_passes_the_nu_checker_beside_an_abstract_heading(tmp_path):
    """The title block's abstract is no <section> without a heading (Nu warns of that), and its id
    is its own: an article may also have an "Abstract" heading (pandoc-scholar writes one)."""
    from pubpipe.check.validators import run_nu

    folder = tmp_path / "source" / "both"
    folder.mkdir(parents=True)
    (folder / "article.md").write_text(
        "---\ntitle: Both\nauthor: Ann Lee\nlang: en\nabstract: A short abstract in the front matter.\n---\n\n"
        "# Abstract\n\nThe abstract as a section of the text.\n\n# Body\n\nThe text.\n", encoding="utf-8")
    built = build_into(folder.parent, "both", tmp_path / "build", "--formats", "html")
    html = built.edition("html").read_text(encoding="utf-8")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)) and "article-abstract" in ids and "abstract" in ids
    assert run_nu(built.edition("html")) == []


def test_pandoc_scholars_typed_citations_cite_their_works(tmp_path):
    """pandoc-scholar writes why a work is cited before its key (@cites_as_evidence:doe2020, a
    property of CiTO); the property is taken off, as pandoc-scholar's filter does, and the work is
    cited. A key whose prefix is no CiTO property (smith:2020) is the author's own and stays."""
    folder = tmp_path / "source" / "typed"
    folder.mkdir(parents=True)
    (folder / "refs.yaml").write_text(
        "references:\n"
        "- {id: doe2020, type: book, title: Evidence Gathered, author: [{family: Doe, given: Jane}], issued: 2020}\n"
        "- {id: 'smith:2021', type: book, title: A Colon in the Key, author: [{family: Smith, given: Al}], issued: 2021}\n",
        encoding="utf-8")
    (folder / "article.md").write_text(
        "---\ntitle: Typed citations\nauthor: A. Writer\nbibliography: refs.yaml\ncsl: apa\n---\n\n"
        "Surveys support this [@cites_as_evidence:doe2020], as @agrees_with:doe2020 and [@smith:2021] say.\n",
        encoding="utf-8")
    built = build_into(folder.parent, "typed", tmp_path / "build", "--formats", "html")
    summary = read_html(built.edition("html"))
    text = " ".join(block.text for block in summary.body)
    assert "(Doe, 2020)" in text and "Doe (2020)" in text and "(Smith, 2021)" in text, text
    assert "cites_as_evidence" not in text and "agrees_with" not in text
    assert [entry.text.split(".")[0] for entry in summary.bibliography] == ["Doe, J", "Smith, A"]


@pytest.fixture(scope="module")
def particles(tmp_path_factory) -> Built:
    return build_into(CORPUS, "joss-saltmarsh", tmp_path_factory.mktemp("particles"))


def test_name_particles_and_suffixes_reach_every_edition_and_the_citation(particles):
    """JOSS's dropping-particle, a non-dropping particle and a suffix under `name:` were read and
    then dropped: "Pieter de Vries" became "Pieter Vries" everywhere."""
    shown = ["Pieter de Vries", "Anna van der Berg", "Samuel Okafor Jr."]
    html = particles.edition("html").read_text(encoding="utf-8")
    assert re.findall(r'<span class="author">([^<]*)', html) == shown
    assert re.findall(r'<meta name="citation_author" content="([^"]*)">', html) == shown
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert [(p["name"], p["familyName"]) for p in data["author"]] == list(zip(shown, ["Vries", "van der Berg", "Okafor"]))
    assert [e.text for e in opf_of(particles.edition("epub")).iterfind(".//dc:creator", DC)] == shown
    assert PdfReader(particles.edition("pdf")).metadata["/Author"] == ", ".join(shown)
    box = re.search(r'<aside class="cite-this".*?</aside>', html, re.S).group(0)
    assert "Vries, Pieter de" in box and "van der Berg" in box and "Jr." in box, box
    downloads = {kind: unquote(data) for kind, data in re.findall(r'href="data:application/([a-z.+-]+);charset=utf-8,([^"]*)"', box)}
    assert "author = {Vries, Pieter de and van der Berg, Anna and Okafor" in downloads["x-bibtex"], downloads
    assert "AU  - Vries, Pieter de" in downloads["x-research-info-systems"]
    assert "AU  - Okafor, Samuel, Jr." in downloads["x-research-info-systems"]
    csl = json.loads(downloads["vnd.citationstyles.csl+json"])
    assert csl[0]["author"][:2] == [{"given": "Pieter", "dropping-particle": "de", "family": "Vries"},
                                    {"given": "Anna", "non-dropping-particle": "van der", "family": "Berg"}]


def test_quartos_name_map_keeps_every_part(tmp_path):
    folder = _folder(tmp_path, "quarto-names", {"index.qmd": (
        "---\ntitle: Names\nauthor:\n"
        "  - name: {given: Ludwig, dropping-particle: van, family: Beethoven}\n"
        "  - name:\n      given: Martin Luther\n      family: King\n      suffix: Jr.\n"
        "  - name: {given: Jean, non-dropping-particle: \"d'\", family: Alembert}\n"
        "  - name: {literal: Tachibana Taki, given: Taki, family: Tachibana}\n---\n\nText.\n")})
    meta = load_article(folder).metadata
    assert meta.author_names == ["Ludwig van Beethoven", "Martin Luther King Jr.", "Jean d'Alembert", "Tachibana Taki"]
    assert own_record(meta, "quarto-names")["author"] == [
        {"given": "Ludwig", "dropping-particle": "van", "family": "Beethoven"},
        {"given": "Martin Luther", "family": "King", "suffix": "Jr."},
        {"given": "Jean", "non-dropping-particle": "d'", "family": "Alembert"},
        {"given": "Taki", "family": "Tachibana"},
    ]


def test_a_corresponding_authors_address_is_in_every_edition(particles):
    """JOSS's `corresponding: true` with `email:` was read and shown nowhere."""
    shown = "Correspondence: Pieter de Vries p.devries@example.org"
    html = particles.edition("html").read_text(encoding="utf-8")
    block = lxml.html.fromstring(html).find_class("correspondence")[0]
    assert " ".join(block.text_content().split()) == shown
    assert block.find(".//a").get("href") == "mailto:p.devries@example.org"
    with zipfile.ZipFile(particles.edition("epub")) as archive:
        assert "mailto:p.devries@example.org" in archive.read("EPUB/titlepage.xhtml").decode("utf-8")
    pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(particles.edition("pdf")).pages).split())
    assert shown in pdf_text
    assert "a.vanderberg@example.org" not in html  # not marked corresponding: reported, not shown


def test_author_details_no_edition_shows_are_reported_with_their_lines(tmp_path):
    text = ("---\ntitle: Details\nauthor:\n"
            "  - name: Ama Owusu\n    email: ama@example.org\n    roles: [writing, software]\n"
            "    note: Present address unknown.\n    attributes:\n      equal-contributor: true\n      corresponding: false\n"
            "    afiliation: Somewhere\n"
            "  - name: Kwame Mensah\n    email: not an address\n    corresponding: true\n---\n\nText.\n")
    folder = _folder(tmp_path, "details", {"index.qmd": text})
    notices = load_article(folder).metadata.notices
    lines = text.split("\n")
    expected = {
        ("email: ama@example.org", "the e-mail address of Ama Owusu is not shown"),
        ("roles:", "the 'roles' of Ama Owusu is not shown in any edition"),
        ("note:", "the 'note' of Ama Owusu is not shown in any edition"),
        ("equal-contributor:", "the attribute 'equal-contributor' of Ama Owusu is not shown in any edition"),
        ("afiliation:", "unknown author key 'afiliation' of Ama Owusu is ignored; did you mean 'affiliation'?"),
        ("email: not an address", "'not an address' (Kwame Mensah) is not an e-mail address"),
    }
    for written, message in expected:
        line = next(number for number, content in enumerate(lines, start=1) if written in content)
        assert any(at == line and message in said for at, said in notices), (written, notices)


def test_quartos_copyright_and_license_make_the_rights_statement(tmp_path):
    """Quarto's `license:` and `copyright:` were accepted and then shown nowhere."""
    front = ("---\ntitle: Rights\nauthor: Ama Owusu\ncopyright:\n  holder: Ama Owusu\n  year: 2024\n"
             "license:\n  text: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n---\n\nText.\n")
    folder = _folder(tmp_path, "rights", {"index.qmd": front})
    assert load_article(folder).metadata.rights == "© 2024 Ama Owusu. [CC BY 4.0](<https://creativecommons.org/licenses/by/4.0/>)"
    build_into(tmp_path, "rights", tmp_path / "build", "--formats", "html,epub")
    html = (tmp_path / "build" / "rights" / "rights.html").read_text(encoding="utf-8")
    assert '<meta name="DC.rights" content="© 2024 Ama Owusu. CC BY 4.0">' in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in re.search(r'<p class="rights".*?</p>', html).group(0)
    with zipfile.ZipFile(tmp_path / "build" / "rights" / "rights.epub") as archive:
        rights = etree.fromstring(archive.read("EPUB/content.opf")).find(".//dc:rights", DC)
    assert rights.text == "© 2024 Ama Owusu. CC BY 4.0"


def test_a_license_beside_rights_is_reported_not_shown_twice(tmp_path):
    text = "---\ntitle: Rights\nrights: All rights reserved.\nlicense: CC BY\n---\n\nText.\n"
    meta = load_article(_folder(tmp_path, "both", {"index.qmd": text})).metadata
    assert meta.rights == "All rights reserved."
    assert [(line, said.split(":")[0]) for line, said in meta.notices] == [(4, "'license")]


# --- a note in the front matter ---------------------------------------------------------------

TIDES = "---\ntitle: A study of tides\nlang: en\n{extra}---\n\nThe sea rose twice a day.^[Measured at the pier.]\n"


@pytest.mark.parametrize("front, key, marked", [
    ("title: A study of tides^[Funded by the Sea Trust.]\n", "title", "Funded by"),
    ("subtitle: \"Neap and spring^[Funded by the Sea Trust.]\"\n", "subtitle", "Neap"),
    ("authors:\n  - name: Ann Lee\n    affiliation: 1\naffiliations:\n  - name: Harbour Lab^[Closed in 2020.]\n    index: 1\n",
     "affiliations", "Closed in 2020"),
    ("author:\n  - Ann Lee\n  - Ben Okoro^[Now at the Sea Trust.]\n", "author", "Now at"),
    ("abstract: |\n  We study tides.\n\n  Over ten years.^[With gaps.]\n", "abstract", "With gaps"),
])
def test_a_note_in_the_front_matter_is_refused_at_its_line(tmp_path, capsys, front, key, marked):
    """A note in the title broke every edition: ids fn1 twice, the note at title size, again in
    the Cite box. It is refused where it is written."""
    text = TIDES.replace("title: A study of tides\n", "" if front.startswith("title:") else "title: A study of tides\n")
    text = text.replace("{extra}", front)
    _folder(tmp_path, "tides", {"article.md": text})
    from pubpipe.cli import main

    assert main(["build", "tides", "--source", str(tmp_path), "--build", str(tmp_path / "build"), "--formats", "html"]) == 3
    line = next(number for number, content in enumerate(text.split("\n"), start=1) if marked in content)
    error = capsys.readouterr().err
    assert f"article.md:{line}: the front matter's '{key}' has a note" in error, error
    assert "hint: take the note out of the front matter" in error
    assert not (tmp_path / "build" / "tides" / "tides.html").exists()


def test_a_note_put_in_the_title_fails_make_and_keeps_the_editions_built_before(tmp_path):
    from make_harness import link_project, run_make

    root = link_project(tmp_path / "project")
    (root / "source").mkdir()
    _folder(root / "source", "tides", {"article.md": TIDES.replace("{extra}", "")})
    assert run_make(root, "ARTICLE=tides").returncode == 0
    editions = {suffix: (root / "build" / "tides" / f"tides.{suffix}").read_bytes() for suffix in ("html", "epub", "pdf")}
    article = root / "source" / "tides" / "article.md"
    article.write_text(TIDES.replace("title: A study of tides", "title: A study of tides^[Funded by the Sea Trust.]")
                       .replace("{extra}", ""), encoding="utf-8")
    result = run_make(root, "ARTICLE=tides")
    assert result.returncode == 2 and "make: 1 failed: tides (exit 3)" in result.stderr, result.stderr
    assert "article.md:2: the front matter's 'title' has a note" in result.stderr
    assert {suffix: (root / "build" / "tides" / f"tides.{suffix}").read_bytes() for suffix in editions} == editions


# --- Quarto's conditional content ---------------------------------------------------------------

CONDITIONAL = """---
title: Where the river meets the sea
lang: en
show-drafts: false
---

The channel moves a little every winter.

::: {.content-visible when-format="html"}
Zoom into the channel map on the web page.

::: {.content-visible when-meta="show-drafts"}
A draft remark for the editors.
:::
:::

::: {.content-hidden when-format="html"}
The printed map faces page one.
:::

Soundings are taken [weekly]{.content-visible unless-format="pdf"}[monthly]{.content-visible when-format="pdf"} at the bar.

```{.r .content-visible when-format="pdf"}
plot(soundings)
```

Quarto writes `{.content-hidden when-format="pdf"}` for such a case.
"""


def test_quartos_conditional_content_is_the_same_in_every_edition_and_reported(tmp_path, capsys):
    """Both alternatives of a when-format pair were shown in every edition, one after the other."""
    _folder(tmp_path, "estuary", {"index.qmd": CONDITIONAL})
    built = build_into(tmp_path, "estuary", tmp_path / "build")
    lines = CONDITIONAL.split("\n")
    at = lambda needle: next(n for n, line in enumerate(lines, start=1) if needle in line)  # noqa: E731
    error = capsys.readouterr().err
    for needle, fate in [('{.content-visible when-format="html"}', "shown in"), ('when-meta="show-drafts"', "left out of"),
                         ('{.content-hidden when-format="html"}', "left out of"), ("```{.r", "left out of")]:
        assert re.search(rf"index.qmd:{at(needle)}: Quarto's \S+ [^\n]* is {fate} every edition", error), (needle, error)
    html = built.edition("html").read_text(encoding="utf-8")
    with zipfile.ZipFile(built.edition("epub")) as archive:
        epub = " ".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xhtml"))
    pdf = " ".join(" ".join(page.extract_text() for page in PdfReader(built.edition("pdf")).pages).split())
    words = lambda markup: " ".join(re.sub(r"<[^>]+>", "", markup).split())  # noqa: E731
    for edition in (words(html), words(epub), pdf):
        assert "Zoom into the channel map" in edition and "weekly at the bar" in edition
        assert "draft remark" not in edition and "printed map" not in edition and "plot(soundings)" not in edition
        assert "monthly" not in edition
    assert '{.content-hidden when-format="pdf"}' in html and "pubpipe-line" not in html
    assert "unknown front matter key 'show-drafts'" not in error  # a key a condition reads is no typo
    assert check_article(tmp_path / "estuary", tmp_path / "build", NO_VALIDATORS)[0] == []


# --- citation details ---------------------------------------------------------------------------

def test_bibtex_braces_in_a_thesis_type_are_not_printed(tmp_path):
    """pandoc keeps BibTeX's `type` raw: "{PhD} dissertation" was printed with its braces."""
    _folder(tmp_path, "harbour", {
        "article.md": "---\ntitle: Harbour records\nbibliography: refs.bib\n---\n\nAs @kauri2019 shows.\n",
        "refs.bib": ("@phdthesis{kauri2019,\n  author = {Kauri, Mere},\n  title = {Tidal knowledge in harbour towns},\n"
                     "  school = {University of Otago},\n  year = {2019},\n  type = {{PhD} dissertation},\n}\n")})
    build_into(tmp_path, "harbour", tmp_path / "build", "--formats", "html")
    html = (tmp_path / "build" / "harbour" / "harbour.html").read_text(encoding="utf-8")
    assert "{PhD}" not in html and html.count("PhD dissertation, University of Otago") == 2  # the note and the bibliography


def test_a_title_in_guillemets_is_not_quoted_twice_in_the_cite_box(tmp_path):
    _folder(tmp_path, "marees", {"article.md": (
        "---\ntitle: «\u00a0Les marées de la baie\u00a0»\nauthor: Jeanne Morel\nlang: fr-FR\n---\n\nLa mer monte.\n")})
    build_into(tmp_path, "marees", tmp_path / "build", "--formats", "html")
    html = (tmp_path / "build" / "marees" / "marees.html").read_text(encoding="utf-8")
    entry = re.sub(r"<[^>]+>", "", re.search(r'<aside class="cite-this".*?<p class="csl-entry">(.*?)</p>', html, re.S).group(1))
    assert entry.replace("\u00a0", " ").replace("\u202f", " ") == "Morel, Jeanne. « “Les marées de la baie” »."
    assert "«\u00a0Les marées de la baie\u00a0»</h1>" in html  # the title itself as written


def test_a_name_the_bibtex_rule_would_split_wrongly_is_reported(tmp_path):
    """ "Élodie Le Gall" was cited "Gall, Élodie Le" without a word (the documented rule)."""
    text = ("---\ntitle: Names\nauthor:\n  - Élodie Le Gall\n  - name: Dr. Wiremu Rangi\n  - Martin Luther King\n"
            "  - name: Aoife Ní Bhriain\n    given: Aoife\n    family: Ní Bhriain\n---\n\nText.\n")
    notices = load_article(_folder(tmp_path, "names", {"article.md": text})).metadata.notices
    assert [(line, said.split(" by ")[0]) for line, said in notices] == [
        (4, "the citation splits 'Élodie Le Gall'"), (5, "the citation splits 'Dr. Wiremu Rangi'")]
    assert "'Le' for part of the given name" in notices[0][1] and "'Dr.' for" in notices[1][1]
