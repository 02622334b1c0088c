"""The article's authors, with their affiliations, ORCID iDs and e-mail, in the forms people write.

Each convention writes authors its own way, and each form is read here into one `Author`:
- pandoc: `author: Jane Doe`, or a list of names;
- Quarto, R Markdown: `author:` (or `authors:`) as maps with `name` (a string, or a map of the
  name's parts), `affiliation`/`affiliations` (names, ids of a top-level `affiliations:` list, or
  `{ref: id}` maps), `orcid`, `email`, `corresponding` (also under `attributes:`);
- JOSS: `authors:` with `affiliation: 1` or `"1, 2"` pointing at the `index` of a top-level
  `affiliations:` list of `{name, index}`;
- the parts of a name, on the author's map or under its `name:`, as CSL, Quarto and JOSS name
  them: `given` (`given-names`, `first`, `firstname`), `family` (`surname`, `last`, `lastname`),
  `dropping-particle` ("Ludwig *van* Beethoven"), `non-dropping-particle` ("Vincent *van* Gogh"),
  `suffix` ("Jr.") and `literal` (the name shown as written, for an organisation or a name whose
  order the parts would get wrong). The name shown is built from every part, as CSL displays it;
  the citation keeps them apart, so a style can sort "Gogh, Vincent van" or "van Gogh, Vincent";
- pandoc-scholar: authors keyed by name (`- Jane Doe: {institute: [fosg], email: …}`) with a
  top-level `institute:` list of `{id: name}` or `{id: {name: …}}` maps;
- pandoc's `%` title block gives plain names (pubpipe.load.title_block).
The editions show each author's name, affiliations and ORCID iD, and the e-mail address of a
corresponding author. What cannot be honoured (an affiliation index that is never defined, an
ORCID iD whose check digit is wrong, a form that is no author) is reported with its line, and so
is each detail that no edition shows (JOSS's `equal-contrib`, Quarto's `roles`, `note` and
`attributes`, an e-mail address of an author not marked corresponding, a misspelt key): nothing
is dropped silently.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any, Callable

from pubpipe.load.key_lines import Notices

ORCID = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$", re.IGNORECASE)
# The keys a map describing one author may have; a one-key map whose key is not among them is
# pandoc-scholar's form, keyed by the author's name.
AUTHOR_FIELDS = {
    "name", "given", "family", "literal", "given-names", "surname", "first", "last", "firstname",
    "lastname", "dropping-particle", "non-dropping-particle", "suffix", "affiliation", "affiliations",
    "institute", "orcid", "email", "corresponding", "correspondence", "equal-contrib",
    "equal_contributor", "equal-contributor", "attributes", "roles", "role", "url", "note", "id",
    "ref", "number", "degrees", "acknowledgements", "thanks", "deceased", "metadata", "fax", "phone",
    "address", "bio", "photo", "twitter", "github", "alias",
}
# What the editions show of an author; every other key is reported (see _report_unshown).
SHOWN_FIELDS = {
    "name", "given", "family", "literal", "given-names", "surname", "first", "last", "firstname",
    "lastname", "dropping-particle", "non-dropping-particle", "suffix", "affiliation", "affiliations",
    "institute", "orcid", "email", "corresponding", "correspondence", "id",
}
# An address is at most 254 characters (RFC 5321); past that the pattern is not tried, since on a
# long string of dots it takes time in the square of the length.
MAX_EMAIL = 254
EMAIL = re.compile(r"^[^@\s<>\"'()\[\],;:]+@[^@\s<>\"'()\[\],;:]+\.[^@\s<>\"'()\[\],;:]+$")
# Words that BibTeX's "First von Last" rule, which the citation applies to a name written whole,
# takes for given names: a title ("Dr. Ana Ruiz" is cited "Ruiz, Dr. Ana") and a capitalised
# particle before the family name ("Élodie Le Gall" is cited "Gall, Élodie Le").
TITLES = {"dr", "dr.", "prof", "prof.", "professor", "sir", "dame", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "rev", "rev."}
CAPITALISED_PARTICLES = {"le", "la", "les", "te", "ní", "nic", "ni", "mac", "mc", "ó", "o'", "ua", "da", "das", "de",
                         "del", "della", "di", "do", "dos", "du", "van", "von", "der", "den", "ten", "ter", "al", "el",
                         "bin", "ibn", "ben", "bint", "abu", "st.", "saint"}
AFFILIATION_NAME_PARTS = ("department", "group", "name", "address", "city", "region", "state", "postal-code", "country")


@dataclass(frozen=True)
class Author:
    name: str  # as written (pandoc Markdown); the editions render it
    given: str | None = None
    family: str | None = None  # without its particle
    dropping_particle: str | None = None
    non_dropping_particle: str | None = None
    suffix: str | None = None
    affiliations: tuple[str, ...] = ()
    orcid: str | None = None  # the bare iD, 0000-0002-1825-0097
    email: str | None = None
    corresponding: bool = False
    literal: bool = False  # written as `literal:`: one name (an organisation), never split


def read_authors(front: dict[str, Any], notices: Notices) -> list[Author]:
    key = "author" if front.get("author") is not None else "authors"
    value = front.get(key)
    if value is None:
        return []
    if key == "author" and front.get("authors") is not None:
        notices.warn(("authors",), "both 'author' and 'authors' are given; the authors are taken from 'author'")
    items = value if isinstance(value, list) else [value]
    registry = _affiliation_registry(front, notices)
    authors = []
    for index, item in enumerate(items):
        author = _one_author(item, (key, index) if isinstance(value, list) else (key,), registry, notices)
        if author is not None:
            authors.append(author)
    return authors


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return " ".join(str(value).split()) or None
    return None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("yes", "true", "1"))


def _one_author(item: Any, path: tuple, registry: Callable, notices: Notices) -> Author | None:
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        name = _text(item)
        if name:
            _doubt_the_split(name, path, notices)
        return Author(name) if name else None
    if isinstance(item, dict) and len(item) == 1:
        (only_key, details), = item.items()
        if isinstance(only_key, str) and only_key not in AUTHOR_FIELDS and (details is None or isinstance(details, dict)):
            return _from_map(only_key, details or {}, path + (only_key,), registry, notices)
    if isinstance(item, dict):
        return _from_map(None, item, path, registry, notices)
    notices.refuse(path, f"front matter field '{path[0]}': each author must be a name or a map with 'name:'",
                   hint="write 'author: Jane Doe', a list of names, or '- name: Jane Doe'")


# The parts of a name, each under the keys the conventions spell it with.
NAME_PARTS = {
    "given": ("given", "given-names", "first", "firstname"),
    "family": ("family", "surname", "last", "lastname"),
    "dropping_particle": ("dropping-particle",),
    "non_dropping_particle": ("non-dropping-particle",),
    "suffix": ("suffix",),
}


def _name_parts(data: dict) -> dict[str, str | None]:
    """The name's parts from the author's map and from a map under its `name:` (JOSS and Quarto
    allow both); a part written on the author's map wins."""
    nested = data.get("name") if isinstance(data.get("name"), dict) else {}
    return {part: next((_text(source[key]) for source in (data, nested) for key in keys if _text(source.get(key))), None)
            for part, keys in NAME_PARTS.items()}


