"""PDF figures (`![…](figure.pdf)`), shown in every edition as a picture of their page.

pandoc's HTML writer makes a PDF image an `<embed>`, a plug-in that no edition may carry (the
raw-HTML policy refuses it, and neither e-readers nor WeasyPrint can show one). The resolve writer
(lua/resolve.lua) therefore renames each PDF image to `NAME.pdf.png`, and here pdfium (pypdfium2)
renders the PDF's page to PNG once, at RESOLUTION dots per inch on white (a PDF page is paper):
the three editions embed these same bytes, and the image keeps its alt text and caption. A PDF of
several pages is refused, since which page is the figure is the author's choice.

The PDF is the article's, so it is parsed where the print layout runs: in the layout worker,
inside the OS sandbox and under the layout's time and memory limits (runtime/layout.py). The
worker gets the file's bytes, since it sees no article folder.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pubpipe.errors import ResourceError
from pubpipe.load.images import article_file

RESOLUTION = 200  # dots per inch: sharp in print at the figure's own size, and a modest PNG
MAX_SIDE = 4000  # pixels: a page larger than 20 inches is rendered smaller, whatever size it claims
WHITE = (255, 255, 255, 255)


@dataclass(frozen=True)
class RenderedFigure:
    source: Path  # the PDF in the article folder
    png: bytes


def render_page(data: bytes) -> tuple[bytes | None, str | None]:
    """(PNG bytes, None) for a PDF of one page, else (None, what is wrong with it). Runs in the
    layout worker."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        return None, f"cannot be read as a PDF ({exc})"
    try:
        if len(pdf) != 1:
            return None, f"has {len(pdf)} pages; a figure is one page"
        page = pdf[0]
        width, height = page.get_size()
        if min(width, height) <= 0:
            return None, "has a page without a size"
        scale = min(RESOLUTION / 72, MAX_SIDE / max(width, height))
        image = page.render(scale=scale, fill_color=WHITE, may_draw_forms=False).to_pil()
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        return out.getvalue(), None
    finally:
        pdf.close()


def render_figures(article, figures: list[dict]) -> dict[str, RenderedFigure]:
    """`figures`: the writer's list of {src, rendered}; returns rendered name -> figure."""
    if not figures:
        return {}
    from pubpipe.editions.pdf import start_worker
    from pubpipe.runtime.layout import Job
    from pubpipe.runtime.limits import pdf_limits

    time_limit, memory = pdf_limits()
    worker = start_worker()
    jobs = {}
    for figure in figures:
        if figure["rendered"] not in jobs:
            path = article_file(article, figure["src"], what="figure")
            number = worker.submit(Job(render_page, (path.read_bytes(),), memory=memory), what=f"the PDF figure '{figure['src']}'")
            jobs[figure["rendered"]] = (figure["src"], path, number)
    found = {}
    for rendered, (src, path, number) in jobs.items():
        png, problem = worker.result(number, time_limit)
        if problem:
            raise ResourceError(
                f"the PDF figure '{src}' {problem}",
                path=article.source, line=article.line_of(src),
                hint="save the figure as a PDF of one page (or as PNG or SVG) and refer to that file",
            )
        found[rendered] = RenderedFigure(source=path, png=png)
    return found
