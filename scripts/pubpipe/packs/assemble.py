"""Assembling a volume's PDF from PDFs laid out one article at a time, with pikepdf (qpdf).

WeasyPrint lays out the title pages and each article separately (packs/pdf.py), so that a changed
article is laid out again alone, and a long volume never sits in WeasyPrint's memory at once.
This module joins the parts into one document a reader cannot tell from a book made in one piece:

- pages: the title pages first, then each article's pages, with a blank page wherever an
  article must start on a right-hand page (the booklet);
- folios: continuous page numbers, laid out by WeasyPrint on a sheet of their own and placed on
  each page as a form XObject marked as an artifact (page furniture, not text: PDF/UA 7.8);
- page labels: i, ii, … on the title pages and 1, 2, … from the first article, so that a reader's
  "go to page 12" and the table of contents agree;
- tags: each article's structure tree becomes a `Part` (in the article's language) of the title
  pages' `Document`, and the parent tree is renumbered, so that the volume stays tagged;
- links: each article's named destinations (its notes, its bibliography, the ids the checker
  reads) get the article's prefix (`<slug>/fn1`), and so do its links; the contents' links were
  laid out to the same prefixed names;
- bookmarks: one tree, the title pages' entries and then each article's own, under its title.

pikepdf copies each page with what it refers to; the structure elements are copied by the same
copier, so their page references land on the copied pages.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, String



@dataclass(frozen=True)
class Part:
    """One article's laid-out PDF and how it joins the volume."""

    pdf: Path
    prefix: str  # prepended to its destination names: "<slug>/"
    lang: str
    blank_before: bool = False


@dataclass(frozen=True)
class Assembly:
    page_count: int
    front_pages: int
    starts: list[int]  # each part's first page, 0-based, in the volume