def display_name(given: str | None, dropping: str | None, non_dropping: str | None, family: str | None,
                 suffix: str | None) -> str:
    """The name in CSL's display order, "Ludwig van Beethoven Jr."; a particle that ends in an
    apostrophe or a hyphen ("d'", "al-") is joined to the family name without a space."""
    text = ""
    for part in (given, dropping, non_dropping, family, suffix):
        if part:
            text += part if not text or text.endswith(("'", "\u2019", "-")) else " " + part
    return text


def _from_map(keyed_name: str | None, data: dict, path: tuple, registry: Callable, notices: Notices) -> Author | None:
    parts = _name_parts(data)
    given, family = parts["given"], parts["family"]
    name_value = data.get("name")
    if isinstance(name_value, dict):
        name_value = name_value.get("literal")
    literal = not (given or family) and not keyed_name and bool(
        _text(data.get("literal")) or (isinstance(data.get("name"), dict) and _text(name_value)))
    name = keyed_name or _text(name_value) or _text(data.get("literal"))
    if not name and (given or family):
        name = display_name(given, parts["dropping_particle"], parts["non_dropping_particle"], family, parts["suffix"])
    if not name:
        notices.refuse(path, f"front matter field '{path[0]}': this author has no name",
                       hint="give each author 'name: Jane Doe' (or 'given:' and 'family:')")
    if not (given or family or literal or keyed_name):
        _doubt_the_split(name, path + (("name",) if "name" in data else ()), notices)
    affiliations: list[str] = []
    for key in ("affiliation", "affiliations", "institute"):
        if data.get(key) is not None:
            affiliations += registry(data[key], path + (key,))
    attributes = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    corresponding = _truthy(data.get("corresponding") or data.get("correspondence") or attributes.get("corresponding"))
    email = _email(data.get("email"), name, path + ("email",), notices)
    _report_unshown(data, name, bool(email) and not corresponding, path, notices)
    return Author(
        name=name,
        **parts,
        affiliations=tuple(dict.fromkeys(affiliations)),
        orcid=_orcid(data.get("orcid"), path + ("orcid",), notices),
        email=email,
        corresponding=corresponding,
        literal=literal,
    )


