"""CSS that loads anything is refused however it is escaped, in the body, in every metadata field
the editions show, and in SVG images.

Browsers unescape CSS before they act on it: `\\75 rl(`, `u\\72l(` and `\\000075rl(` are all
`url(`. The policy reads CSS with a real tokenizer (pubpipe.load.css), so these are caught with
the file and line. Each case spoils the `victim` (tests/untrusted.py); the `case` fixture checks
that the planted secret is nowhere and the loopback listener saw no request.
"""

from __future__ import annotations

import pytest

from untrusted import VICTIM_BODY, article_text

UNSAFE = 6


def line_of(text: str, needle: str) -> int:
    return next(number for number, line in enumerate(text.split("\n"), start=1) if needle in line)


ESCAPED_URLS = [
    r"background: \75 rl({url}/a.png)",
    r"background: u\72l({url}/b.png)",
    r"background: \000075rl({url}/c.png)",
    r"background: U\52L({url}/d.png)",
    r"background-image: \75\72\6c({url}/e.png)",
    r"background: url( '{url}/f.png' )",
    "background: image-set('{url}/g.png' 1x)",
    r"b\65havior: url({url}/h.htc)",
    "--custom: url({url}/i.png)",
    "background: cross-fade(url({url}/j.png), red 50%)",
    "background: ur&#108;({url}/k.png)",
]


@pytest.mark.parametrize("style", ESCAPED_URLS)
def test_a_style_attribute_that_loads_is_refused_however_it_is_escaped(case, listener, style):
    snippet = f'<span style="{style.format(url=listener.url)}">styled</span>'
    text = article_text(body=f"Text [@doe2001].\n\nA {snippet} word.\n\n" + VICTIM_BODY)
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "style=", f"article.md:{line_of(text, 'styled')}", "loads")


def test_harmless_styles_still_build(case):
    body = ('Text [@doe2001] <span style="color: rgb(150, 0, 0); font-variant: small-caps; '
            'width: calc(1em + 2px)">kept</span>.\n\n' + VICTIM_BODY)
    case.article(article_text(body=body))
    result = case.build("--formats", "html")
    assert result.status == 0, result.text
    assert "small-caps" in case.edition("html").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", ["title", "subtitle", "author", "rights", "description", "keywords"])
def test_a_remote_image_in_a_metadata_field_is_refused_with_its_line(case, listener, key):
    value = f'Words <img src="{listener.url}/{key}.png" alt="x"> more'
    text = article_text(**{key: [value] if key in ("author", "keywords") else value})
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, f"'{key}'", f"article.md:{line_of(text, key + '.png')}", "image")


def test_a_local_image_in_the_title_is_refused_with_its_line(case):
    text = article_text(title="A title ![with a chart](chart.png)")
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "'title'", f"article.md:{line_of(text, 'title:')}", "only the article's body")


def test_escaped_css_in_a_metadata_field_is_refused(case, listener):
    text = article_text(subtitle=rf'A <span style="background: \75 rl({listener.url}/s.png)">subtitle</span>')
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "'subtitle'", f"article.md:{line_of(text, 'subtitle:')}", "style=")


def test_raw_html_in_the_original_record_is_refused(case, listener):
    record = {"type": "book", "title": f'A book <img src="{listener.url}/record.png">', "issued": 2001}
    text = article_text(original={"record": record})
    case.article(text)
    case.assert_refused(case.build(), UNSAFE, "original", f"article.md:{line_of(text, 'record.png')}", "image")


# --- SVG ---------------------------------------------------------------------------------------

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20">\n'
SVG_ATTACKS = {
    "xml-stylesheet": '<?xml version="1.0"?>\n<?xml-stylesheet type="text/css" href="{url}/s.css"?>\n'
                      + SVG_HEAD + '<rect width="5" height="5"/>\n</svg>\n',
    "external-dtd": '<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "{url}/svg.dtd">\n' + SVG_HEAD + "</svg>\n",
    "fill": SVG_HEAD + '<rect width="5" height="5"\n fill="url({url}/p.svg#paint)"/>\n</svg>\n',
    "filter": SVG_HEAD + '<rect width="5" height="5" filter="url({url}/f.svg#f)"/>\n</svg>\n',
    "mask": SVG_HEAD + '<rect width="5" height="5" mask="url(\'{url}/m.svg#m\')"/>\n</svg>\n',
    "clip-path": SVG_HEAD + '<rect width="5" height="5" clip-path="url({url}/c.svg#c)"/>\n</svg>\n',
    "marker": SVG_HEAD + '<path d="M0 0L5 5" marker-end="url({url}/k.svg#k)"/>\n</svg>\n',
    "escaped-fill": SVG_HEAD + '<rect width="5" height="5" fill="\\75 rl({url}/p.svg#paint)"/>\n</svg>\n',
    "style-with-fragment": SVG_HEAD + '<rect width="5" height="5"\n style="fill: url(#g); background: url({url}/b.png)"/>\n</svg>\n',
    "set-href": SVG_HEAD + '<a href="#x"><set attributeName="href" to="{url}/page"/><text y="9">x</text></a>\n</svg>\n',
    "animate-xlink-href": SVG_HEAD + '<a xlink:href="#x"><animate attributeName="xlink:href" values="{url}/p" dur="1s"/>'
                          '<text y="9">x</text></a>\n</svg>\n',
    "style-escape": SVG_HEAD + "<style>\nrect {{ fill: \\75 rl({url}/p.svg#paint) }}\n</style>\n</svg>\n",
    "style-import": SVG_HEAD + "<style>@import '{url}/s.css';</style>\n</svg>\n",
    "svg-namespaced-href": SVG_HEAD + '<x:image xmlns:x="http://www.w3.org/2000/svg" x:href="{url}/i.png" width="5" height="5"/>\n</svg>\n',
}


@pytest.mark.parametrize("attack", sorted(SVG_ATTACKS))
def test_svg_css_and_links_that_load_are_refused_with_their_line(case, listener, attack):
    svg = SVG_ATTACKS[attack].format(url=listener.url)
    case.write("figure.svg", svg)
    case.article(article_text(body="Text [@doe2001].\n\n![A figure.](figure.svg)\n"))
    case.assert_refused(case.build(), UNSAFE, f"figure.svg:{line_of(svg, listener.url)}", "SVG")