def append_pages(target: pikepdf.Pdf, pages) -> None:
    """Copy pages into `target`. pikepdf warns that this leaves the named destinations behind:
    the callers carry every one of them over themselves, renamed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        target.pages.extend(pages)


def destination_names(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    return {str(name): value for name, value in pikepdf.NameTree(names.Dests).items()}


def _page_index(pdf: pikepdf.Pdf, reference: pikepdf.Object) -> int:
    return pdf.pages.index(pikepdf.Page(reference))


def moved_destination(destination, source: pikepdf.Pdf, target: pikepdf.Pdf, offset: int) -> Array:
    """An explicit destination [page /XYZ left top zoom] of `source`, pointing into `target`."""
    destination = Array(destination)
    page = target.pages[offset + _page_index(source, destination[0])].obj
    return Array([page, *list(destination)[1:]])


def copied_outline(outline_root, source: pikepdf.Pdf, target: pikepdf.Pdf, offset: int) -> list[pikepdf.OutlineItem]:
    items = []
    for item in outline_root:
        destination = item.destination
        if isinstance(destination, (String, str)) or destination is None:
            destination = destination_names(source).get(str(destination)) if destination is not None else None
        copy = pikepdf.OutlineItem(item.title, moved_destination(destination, source, target, offset) if destination is not None else None)
        copy.children.extend(copied_outline(item.children, source, target, offset))
        items.append(copy)
    return items


def _parent_tree(pdf: pikepdf.Pdf) -> list:
    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    return list(tree.Nums) if tree is not None and "/Nums" in tree else []


def _append_structure(volume: pikepdf.Pdf, part: pikepdf.Pdf, first_page: int, key_offset: int, lang: str) -> int:
    """Hang the part's structure under the volume's Document as an Art element; return the next
    free parent-tree key. Keys are renumbered by `key_offset` on the pages, the annotations and
    in the parent tree, which must map every key to the same elements as before."""
    root = part.Root.get("/StructTreeRoot")
    if root is None:
        return key_offset
    document = volume.Root.StructTreeRoot.K[0]
    # WeasyPrint's Document holds the article (<article>, an Art element) and its page furniture:
    # they become one Part of the volume's Document, in the article's language.
    part_element = volume.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Part, P=document,
                                                   Lang=String(lang), K=Array()))
    for top in list(root.K):
        for element in list(top.K) if top.get("/S") == Name.Document else [top]:
            copy = volume.copy_foreign(element)
            copy.P = part_element
            part_element.K.append(copy)
    document.K.append(part_element)
    nums = volume.Root.StructTreeRoot.ParentTree.Nums
    largest = key_offset - 1
    source_nums = _parent_tree(part)
    for index in range(0, len(source_nums), 2):
        key = int(source_nums[index]) + key_offset
        value = source_nums[index + 1]
        nums.append(key)
        nums.append(volume.copy_foreign(value) if value.is_indirect else _copied_array(volume, value))
        largest = max(largest, key)
    for page in volume.pages[first_page:first_page + len(part.pages)]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = int(page.obj.StructParents) + key_offset
        for annotation in page.obj.get("/Annots", []):
            if "/StructParent" in annotation:
                annotation.StructParent = int(annotation.StructParent) + key_offset
    return largest + 1


def _copied_array(volume: pikepdf.Pdf, value) -> Array:
    return Array([volume.copy_foreign(item) if item.is_indirect else item for item in value])


def _prefix_links(pages, prefix: str) -> None:
    for page in pages:
        for annotation in page.obj.get("/Annots", []):
            destination = annotation.get("/Dest")
            if isinstance(destination, String):
                annotation.Dest = String(prefix + str(destination))


def _draw_folio(volume: pikepdf.Pdf, page: pikepdf.Page, folio: pikepdf.Object, number: int) -> None:
    """Draw the folio (a form XObject) over the page, as an artifact. The page's own content is
    put inside q … Q first: WeasyPrint leaves its flipped coordinate system in force at the end.
    The resource is named by the page's number (pikepdf's own names are random: not reproducible)."""
    name = page.add_resource(folio, Name.XObject, Name(f"/PubpipeFolio{number}"))
    page.contents_add(pikepdf.Stream(volume, pikepdf.unparse_content_stream([([], pikepdf.Operator("q"))])), prepend=True)
    page.contents_add(pikepdf.Stream(volume, pikepdf.unparse_content_stream([
        ([], pikepdf.Operator("Q")),
        ([Name.Artifact], pikepdf.Operator("BMC")),
        ([], pikepdf.Operator("q")),
        ([name], pikepdf.Operator("Do")),
        ([], pikepdf.Operator("Q")),
        ([], pikepdf.Operator("EMC")),
    ])))


def assemble(front_pdf: Path, parts: list[Part], folios: Path | None, target: Path, *,
             epoch: int) -> Assembly:
    """Write the volume to `target`: `front_pdf` (tagged, with the volume's metadata) and `parts`,
    page-numbered from the first part's first page with the pages of `folios` (one per page that is
    not a blank inserted here)."""
    volume = pikepdf.open(front_pdf)
    sources = [pikepdf.open(part.pdf) for part in parts]
    folio_sheet = pikepdf.open(folios) if folios else None
    try:
        front_pages = len(volume.pages)
        key_offset = max((int(key) for key in _parent_tree(volume)[::2]), default=-1) + 1
        names = destination_names(volume)
        with volume.open_outline() as outline:
            front_items = list(outline.root)
            outline.root.clear()
            for item in front_items:
                children = list(item.children)
                item.children.clear()
                outline.root.append(item)
                outline.root.extend(children)
            starts = []
            for part, source in zip(parts, sources):
                if part.blank_before:
                    box = source.pages[0].mediabox
                    volume.add_blank_page(page_size=(float(box[2]), float(box[3])))
                first = len(volume.pages)
                starts.append(first)
                append_pages(volume, source.pages)
                key_offset = _append_structure(volume, source, first, key_offset, part.lang)
                _prefix_links(volume.pages[first:], part.prefix)
                for name, destination in destination_names(source).items():
                    names[part.prefix + name] = moved_destination(destination, source, volume, first)
                outline.root.extend(copied_outline(source.open_outline().root, source, volume, first))
        volume.Root.StructTreeRoot.ParentTreeNextKey = key_offset
        tree = pikepdf.NameTree.new(volume)
        for name in sorted(names):
            tree[name] = names[name]
        volume.Root.Names = Dictionary(Dests=tree.obj)
        if folio_sheet is not None:
            _place_folios(volume, folio_sheet, front_pages, {start - 1 for start, part in zip(starts, parts) if part.blank_before})
        arabic_start = starts[0] if starts else front_pages
        volume.Root.PageLabels = Dictionary(Nums=Array([
            0, Dictionary(S=Name.r),
            arabic_start, Dictionary(S=Name.D, St=1),
        ]))
        stamp = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("D:%Y%m%d%H%M%SZ")
        volume.docinfo[Name.CreationDate] = stamp
        volume.docinfo[Name.ModDate] = stamp
        volume.save(target, deterministic_id=True, compress_streams=True,
                    object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return Assembly(page_count=len(volume.pages), front_pages=front_pages, starts=starts)
    finally:
        for source in sources:
            source.close()
        if folio_sheet is not None:
            folio_sheet.close()
        volume.close()


def _place_folios(volume: pikepdf.Pdf, sheet: pikepdf.Pdf, first: int, blanks: set[int]) -> None:
    """The sheet's pages, in order, on every page from `first` that is not an inserted blank."""
    folio_pages = iter(sheet.pages)
    for index in range(first, len(volume.pages)):
        if index not in blanks:
            _draw_folio(volume, volume.pages[index], volume.copy_foreign(next(folio_pages).as_form_xobject()), index)