def _doubt_the_split(name: str, path: tuple, notices: Notices) -> None:
    """A name written whole is split for the citation by BibTeX's rule (pubpipe.load.citation),
    which reads a title or a capitalised particle as a given name: such a name is reported, so
    that its author can give the parts."""
    words = name.split()
    doubtful = [word for word in words if word.casefold() in TITLES] + \
        [word for word in words[1:-1] if word[:1].isupper() and word.casefold() in CAPITALISED_PARTICLES]
    if len(words) > 1 and doubtful:
        notices.warn(path, f"the citation splits '{name}' by BibTeX's rule, which takes "
                     f"{', '.join(repr(word) for word in doubtful)} for part of the given name; if that is wrong, "
                     "write the name's parts: given:, family: (and non-dropping-particle:)")


def _email(value: Any, name: str, path: tuple, notices: Notices) -> str | None:
    """The address, which the editions show under the title block for a corresponding author
    only (as JOSS and Quarto print it)."""
    text = _text(value)
    if text and not (len(text) <= MAX_EMAIL and EMAIL.match(text)):
        notices.warn(path, f"'{text[:60]}' ({name}) is not an e-mail address (name@example.org); it is left out")
        return None
    return text


def _report_unshown(data: dict, name: str, email_unshown: bool, path: tuple, notices: Notices) -> None:
    """Each detail of the author that no edition shows, with its line, in the order written: a
    detail the author wrote for readers (a role, a note, an equal contribution) must not vanish
    without a word."""
    for key, value in data.items():
        if key == "email" and email_unshown:
            notices.warn(path + (key,), f"the e-mail address of {name} is not shown: the editions show the address "
                         "of a corresponding author only (add 'corresponding: true' to show it)")
        elif key == "attributes" and isinstance(value, dict):
            for attribute in value:
                if attribute != "corresponding":
                    notices.warn(path + (key, attribute), f"the attribute '{attribute}' of {name} is not shown in any edition")
        elif key not in SHOWN_FIELDS and key in AUTHOR_FIELDS:
            notices.warn(path + (key,), f"the '{key}' of {name} is not shown in any edition")
        elif key not in AUTHOR_FIELDS:
            nearest = difflib.get_close_matches(str(key), sorted(AUTHOR_FIELDS), n=1, cutoff=0.6)
            guess = f"; did you mean '{nearest[0]}'?" if nearest else ""
            notices.warn(path + (key,), f"unknown author key '{key}' of {name} is ignored{guess}")


