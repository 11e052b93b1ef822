"""The first pages of a PDF as PNG pictures, so a judge or the panitia can read an attached document (an SK, a
report, a register) in the page without downloading it. Rendered on the server with PDFium (pypdfium2): no
browser plug-in is needed, and a phone shows the pages as it shows a photo.

No Streamlit, no store: bytes in, pictures out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium

MAX_PAGES = 5          # a preview, not a reader: the rest is one download away
WIDTH_PX = 1000        # wide enough to read A4 text on a laptop; the page scales it down on a phone


@dataclass(frozen=True)
class PdfPreview:
    """PNG bytes of the first pages and how many pages the document has (0: it could not be read)."""

    pages: tuple[bytes, ...]
    page_count: int

    @property
    def readable(self) -> bool:
        return self.page_count > 0


def render_pages(data: bytes, max_pages: int = MAX_PAGES, width_px: int = WIDTH_PX) -> PdfPreview:
    """Render up to `max_pages` pages at `width_px` wide. A damaged or encrypted file gives no pages (the page
    then says so and offers the download) instead of an error."""
    try:
        doc = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError):
        return PdfPreview((), 0)
    try:
        count = len(doc)
        out = []
        for index in range(min(count, max_pages)):
            page = doc[index]
            try:
                points_wide = page.get_width() or 1.0
                image = page.render(scale=width_px / points_wide).to_pil()
                buf = io.BytesIO()
                image.save(buf, format="PNG")
                out.append(buf.getvalue())
            finally:
                page.close()
        return PdfPreview(tuple(out), count)
    except pdfium.PdfiumError:
        return PdfPreview((), 0)
    finally:
        doc.close()
