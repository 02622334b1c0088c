"""Links that would break in the editions, found while building rather than by a validator later.

Three kinds pass pandoc without a word and fail afterwards:
- a link without a scheme (`[prose.io](prose.io)`): pandoc keeps it as a file in the article
  folder, which the editions do not carry, so EPUBCheck reports a missing resource (RSC-007) and
  the web page links to nothing. A link to a file that does exist is refused too, since no edition
  carries the file; a missing one that looks like a web address is most likely a missing
  `https://`, and the hint says so;
- a link to `#id` that no element has (EPUBCheck RSC-012);
- `<a name=…>` anchors in raw HTML, obsolete in HTML5 (the Nu checker, EPUBCheck RSC-005).
Each is reported with its line, as the raw-HTML policy reports what it refuses (sanitize.py).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import lxml.html

from pubpipe.errors import ArticleError, ResourceError
from pubpipe.resolve.ids import RESERVED_IDS
from pubpipe.runtime.paths import inside_folder

SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# A host name with a top-level domain, perhaps followed by a path: what a web address looks like
# when its `https://` was left out.
WEB_ADDRESS = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.(?P<tld>[a-z]{2,})(/\S*)?$", re.IGNORECASE)
# Endings that name a file more often than a country or a domain (`notes.md`, `data.csv`).
FILE_ENDINGS = frozenset("md txt csv tsv pdf html htm json yaml yml xml png jpg jpeg gif svg webp zip gz tex bib ris py r ipynb docx xlsx odt ods".split())
MAX_LISTED = 8


def _problems(doc) -> list[tuple[type, str, str, list[str], str]]:
    """(error class, message, hint, strings that locate it in the source) for each bad link."""
    article = doc.article
    body = lxml.html.fragment_fromstring(doc.body_html or "<p></p>", create_parent="div")
    ids = {element.get("id") for element in body.iter() if isinstance(element.tag, str) and element.get("id")}
    ids.update(RESERVED_IDS)
    found = []
    for link in body.iter("a"):
        if link.get("name") is not None:
            name = link.get("name")
            found.append((ArticleError, f"the anchor <a name=\"{name}\"> is obsolete HTML, refused by EPUB and HTML validators",
                          f"give the element an id instead: [text]{{#{name}}} or <span id=\"{name}\">",
                          [f'name="{name}"', f"name='{name}'", f"name={name}"]))
        href = (link.get("href") or "").strip()
        if not href or SCHEME.match(href) or href.startswith("//"):
            continue  # no link, or a URL (the raw-HTML policy judges its scheme)
        needles = [f"]({href})", f"({href}", f'href="{href}"', href]
        if href.startswith("#"):
            if unquote(href[1:]) not in ids:
                found.append((ResourceError, f"the link to '{href}' leads nowhere: no element has the id '{href[1:]}'",
                              "pandoc makes a heading's id from its words (## Two Words -> #two-words); "
                              "or give the target an id yourself: {#name}", needles))
            continue
        path = unquote(urlsplit(href).path)
        target = article.folder / path
        if path and inside_folder(target, article.folder) and target.exists():
            found.append((ResourceError, f"the link '{href}' points to a file of the article folder, which no edition carries",
                          "link to where the file is published (https://…), or leave the link out", needles))
        elif (address := WEB_ADDRESS.match(href)) and address.group("tld").lower() not in FILE_ENDINGS:
            found.append((ResourceError, f"the link '{href}' has no scheme, so it names a file '{path}' in the article "
                          "folder, which does not exist", f"write the full address: https://{href}", needles))
        else:
            found.append((ResourceError, f"the link '{href}' names a file that does not exist in the article folder",
                          "write a full address (https://…), or link to a heading with #its-id", needles))
    return found


def check_links(doc) -> None:
    """Raise on the first bad link of the body, naming the others; `doc` is a ResolvedDocument."""
    from pubpipe.load.sanitize import locate

    found = _problems(doc)
    if not found:
        return
    article = doc.article
    files = [(article.source, article.text)]
    body_lines = range(article.body_start_line, article.text.count("\n") + 2)
    located = [(kind, message, hint, locate(needles, files, body_lines)[1]) for kind, message, hint, needles in found]
    kind, message, hint, line = located[0]
    others = "".join(f"\n  also line {other_line or '?'}: {other}" for _, other, _, other_line in located[1:MAX_LISTED])
    if len(located) > MAX_LISTED:
        others += f"\n  and {len(located) - MAX_LISTED} more"
    raise kind(message + others, path=article.source, line=line, hint=hint)
