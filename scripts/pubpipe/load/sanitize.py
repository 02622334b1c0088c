"""The raw-HTML policy: active or fetching content is refused, with the file and line.

Pandoc Markdown lets an author write raw HTML (inline, or in `{=html}` blocks) and attributes
(`{onclick=…}`), and pandoc passes them through to the HTML it writes. An article built by an
editorial office may come from anyone, so before any edition is made, every piece of HTML that
resolve produced (the body and each metadata field) is checked here:

- elements: only those pandoc itself writes for Markdown, plus harmless inline HTML (`<kbd>`,
  `<abbr>`, `<details>` …). `<script>`, `<iframe>`, `<object>`, `<embed>`, `<form>`, `<link>`,
  `<meta>`, `<base>`, `<style>`, `<svg>`, media elements and anything unknown are refused;
- MathML: only pandoc's own (raw HTML <math> is refused by pubpipe.resolve.math), and inside it
  only presentation elements with the same attribute checks: no `<maction>`, no
  `<annotation-xml>` (which can carry HTML), no links out;
- attributes: `on*=` handlers, `srcset`, `formaction` and the like are refused;
- URLs: links may be http(s), ftp, mailto, tel or relative; `javascript:`, `data:` (outside images),
  `file:` and every other scheme are refused, however they are spelled (entities, tabs, case);
- `style=` may not load anything (`url(`, `@import`, `expression(`), however its CSS is escaped
  (read with a CSS tokenizer: pubpipe.load.css);
- images (pubpipe.load.images) are the article's own files, decoded before any edition is made;
  SVG images (pubpipe.load.svg) may not run, embed or load anything.

We refuse rather than strip: stripping would change what the author wrote without their seeing it,
and a refused article is fixed once, by its author, where the error points. The refusal is a
`UnsafeContentError` (exit status 6) naming the file, the line and what was found. Since every
edition renders from this one checked result, the policy holds for HTML, EPUB and PDF alike.

Raw blocks for other formats (`{=latex}`, `\\newpage`) are not a risk, but pandoc's HTML writer
drops them without a word; resolve reports each as a warning with its line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import lxml.etree
import lxml.html

from pubpipe.errors import UnsafeContentError
from pubpipe.load.css import declarations_load
from pubpipe.load.images import check_images
from pubpipe.load.svg import IMAGE_DATA

ALLOWED_ELEMENTS = frozenset(
    """
    a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd del
    details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd
    label li mark nav ol p pre q rp rt ruby s samp section small span strong sub summary sup table
    tbody td tfoot th thead time tr u ul var wbr
    """.split()
)
# MathML that pandoc writes from TeX (texmath), allowed only inside <math>.
MATHML_ELEMENTS = frozenset(
    """
    math semantics annotation mrow mi mo mn ms mtext mspace mfrac msqrt mroot mstyle merror mpadded
    mphantom menclose msub msup msubsup munder mover munderover mmultiscripts mprescripts none
    mtable mtr mtd mlabeledtr
    """.split()
)
# Refused with a reason a reader understands; anything else outside ALLOWED_ELEMENTS is "not allowed".
ACTIVE_ELEMENTS = {
    "script": "runs code in the reader",
    "noscript": "is only there when scripts are", "template": "holds hidden markup",
    "iframe": "embeds another page", "frame": "embeds another page", "frameset": "embeds other pages",
    "object": "embeds a plug-in or another page", "embed": "embeds a plug-in", "applet": "embeds a plug-in",
    "form": "sends what readers type", "input": "is a form control", "button": "is a form control",
    "textarea": "is a form control", "select": "is a form control",
    "link": "fetches a file", "meta": "can redirect or refresh the page", "base": "changes where every link points",
    "style": "can fetch files and restyle the page", "svg": "can carry scripts",
    "audio": "fetches media", "video": "fetches media",
    "source": "fetches media", "track": "fetches media", "picture": "fetches images", "canvas": "needs scripts",
}
# pandoc's HTML writer makes a Markdown image of any other file one of these, by its extension
# (`![](notes.txt)`, `![](clip.mp4)`); the author wrote an image, so the message says so, with its line.
MEDIA_ELEMENTS = {"embed": "a plug-in", "video": "a video player", "audio": "an audio player"}
REFUSED_ATTRIBUTES = frozenset(
    "srcset formaction action background poster ping manifest lowsrc dynsrc http-equiv xlink:href "
    "xmlns:xlink codebase archive".split()
)
# xml:base changes what every relative link under it leads to, in a reader that obeys it.
URL_ATTRIBUTES = ("href", "src", "cite", "longdesc", "data", "usemap", "itemtype", "xml:base")
LINK_SCHEMES = ("http", "https", "ftp", "mailto", "tel")
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Browsers ignore these inside a URL's scheme, so `java&#9;script:` must count as `javascript:`.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
MAX_LISTED = 8
BODY = "the article's text"


def check_html(fragment: str, what: str, images: bool = True) -> list[tuple[str, list[str]]]:
    """The refused constructs of an HTML fragment: (message, strings that locate it in the source).

    `images` is False for metadata fields: the editions embed the body's images only, so an
    image in a title would be fetched from wherever the edition is read (or not shown at all).
    """
    if not fragment.strip():
        return []
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return []
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        # libxml2 stops reading, without an error, at 256 nested elements or a text, comment or
        # attribute of 10 MB: what follows would reach the editions unchecked (a course pack's
        # page pastes a description as it is).
        text = " ".join(root.text_content().split())[:30]
        return [(f"{what} is refused: it holds elements nested 256 deep or a text, comment or attribute of 10 MB, "
                 "past which the HTML checks cannot read", [text, fragment.lstrip()[:30]])]
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are never shown or run
        tag = element.tag.lower()
        mathml = tag in MATHML_ELEMENTS and (tag == "math" or _inside_math(element))
        if tag in MEDIA_ELEMENTS and element.get("src"):
            src = element.get("src")
            found.append((f"'{src[:60]}' in {what} would be embedded as {MEDIA_ELEMENTS[tag]} (<{tag}>), which is refused: "
                          "a Markdown image of a file that is no picture gives this, as raw HTML does; the editions "
                          "show PNG, JPEG, GIF, WebP and SVG images and PDF figures", [f"]({src}", src[:40], f"<{tag}"]))
            continue
        if element is not root and tag not in ALLOWED_ELEMENTS and not mathml and not _task_checkbox(element, tag):
            reason = ACTIVE_ELEMENTS.get(tag, "is not one of the HTML elements an article may use")
            found.append((f"raw HTML <{tag}> in {what} is refused: it {reason}", [f"<{tag}"]))
            continue
        if tag == "img" and not images:
            src = element.get("src") or ""
            found.append((f"an image ({src[:60]}) in {what} is refused: only the article's body may show images",
                          [src, "<img", "!["]))
        for name, value in element.attrib.items():
            problem = _attribute_problem(tag, name.lower(), value)
            if problem:
                needles = [f'{name}="{value}"', f"{name}='{value}'", f"{name}={value}", value[:40], f"{name}=", name]
                found.append((f"{problem} in {what}", needles))
    return found


def _inside_math(element) -> bool:
    return any(isinstance(a.tag, str) and a.tag.lower() == "math" for a in element.iterancestors())


def _task_checkbox(element, tag: str) -> bool:
    """pandoc writes `- [ ] item` as a disabled checkbox; that one form control is harmless."""
    return tag == "input" and element.get("type") == "checkbox" and set(element.attrib) <= {"type", "checked", "disabled"}


def _attribute_problem(tag: str, name: str, value: str) -> str | None:
    if name.startswith("on"):
        return f"the event handler {name}= on <{tag}> is refused: it runs code in the reader"
    if name in REFUSED_ATTRIBUTES:
        return f"the attribute {name}= on <{tag}> is refused: it fetches or sends data"
    if name == "style" and (loads := declarations_load(value)):
        return f"a style= on <{tag}> that loads something ({loads}) is refused"
    if name == "rel" and "attachment" in value.lower():
        return f"rel=\"attachment\" on <{tag}> is refused: it embeds a file in the PDF"
    if name in URL_ATTRIBUTES:
        url = URL_NOISE.sub("", value).lower()
        scheme = SCHEME.match(url)
        if tag == "img" and name == "src":
            if scheme and scheme.group(1) == "data" and not IMAGE_DATA.match(url):
                return "an image given as a data: URL that is not PNG, JPEG, GIF or WebP is refused"
            return None  # local files and remote URLs are judged by the editions' image check
        # href is a link a reader follows, and cite= a source no browser fetches: both may be http(s).
        if url.startswith("//") or (scheme and (name not in ("href", "cite") or scheme.group(1) not in LINK_SCHEMES)):
            shown = scheme.group(1) + ":" if scheme else "//"
            return f"the {shown} URL in {name}= on <{tag}> is refused"
    return None


def locate(needles: Iterable[str], files: list[tuple[Path, str]], lines: range | None = None) -> tuple[Path | None, int | None]:
    """The first file and line that contains one of `needles`, case-insensitively.

    `lines` narrows the search in the first file (article.md) to its body or its front matter;
    the other files (bibliographies) are searched whole.
    """
    for needle in needles:
        if not needle or not needle.strip():
            continue
        lowered = needle.lower()
        for index, (path, text) in enumerate(files):
            for number, line in enumerate(text.split("\n"), start=1):
                if index == 0 and lines is not None and number not in lines:
                    continue
                if lowered in line.lower():
                    return path, number
    return None, None


def _locate_in(needles: Iterable[str], files: list[tuple[Path, str]], lines: range) -> tuple[Path | None, int | None]:
    """`locate` in the part of article.md the fragment came from, else anywhere: text can move from
    the front matter into the body (Quarto's `{{< meta key >}}`), and its line is still the one to fix."""
    path, line = locate(needles, files, lines)
    return (path, line) if line is not None else locate(needles, files)


# The front matter key of a resolved document's field, where the two names differ.
FRONT_MATTER_KEYS = {"authors": "author", "affiliations": "affiliation"}


def rendered_fields(doc) -> list[tuple[str, str]]:
    """(front matter key, HTML) for every metadata field the editions show.

    Every field of the resolved document that pandoc rendered (a resolve.Field, or a list of
    them) is taken, so a field that is added to the document later is checked without a word here.
    """
    import dataclasses

    found = []
    for item in dataclasses.fields(doc):
        value = getattr(doc, item.name)
        key = FRONT_MATTER_KEYS.get(item.name, item.name)
        for field in value if isinstance(value, list) else [value]:
            if hasattr(field, "html") and hasattr(field, "text"):
                found.append((key, field.html))
    return found


def check_document(doc, cache=None) -> None:
    """Apply the policy to everything resolve produced; raise UnsafeContentError on the first find.

    `doc` is a resolve.ResolvedDocument (not imported: resolve imports this module); `cache`, the
    build's store, where the images' verdicts are kept (load/images.py).
    """
    article = doc.article
    fields = [(BODY, doc.body_html, True), ("the citation of the original", doc.original_entry_html, False),
              ("the article's own citation", doc.own_entry_html, False)]
    fields += [(f"the front matter field '{key}'", html, False) for key, html in rendered_fields(doc)]
    # Nesting first: text nested deeper than the layout takes is the author's to fix at its line
    # (exit 3), whatever the parser's own limit (256 levels) makes of it below.
    body = lxml.html.fragment_fromstring(doc.body_html or "<p></p>", create_parent="div")
    check_nesting(article, body)
    for what, fragment, _images in fields[3:] + fields[1:3]:  # a field before the citations that quote it
        if fragment and fragment.strip():
            check_nesting(article, lxml.html.fragment_fromstring(fragment, create_parent="div"), range(1, article.body_start_line), what)
    found = [(what, finding) for what, fragment, images in fields for finding in check_html(fragment or "", what, images)]
    if found:
        files = _source_files(article)
        front_lines = range(1, article.body_start_line)
        body_lines = range(article.body_start_line, article.text.count("\n") + 2)
        located = [
            (message, *_locate_in(needles, files, body_lines if what == BODY else front_lines))
            for what, (message, needles) in found
        ]
        message, path, line = located[0]
        others = "".join(
            f"\n  also {other_path or article.source}{f':{other_line}' if other_line else ''}: {other}"
            for other, other_path, other_line in located[1:MAX_LISTED]
        )
        if len(located) > MAX_LISTED:
            others += f"\n  and {len(located) - MAX_LISTED} more"
        raise UnsafeContentError(
            message + others,
            path=path or article.source, line=line,
            hint="remove it: articles may use plain HTML for layout but nothing that runs, "
            "fetches or submits (see the raw-HTML policy in the README)",
        )
    # A PDF figure's picture was made in resolve from a file checked there (resolve/pdf_figures.py).
    check_images(article, [src for img in body.iter("img") if (src := img.get("src") or "") not in doc.rendered_figures],
                 cache)


# Elements inside each other (block quotes in block quotes, lists in lists): WeasyPrint lays
# out nested boxes by recursion, and about 110 levels exhaust Python's stack. Real articles
# stay far below this.
MAX_NESTING = 64


def check_nesting(article, body, lines: range | None = None, what: str = "the text") -> None:
    """Refuse a body (or a front matter field: `what`, searched for in `lines`) nested deeper
    than the PDF layout can take, with the line of its deepest text."""
    depth_of = {body: 0}
    deepest, depth = body, 0
    for element in body.iterdescendants():
        depth_of[element] = depth_of[element.getparent()] + 1
        if depth_of[element] > depth:
            deepest, depth = element, depth_of[element]
    if depth <= MAX_NESTING:
        return
    text = " ".join(deepest.text_content().split())[:40]
    lines = lines or range(article.body_start_line, article.text.count("\n") + 2)
    whole = " ".join(body.text_content().split())[:30]  # where the deepest text is none the parser kept
    _path, line = locate([text, whole], [(article.source, article.text)], lines)
    from pubpipe.errors import ArticleError

    raise ArticleError(
        f"{what} is nested {depth} levels deep (block quotes, lists or divs inside each other); "
        f"the editions can take {MAX_NESTING}",
        path=article.source, line=line,
        hint="nest fewer block quotes or lists inside each other",
    )


def _source_files(article) -> list[tuple[Path, str]]:
    from pubpipe.load.text_file import read_text_file

    files = [(article.source, article.text)]
    for name in article.metadata.bibliography:
        try:
            files.append((article.folder / name, read_text_file(article.folder / name)))
        except Exception:  # only used to give a line; the bibliography was read once already
            continue
    return files
