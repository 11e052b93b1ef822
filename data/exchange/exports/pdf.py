"""Shared PDF set-up for the berita acara and scorecards (fpdf2): A4, a Unicode font, a table helper.

DejaVu Sans (Debian's fonts-dejavu-core) carries every Indonesian and English character plus "–" and "≤";
without it the documents fall back to Helvetica with characters outside Latin-1 replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class Document(FPDF):
    """An A4 page with the house font; `family` is "dejavu" or the Helvetica fallback."""

    def __init__(self, orientation: str = "P") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)
        self.family = "helvetica"
        for folder in FONT_DIRS:
            regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("dejavu", "", str(regular))
                self.add_font("dejavu", "B", str(bold))
                self.family = "dejavu"
                break
        self.set_font(self.family, size=10)

    def clean(self, text: object) -> str:
        """Text the current font can draw."""
        s = "" if text is None else str(text)
        if self.family == "dejavu":
            return s
        return s.replace("–", "-").replace("≤", "<=").encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)

    def line_text(self, text: str, size: float = 10, bold: bool = False, align: str = "L", h: float = 6) -> None:
        self.font(size, bold)
        self.multi_cell(0, h, self.clean(text), align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _line_count(self, w: float, h: float, text: str) -> int:
        """How many lines `text` takes in a cell `w` wide (fpdf2's dry run)."""
        lines = self.multi_cell(w, h, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)       # output="LINES" returns the lines alone
        return len(lines)

    def bordered_table(self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
              aligns: Sequence[str] | None = None, size: float = 9, row_h: float = 6.5,
              wrap: Sequence[bool] | None = None) -> None:
        """A bordered table; the header repeats when a row would not fit on the page. Columns marked in `wrap`
        break long text over several lines (the row grows) instead of shortening it with an ellipsis."""
        aligns = aligns or ["L"] * len(header)
        wrap = wrap or [False] * len(header)
        line_h = size * 0.48

        def draw_header() -> None:
            self.font(size, bold=True)
            self.set_fill_color(221, 235, 247)
            for text, w in zip(header, widths, strict=True):
                fitted = size
                while fitted > 5 and self.get_string_width(self.clean(text)) > w - 1.5:
                    fitted -= 0.5
                    self.font(fitted, bold=True)
                self.cell(w, row_h + 1, self.clean(text), border=1, align="C", fill=True)
                self.font(size, bold=True)
            self.ln(row_h + 1)
            self.font(size)

        draw_header()
        for r in rows:
            texts = [self.clean(v) for v in r]
            lines = [self._line_count(w - 2, line_h, t) if wr and t else 1
                     for t, w, wr in zip(texts, widths, wrap, strict=True)]
            height = max(row_h, max(lines) * line_h + 2.5)
            if self.get_y() + height > self.h - self.b_margin:
                self.add_page()
                draw_header()
            x0, y0 = self.get_x(), self.get_y()
            for text, w, a, wr, n in zip(texts, widths, aligns, wrap, lines, strict=True):
                if wr:
                    self.rect(self.get_x(), y0, w, height)
                    x = self.get_x()
                    self.set_xy(x + 1, y0 + (height - n * line_h) / 2)
                    self.multi_cell(w - 2, line_h, text, align=a)
                    self.set_xy(x + w, y0)
                    continue
                while text and self.get_string_width(text) > w - 2:
                    text = text[:-2] + "…" if self.family == "dejavu" else text[:-1]
                self.cell(w, height, text, border=1, align=a)
            self.set_xy(x0, y0 + height)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
