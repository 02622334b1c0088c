"""The volume's own pieces that every edition of a pack shows, made once (as editions/parts.py
does for an article): its title page and its preface. Each edition only decides where they go."""

from __future__ import annotations

import lxml.html

from pubpipe.editions import parts
from pubpipe.labels import for_language
from pubpipe.packs.front import Front


def names_line(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " & " + names[-1]


def title_page(front: Front) -> str:
    labels = for_language(front.lang)
    editors = names_line([editor.html for editor in front.editors])
    return (
        '<header class="title-block pack-title-page" id="title-block">'
        f'<h1 class="title">{front.title.html}</h1>'
        + (f'<p class="subtitle">{front.subtitle.html}</p>' if front.subtitle else "")
        + f'<p class="editors"><span{labels.lang_attribute}>{parts.esc(labels.edited_by)}</span> {editors}</p>'
        + (f'<p class="pack-date">{front.date.html}</p>' if front.date else "")
        + (f'<p class="rights" id="rights">{front.rights.html}</p>' if front.rights else "")
        + "</header>"
    )


def shifted_headings(fragment: str, by: int) -> str:
    """The preface's headings one level down: the preface's own title is the h2."""
    holder = lxml.html.fragment_fromstring(fragment, create_parent="div")
    for heading in holder.iter("h1", "h2", "h3", "h4", "h5"):
        heading.tag = f"h{min(6, int(heading.tag[1]) + by)}"
    return parts.inner_html(holder)


def preface_section(front: Front, heading_tag: str = "h2") -> str:
    """The preface under its heading; its own headings one level below that heading."""
    if not front.preface_html:
        return ""
    labels = for_language(front.lang)
    level = int(heading_tag[1])
    return (
        '<section class="pack-preface" id="pack-preface" aria-labelledby="pack-preface-heading">'
        f'<{heading_tag} id="pack-preface-heading"{labels.lang_attribute}>{parts.esc(labels.preface)}</{heading_tag}>'
        f"{shifted_headings(front.preface_html, level - 1)}</section>"
    )