def _orcid(value: Any, path: tuple, notices: Notices) -> str | None:
    text = _text(value)
    if not text:
        return None
    match = ORCID.match(text)
    if not match:
        notices.warn(path, f"'{text}' is not an ORCID iD (0000-0002-1825-0097); it is left out")
        return None
    orcid = match.group(1).upper()
    if not orcid_checksum_ok(orcid):
        notices.warn(path, f"the ORCID iD {orcid} has a wrong check digit (a typo, or a placeholder); it is left out")
        return None
    return orcid


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2, as ORCID computes its last character."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _affiliation_name(value: Any) -> str | None:
    if isinstance(value, dict):
        parts = [_text(value.get(part)) for part in AFFILIATION_NAME_PARTS]
        return ", ".join(part for part in parts if part) or None
    return _text(value)


def _affiliation_registry(front: dict, notices: Notices) -> Callable[[Any, tuple], list[str]]:
    """A function that turns an author's affiliation reference(s) into names.

    Top-level lists define the names: JOSS `affiliations: [{name, index}]`, Quarto
    `affiliations: [{id, name, …}]`, pandoc-scholar `institute: [{id: name or {name}}]` and the
    `institutes: {id: name}` variant; and so does a Quarto author's own `affiliations: [{id, name}]`.
    """
    by_key: dict[str, str] = {}
    for key in ("affiliations", "institute", "institutes"):
        value = front.get(key)
        if isinstance(value, dict):
            value = [{k: v} for k, v in value.items()]
        if not isinstance(value, list):
            continue
        for position, entry in enumerate(value):
            if isinstance(entry, dict) and ("name" in entry or "index" in entry or "id" in entry):
                name = _affiliation_name(entry)
                for ref in (entry.get("index"), entry.get("id"), entry.get("number")):
                    if ref is not None and name:
                        by_key[str(ref).strip()] = name
            elif isinstance(entry, dict) and len(entry) == 1:
                (ref, details), = entry.items()
                name = _affiliation_name(details)
                if name:
                    by_key[str(ref).strip()] = name
            elif _text(entry):
                by_key[str(position + 1)] = _text(entry)
    # Quarto lets an author define an affiliation in place, with an id that other authors `ref:`.
    for item in _listed(front.get("author") if front.get("author") is not None else front.get("authors")):
        details = item if isinstance(item, dict) else {}
        for key in ("affiliation", "affiliations"):
            for entry in _listed(details.get(key)):
                if isinstance(entry, dict) and entry.get("id") is not None and _affiliation_name(entry):
                    by_key.setdefault(str(entry["id"]).strip(), _affiliation_name(entry))

    def resolve(reference: Any, path: tuple) -> list[str]:
        items = reference if isinstance(reference, list) else [reference]
        names = []
        for position, item in enumerate(items):
            where = path + (position,) if isinstance(reference, list) else path
            if isinstance(item, dict) and item.get("ref") is not None:
                keys = [str(item["ref"]).strip()]
            elif isinstance(item, dict):
                name = _affiliation_name(item)
                names += [name] if name else []
                continue
            elif isinstance(item, int) and not isinstance(item, bool):
                keys = [str(item)]
            elif isinstance(item, str) and re.fullmatch(r"\s*\w+(\s*,\s*\w+)*\s*", item) and all(
                    part.strip() in by_key for part in item.split(",")):
                keys = [part.strip() for part in item.split(",")]
            elif isinstance(item, str) and re.fullmatch(r"\s*\d+(\s*,\s*\d+)*\s*", item):
                keys = [part.strip() for part in item.split(",")]
            else:
                name = _text(item)
                names += [by_key.get(name, name)] if name else []
                continue
            for key in keys:
                if key in by_key:
                    names.append(by_key[key])
                else:
                    notices.warn(where, f"affiliation '{key}' is not defined under 'affiliations:' or 'institute:'; it is left out")
        return names

    return resolve
