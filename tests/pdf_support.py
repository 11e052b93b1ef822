"""Reading a PDF the product wrote, as text, with poppler's command-line tools (Debian's poppler-utils).

Without poppler a test that reads a PDF is skipped on a developer's machine; under CI (CI set), which installs it,
its absence fails the test instead: a missing tool there is a broken pipeline, not a reason to check nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

TOOLS = ("pdftotext", "pdfinfo", "pdftoppm")
MISSING = "poppler-utils missing (pdftotext, pdfinfo, pdftoppm): apt-get install poppler-utils (make e2e-deps)"


def require_poppler() -> None:
    """Return when poppler's tools are installed; otherwise skip, or fail under CI."""
    if all(shutil.which(tool) for tool in TOOLS):
        return
    if os.environ.get("CI"):
        pytest.fail(MISSING)
    pytest.skip(MISSING)


def pdf_text(pdf: bytes, layout: bool = False) -> str:
    """The text of `pdf` (`layout`: columns kept on their lines, as printed)."""
    require_poppler()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "doc.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"], capture_output=True,
                              text=True, check=True).stdout


def make_pdf(pages: int, text: str = "SK Kepala Desa - halaman {n}") -> bytes:
    """A real PDF of `pages` pages, each with one line of text (for evidence uploads and previews)."""
    from fpdf import FPDF

    doc = FPDF()
    doc.set_font("helvetica", size=28)
    for n in range(1, pages + 1):
        doc.add_page()
        doc.cell(0, 20, text.format(n=n))
    return bytes(doc.output())
