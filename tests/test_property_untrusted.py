"""Property: no generated article reads outside its folder, reaches the network, or crashes.

Hypothesis writes articles that mix the moves an attacker would try (tests/untrusted.py has the
victim, the planted secret and the loopback listener): front matter keys that make citeproc read
or fetch, set at the top or in a hidden YAML block in the body; raw HTML with URLs and CSS whose
`url(` is spelled with every escape CSS allows; metadata fields with raw HTML; SVG images with
style sheets, DTDs, animations and presentation attributes. Whatever it writes, the build may
refuse it (any exit status the README lists) but must never

- put the planted secret into an edition, a report or a message,
- make the loopback listener count a request, while building or when a browser opens the HTML,
- end in exit 70 (an internal error).

The builds run without the OS sandbox (PUBPIPE_SANDBOX=off): the policy checks must hold on their
own. Thirty examples build the HTML only; ten near misses build all three editions and open the
HTML in headless Chromium.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from untrusted import FIXTURES, SLUG, VICTIM_BODY, VICTIM_FRONT, VICTIM_REFS, assert_no_secret

INTERNAL_ERROR = 70
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# --- what an attacker points at ------------------------------------------------------------------

def targets(secret_dir: Path, url: str) -> st.SearchStrategy[str]:
    """Places outside the article: the planted files, by every spelling, and the listener."""
    files = [secret_dir / name for name in ("secret.txt", "secret.bib", "secret.yaml", "secret.csl", "secret.svg", "secret.png")]
    spellings = [str(path) for path in files] + [path.as_uri() for path in files]
    spellings += ["../" * 12 + str(path).lstrip("/") for path in files]  # up to / from any folder, then down
    port = url.rsplit(":", 1)[1]
    spellings += [f"{url}/x.png", f"{url}/style.csl", f"{url}/refs.bib", f"//127.0.0.1:{port}/x.png",
                  f"http://localhost:{port}/x.css", f"HTTP://127.0.0.1:{port}/y"]
    # Seven times in ten something harmless (the article's own files, a fragment, a page to link
    # to), so that a fair share of the articles build and their editions can be opened.
    harmless = st.sampled_from(["chart.png", "refs.yaml", "#refs", "https://example.org/page"])
    return st.integers(0, 9).flatmap(lambda n: st.sampled_from(spellings) if n < 3 else harmless)


def spelled(word: str) -> st.SearchStrategy[str]:
    """`word` as CSS may spell it: each letter as it is, in upper case, or as a hex escape."""
    def letter(char: str) -> st.SearchStrategy[str]:
        code = ord(char)
        return st.sampled_from([char, char.upper(), f"\\{code:x} ", f"\\{code:06x}", f"\\{code:X}", "\\" + char])
    return st.tuples(*[letter(char) for char in word]).map("".join)


def css_values(target: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    quoted = st.tuples(st.sampled_from(["", "'", '"']), target).map(lambda pair: f"{pair[0]}{pair[1]}{pair[0]}")
    loading = st.one_of(
        st.tuples(spelled("url"), st.sampled_from(["(", "( "]), quoted).map(lambda t: f"{t[0]}{t[1]}{t[2]})"),
        st.tuples(spelled("image-set"), quoted).map(lambda t: f"{t[0]}({t[1]} 1x)"),
        st.tuples(spelled("src"), quoted).map(lambda t: f"{t[0]}({t[1]})"),
        quoted.map(lambda value: f"cross-fade(url({value}), red 50%)"),
    )
    harmless = st.sampled_from(["red", "rgb(10, 20, 30)", "calc(1em + 2px)", "url(#local)", "'text'"])
    return st.integers(0, 3).flatmap(lambda n: loading if n == 0 else harmless)


def css_declarations(target: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    names = st.integers(0, 4).flatmap(lambda n: spelled("behavior") if n == 0 else st.sampled_from(
        ["background", "background-image", "list-style", "cursor", "--x", "fill", "filter", "mask", "content", "border-image"]))
    one = st.tuples(names, css_values(target)).map(lambda pair: f"{pair[0]}: {pair[1]}")
    imports = st.tuples(spelled("import"), target).map(lambda pair: f"@{pair[0]} '{pair[1]}'")
    declaration = st.integers(0, 4).flatmap(lambda n: imports if n == 0 else one)
    return st.lists(declaration, min_size=1, max_size=3).map("; ".join)


# Raw HTML and Markdown that name a URL; {url} is where the attacker points. The first four use
# elements an article may use, so only the URL decides; the others are refused whatever it is.
URL_TEMPLATES = [
    '<img src="{url}" alt="an image">', "![an image]({url})", '<a href="{url}">a link</a>',
    '<blockquote cite="{url}">quoted</blockquote>', '<link rel="stylesheet" href="{url}">',
    '<iframe src="{url}"></iframe>', '<video poster="{url}"></video>', '<object data="{url}"></object>',
    '<svg><image href="{url}"/></svg>', '<img src="chart.png" alt="x" srcset="{url} 2x">',
]
ALLOWED_ELEMENTS = 4


def html_snippets(target: st.SearchStrategy[str], near_misses: bool = False) -> st.SearchStrategy[str]:
    """Raw HTML; with `near_misses`, only what an article may write but for its URLs and CSS."""
    css = css_declarations(target)
    attribute_css = css.map(lambda value: value.replace('"', "'"))
    templates = URL_TEMPLATES[:ALLOWED_ELEMENTS] if near_misses else URL_TEMPLATES
    snippets = [
        st.tuples(st.sampled_from(["span", "div", "p", "em", "table"]), attribute_css).map(
            lambda pair: f'<{pair[0]} style="{pair[1]}">styled</{pair[0]}>'),
        attribute_css.map(lambda value: f'[styled]{{style="{value}"}}'),
        st.tuples(st.sampled_from(templates), target).map(lambda pair: pair[0].format(url=pair[1])),
    ]
    if not near_misses:
        snippets.append(css.map(lambda value: f"<style>p {{ {value} }}</style>"))
    return st.one_of(*snippets)


def svg_images(target: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    css = css_declarations(target)
    pieces = st.lists(st.one_of(
        css.map(lambda value: f"<style>rect {{ {value} }}</style>"),
        css.map(lambda value: f'<rect width="5" height="5" style="{value.replace(chr(34), chr(39))}"/>'),
        st.tuples(st.sampled_from(["fill", "filter", "mask", "clip-path", "marker-end", "stroke"]), css_values(target)).map(
            lambda pair: f'<rect width="5" height="5" {pair[0]}="{pair[1].replace(chr(34), chr(39))}"/>'),
        target.map(lambda value: f'<image href="{value}" width="5" height="5"/>'),
        target.map(lambda value: f'<a href="#x"><set attributeName="href" to="{value}"/><text y="9">x</text></a>'),
        st.just('<rect width="5" height="5" fill="url(#g)"/>'),
    ), min_size=1, max_size=3)
    prolog = st.one_of(
        st.just(""),
        target.map(lambda value: f'<?xml-stylesheet type="text/css" href="{value}"?>\n'),
        target.map(lambda value: f'<!DOCTYPE svg SYSTEM "{value}">\n'),
        target.map(lambda value: f'<!DOCTYPE svg [<!ENTITY x SYSTEM "{value}">]>\n'),
    )
    return st.tuples(prolog, pieces).map(lambda pair: (
        '<?xml version="1.0"?>\n' + pair[0] + '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20">\n'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient></defs>\n'
        + "\n".join(pair[1]) + "\n</svg>\n"))


READ_OR_FETCH = ["bibliography", "csl", "citation-style", "citation-abbreviations"]


@st.composite
def articles(draw, secret_dir: Path, url: str, near_misses: bool = False) -> dict:
    """{"front": front matter, "body": body, "svg": an SVG image's text or None}.

    With `near_misses`, the front matter keeps the victim's own bibliography and style, the raw
    HTML uses allowed elements only, and there is no SVG (a browser shows one as an image, which
    fetches nothing), so that more of the articles build and are opened."""
    target = targets(secret_dir, url)
    front = dict(VICTIM_FRONT)
    for key in draw(st.lists(st.sampled_from(READ_OR_FETCH + ["original"]), max_size=0 if near_misses else 2, unique=True)):
        front[key] = {"file": draw(target)} if key == "original" else draw(target)
    for key in draw(st.lists(st.sampled_from(["title", "subtitle", "rights", "description"]), max_size=2, unique=True)):
        front[key] = f"Words {draw(html_snippets(target, near_misses))} more"
    blocks = draw(st.lists(html_snippets(target, near_misses), max_size=3))
    hidden = draw(st.lists(st.tuples(st.sampled_from(READ_OR_FETCH), target, st.sampled_from(["", "> ", "  "])),
                           max_size=0 if near_misses else 1))
    for key, value, prefix in hidden:
        blocks.append("\n".join(prefix + line for line in ["---", f"{key}: {value}", "---"]))
    svg = None if near_misses else draw(st.one_of(st.none(), svg_images(target)))
    if svg is not None:
        blocks.append("![A figure.](figure.svg)")
    body = "Text [@doe2001].\n\n" + "\n\n".join(blocks) + "\n\n" + VICTIM_BODY
    return {"front": front, "body": body, "svg": svg}


# --- the property ----------------------------------------------------------------------------------

def build_untrusted(generated: dict, formats: str, capfd) -> tuple[int, str, Path]:
    """Write the generated article next to the good victim's files and build it; return
    (exit status, everything printed, the build folder)."""
    from pubpipe.cli import main

    root = Path(tempfile.mkdtemp(prefix="pubpipe-property-"))
    folder = root / "source" / SLUG
    folder.mkdir(parents=True)
    text = "---\n" + yaml.safe_dump(generated["front"], allow_unicode=True, sort_keys=False) + "---\n\n" + generated["body"]
    (folder / "article.md").write_text(text, encoding="utf-8")
    (folder / "refs.yaml").write_text(VICTIM_REFS, encoding="utf-8")
    shutil.copy(FIXTURES / "features" / "chart.png", folder / "chart.png")
    if generated["svg"] is not None:
        (folder / "figure.svg").write_text(generated["svg"], encoding="utf-8")
    capfd.readouterr()
    status = main(["build", SLUG, "--formats", formats, "--source", str(root / "source"), "--build", str(root / "build")])
    out, err = capfd.readouterr()
    return status, out + err, root


def check_example(generated: dict, formats: str, capfd, listener, keep: Path | None = None) -> None:
    """Build one generated article and check the property; with `keep`, a built HTML edition is
    kept in that folder, to be opened as a reader would open it once all the examples are built."""
    before = len(listener.requests)
    status, printed, root = build_untrusted(generated, formats, capfd)
    event(f"exit {status}")  # pytest --hypothesis-show-statistics: how many built, how many were refused
    try:
        assert status != INTERNAL_ERROR and "Traceback" not in printed and "internal error" not in printed, printed
        assert_no_secret(root / "build", printed)
        assert listener.requests[before:] == [], f"the build reached the network: {listener.requests}"
        if keep is not None and status == 0:
            shutil.copy(root / "build" / SLUG / f"{SLUG}.html", keep / f"{len(list(keep.glob('*.html')))}.html")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def no_sandbox(monkeypatch):
    monkeypatch.setenv("PUBPIPE_SANDBOX", "off")


@pytest.fixture(scope="module")
def outside(planted_secret):
    return planted_secret.parent


def test_no_generated_article_leaks_reaches_out_or_crashes(outside, listener, no_sandbox, capfd):
    @settings(max_examples=30, **SETTINGS)
    @given(generated=articles(outside, listener.url))
    def html_only(generated):
        check_example(generated, "html", capfd, listener)

    html_only()


def test_no_generated_article_leaks_in_any_edition_or_in_a_browser(outside, listener, no_sandbox, capfd, tmp_path):
    """Every edition of each generated article; then every web edition that was built, opened in
    one browser as a reader would open it, wide and light, then narrow and dark."""
    from browser import probe_pages

    pages = tmp_path / "pages"
    pages.mkdir()

    @settings(max_examples=10, **SETTINGS)
    @given(generated=articles(outside, listener.url, near_misses=True))
    def all_editions(generated):
        check_example(generated, "html,epub,pdf", capfd, listener, pages)

    all_editions()
    before = len(listener.requests)
    probes = [{"file": str(page), "width": width, "height": 800, "dark": dark, "media": "", "expressions": {}}
              for page in sorted(pages.glob("*.html")) for width, dark in ((1280, False), (360, True))]
    if probes:
        probe_pages(probes, tmp_path / "probe")
    assert listener.requests[before:] == [], f"a reader's browser reached the network: {listener.requests}"
