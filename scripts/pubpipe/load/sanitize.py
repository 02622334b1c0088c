"""The raw-HTML policy: active or fetching content is refused, with the file and line.

Pandoc Markdown lets an author write raw HTML (inline, or in `{=html}` blocks) and attributes
(`{onclick=…}`), and pandoc passes them through to the HTML it writes. An article built by an
editorial office may come from anyone, so before any edition is made, every piece of HTML that
resolve produced (the body and each metadata field) is checked here:

- elements: only those pandoc itself writes for Markdown, plus harmless inline HTML (`<kbd>`,
  `<abbr>`, `<details>` …). `<script>`, `<iframe>`, `<object>`, `<embed>`, `<form>`, `<link>`,
  `<meta>`, `<base>`, `<style>`, `<svg>`, `<math>`, media elements and anything unknown are refused;
- attributes: `on*=` handlers, `srcset`, `formaction` and the like are refused;
- URLs: links may be http(s), ftp, mailto, tel or relative; `javascript:`, `data:` (outside images),
  `file:` and every other scheme are refused, however they are spelled (entities, tabs, case);
- `style=` may not load anything (`url(`, `@import`, `expression(`);
- SVG image files may not carry scripts, handlers, `<foreignObject>`, entities or external links.

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
from pubpipe.runtime.paths import inside_folder

ALLOWED_ELEMENTS = frozenset(
    """
    a abbr address article aside b bdi bdo blockquote br caption cite code col colgroup dd del
    details dfn div dl dt em figcaption figure footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd
    label li mark nav ol p pre q rp rt ruby s samp section small span strong sub summary sup table
    tbody td tfoot th thead time tr u ul var wbr
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
    "math": "is not part of Markdown here", "audio": "fetches media", "video": "fetches media",
    "source": "fetches media", "track": "fetches media", "picture": "fetches images", "canvas": "needs scripts",
}
REFUSED_ATTRIBUTES = frozenset(
    "srcset formaction action background poster ping manifest lowsrc dynsrc http-equiv xlink:href "
    "xmlns:xlink codebase archive".split()
)
URL_ATTRIBUTES = ("href", "src", "cite", "longdesc", "data", "usemap", "itemtype")
LINK_SCHEMES = ("http", "https", "ftp", "mailto", "tel")
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.I)
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
UNSAFE_STYLE = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|image-set\s*\(", re.I)
# Browsers ignore these inside a URL's scheme, so `java&#9;script:` must count as `javascript:`.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
MAX_LISTED = 8
BODY = "the article's text"


def check_html(fragment: str, what: str) -> list[tuple[str, list[str]]]:
    """The refused constructs of an HTML fragment: (message, strings that locate it in the source)."""
    if not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return []
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are never shown or run
        tag = element.tag.lower()
        if element is not root and tag not in ALLOWED_ELEMENTS and not _task_checkbox(element, tag):
            reason = ACTIVE_ELEMENTS.get(tag, "is not one of the HTML elements an article may use")
            found.append((f"raw HTML <{tag}> in {what} is refused: it {reason}", [f"<{tag}"]))
            continue
        for name, value in element.attrib.items():
            problem = _attribute_problem(tag, name.lower(), value)
            if problem:
                needles = [f'{name}="{value}"', f"{name}='{value}'", f"{name}={value}", value[:40], f"{name}=", name]
                found.append((f"{problem} in {what}", needles))
    return found


def _task_checkbox(element, tag: str) -> bool:
    """pandoc writes `- [ ] item` as a disabled checkbox; that one form control is harmless."""
    return tag == "input" and element.get("type") == "checkbox" and set(element.attrib) <= {"type", "checked", "disabled"}


def _attribute_problem(tag: str, name: str, value: str) -> str | None:
    if name.startswith("on"):
        return f"the event handler {name}= on <{tag}> is refused: it runs code in the reader"
    if name in REFUSED_ATTRIBUTES:
        return f"the attribute {name}= on <{tag}> is refused: it fetches or sends data"
    if name == "style" and UNSAFE_STYLE.search(value):
        return f"a style= on <{tag}> that loads something ({value.strip()[:60]}) is refused"
    if name == "rel" and "attachment" in value.lower():
        return f"rel=\"attachment\" on <{tag}> is refused: it embeds a file in the PDF"
    if name in URL_ATTRIBUTES:
        url = URL_NOISE.sub("", value).lower()
        scheme = SCHEME.match(url)
        if tag == "img" and name == "src":
            if scheme and scheme.group(1) == "data" and not IMAGE_DATA.match(url):
                return "an image given as a data: URL that is not PNG, JPEG, GIF or WebP is refused"
            return None  # local files and remote URLs are judged by the editions' image check
        if url.startswith("//") or (scheme and (name != "href" or scheme.group(1) not in LINK_SCHEMES)):
            shown = scheme.group(1) + ":" if scheme else "//"
            return f"the {shown} URL in {name}= on <{tag}> is refused"
    return None


SVG_NAMESPACE_LINKS = ("href", "{http://www.w3.org/1999/xlink}href")


def check_svg(path: Path) -> list[tuple[str, int | None]]:
    """Refused constructs of an SVG file, with their lines (parsed without entities or network)."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = lxml.etree.parse(str(path), parser)
    except (lxml.etree.XMLSyntaxError, OSError) as exc:
        return [(f"the SVG image is not well-formed XML: {exc}", None)]
    found = []
    subset = tree.docinfo.internalDTD
    if subset is not None and (list(subset.iterentities()) or list(subset.iterelements())):
        # A public DOCTYPE alone (as Illustrator writes) is harmless; declarations are not.
        found.append(("the SVG image declares entities or a DTD of its own, which could read other files", 1))
    for element in tree.iter():
        if not isinstance(element.tag, str):
            if isinstance(element, lxml.etree._Entity):
                found.append(("the SVG image uses an entity, which could read other files", element.sourceline))
            continue
        tag = lxml.etree.QName(element).localname.lower()
        if tag in ("script", "foreignobject", "iframe", "handler", "listener"):
            found.append((f"the SVG image holds a <{tag}>, which can run code or embed a page", element.sourceline))
        for name, value in element.attrib.items():
            local = lxml.etree.QName(name).localname.lower()
            if local.startswith("on"):
                found.append((f"the SVG image has an event handler {local}=", element.sourceline))
            elif name in SVG_NAMESPACE_LINKS and not (value.startswith("#") or IMAGE_DATA.match(value.strip())):
                found.append((f"the SVG image links to {value[:60]}; only #fragments inside it are allowed", element.sourceline))
            elif local == "style" and UNSAFE_STYLE.search(value) and "url(#" not in value.replace(" ", ""):
                found.append(("the SVG image has a style that loads something", element.sourceline))
        if tag == "style" and element.text and re.search(r"@import|url\s*\(\s*['\"]?(?!#)", element.text, re.I):
            found.append(("the SVG image's <style> loads something", element.sourceline))
    return found


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


def check_document(doc) -> None:
    """Apply the policy to everything resolve produced; raise UnsafeContentError on the first find.

    `doc` is a resolve.ResolvedDocument (not imported: resolve imports this module).
    """
    article = doc.article
    fields = [(BODY, doc.body_html), ("the citation of the original", doc.original_entry_html),
              ("the article's own citation", doc.own_entry_html)]
    for name in ("title", "subtitle", "date", "rights", "description"):
        value = getattr(doc, name)
        fields.append((f"the front matter field '{name}'", value.html if value else None))
    fields += [("the front matter field 'author'", author.html) for author in doc.authors]
    fields += [("the front matter field 'keywords'", keyword.html) for keyword in doc.keywords]
    fields += [("an affiliation in the front matter", affiliation.html) for affiliation in doc.affiliations]
    fields.append(("the front matter field 'abstract'", doc.abstract.html if doc.abstract else None))
    found = [(what, finding) for what, fragment in fields for finding in check_html(fragment or "", what)]
    if found:
        files = _source_files(article)
        front_lines = range(1, article.body_start_line)
        body_lines = range(article.body_start_line, article.text.count("\n") + 2)
        located = [
            (message, *locate(needles, files, body_lines if what == BODY else front_lines))
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
    body = lxml.html.fragment_fromstring(doc.body_html or "<p></p>", create_parent="div")
    for src in sorted({img.get("src") or "" for img in body.iter("img")}):
        path = article.folder / src
        if SCHEME.match(src.lower()) or path.suffix.lower() != ".svg" or not inside_folder(path, article.folder):
            continue  # not a local SVG: the editions' image check judges it, with its own message
        if not path.is_file():
            continue
        problems = check_svg(path)
        if problems:
            message, line = problems[0]
            raise UnsafeContentError(
                message, path=path, line=line,
                hint="export the image again without scripts, links or entities (or as PNG)",
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
