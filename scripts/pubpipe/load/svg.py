"""The SVG image policy: an SVG the article shows may not run, embed or load anything.

An SVG is a document of its own: readers' browsers and e-readers run its scripts, follow its
links, apply its style sheets and load what its CSS names. Each file is parsed without entities,
DTDs or network, and refused (with its line) for scripts, handlers, `<foreignObject>`, entity
declarations, an external DTD other than the W3C's own, processing instructions such as
`<?xml-stylesheet?>`, animations that change a link, links out of the image, and CSS (style=,
`<style>`, presentation attributes such as fill= or filter=) that loads anything but `url(#id)`
inside the image. The CSS is read with the CSS tokenizer (pubpipe.load.css), escapes and all.
"""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree

from pubpipe.load.css import declarations_load, stylesheet_loads, value_loads

# Raster images that an SVG (or an HTML <img>) may carry inline, as data: URLs.
IMAGE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.I)
SVG_ACTIVE = ("script", "foreignobject", "iframe", "handler", "listener")
SVG_ANIMATIONS = ("set", "animate", "animatecolor", "animatemotion", "animatetransform", "discard")
# The DTDs the W3C published for SVG, which editors (Illustrator, Inkscape) still write in a
# DOCTYPE; no one needs to load them, and any other external DTD is refused.
SVG_DTDS = frozenset(
    f"http://www.w3.org/{path}" for path in (
        "Graphics/SVG/1.1/DTD/svg11.dtd", "Graphics/SVG/1.1/DTD/svg11-basic.dtd",
        "Graphics/SVG/1.1/DTD/svg11-tiny.dtd", "TR/2001/REC-SVG-20010904/DTD/svg10.dtd",
        "TR/2001/PR-SVG-20010719/DTD/svg10.dtd",
    )
)


def _parsed(path: Path):
    """The SVG's tree, parsed without entities, DTDs or network."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return lxml.etree.parse(str(path), parser)


def embedded_images(path: Path) -> list[tuple[str, int | None]]:
    """The `data:` images an SVG embeds (href="data:image/png;base64,…"), each with its line:
    the editions ship them as they are, so they are decoded and counted as the article's own."""
    try:
        root = _parsed(path).getroot()
    except (lxml.etree.XMLSyntaxError, OSError):
        return []  # check_svg says why
    return [(value.strip(), element.sourceline) for element in root.iter() if isinstance(element.tag, str)
            for name, value in element.attrib.items()
            if lxml.etree.QName(name).localname.lower() == "href" and IMAGE_DATA.match(value.strip())]


def text_elements(path: Path) -> int:
    """How many <text> elements the SVG draws: the press edition prints their colours as they are."""
    try:
        root = _parsed(path).getroot()
    except (lxml.etree.XMLSyntaxError, OSError):
        return 0
    return sum(1 for element in root.iter() if isinstance(element.tag, str) and lxml.etree.QName(element).localname == "text")


def check_svg(path: Path) -> list[tuple[str, int | None]]:
    """Refused constructs of an SVG file, with their lines (parsed without entities or network).

    Its CSS (style=, <style>, presentation attributes such as fill= or filter=) is read with the
    CSS tokenizer (pubpipe.load.css), where only url(#id) inside the image is allowed.
    """
    try:
        tree = _parsed(path)
    except lxml.etree.XMLSyntaxError as exc:
        return [(f"the SVG image is not well-formed XML: {exc.msg}", exc.lineno)]
    except OSError as exc:
        return [(f"the SVG image cannot be read: {exc}", None)]
    found = _svg_doctype_problems(tree, path)
    root = tree.getroot()
    for node in [*reversed(list(root.itersiblings(preceding=True))), *root.iter(), *root.itersiblings()]:
        if isinstance(node, lxml.etree._ProcessingInstruction):
            found.append((f"the SVG image has a processing instruction <?{node.target} …?>, which can load a style sheet",
                          node.sourceline))
        elif isinstance(node, lxml.etree._Entity):
            found.append(("the SVG image uses an entity, which could read other files", node.sourceline))
        elif isinstance(node.tag, str):
            found += _svg_element_problems(node)
    return found


def _svg_doctype_problems(tree, path: Path) -> list[tuple[str, int | None]]:
    docinfo = tree.docinfo
    if not docinfo.doctype:
        return []
    head = path.read_bytes()[:65536]
    line = head.count(b"\n", 0, max(head.find(b"<!DOCTYPE"), 0)) + 1
    subset = docinfo.internalDTD
    if subset is not None and (list(subset.iterentities()) or list(subset.iterelements())):
        # A public DOCTYPE alone (as Illustrator writes) is harmless; declarations are not.
        return [("the SVG image declares entities or a DTD of its own, which could read other files", line)]
    if docinfo.system_url and docinfo.system_url not in SVG_DTDS:
        return [(f"the SVG image names an external DTD ({docinfo.system_url[:60]}), which a reader could load", line)]
    return []


def _svg_element_problems(element) -> list[tuple[str, int | None]]:
    tag = lxml.etree.QName(element).localname.lower()
    line = element.sourceline
    found = []
    if tag in SVG_ACTIVE:
        found.append((f"the SVG image holds a <{tag}>, which can run code or embed a page", line))
    if tag == "style" and (loads := stylesheet_loads("".join(element.itertext()), fragments=True)):
        found.append((f"the SVG image's <style> loads something ({loads})", line + loads.line - 1))
    if tag in SVG_ANIMATIONS and (element.get("attributeName") or "").lower().split(":")[-1] == "href":
        found.append((f"the SVG image's <{tag}> changes a link (attributeName=\"{element.get('attributeName')}\")", line))
    for name, value in element.attrib.items():
        local = lxml.etree.QName(name).localname.lower()
        if local.startswith("on"):
            found.append((f"the SVG image has an event handler {local}=", line))
        elif local == "href":  # in any namespace: a renderer may read svg:href or an unknown prefix's as a link
            if not (value.startswith("#") or IMAGE_DATA.match(value.strip())):
                found.append((f"the SVG image links to {value[:60]}; only #fragments inside it are allowed", line))
        elif local == "style":
            if loads := declarations_load(value, fragments=True):
                found.append((f"the SVG image has a style that loads something ({loads})", line))
        elif "(" in value and (loads := value_loads(value, fragments=True)):
            found.append((f"the SVG image's {local}= loads something ({loads})", line))
    return found
