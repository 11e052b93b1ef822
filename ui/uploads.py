"""File uploaders that refuse an oversized file in the user's language, with the limit said in words.

Streamlit's own refusal ("File must be 10.0MB or smaller") and its dropzone hint ("Limit 200MB per file") are
English only. Every uploader goes through `file_upload`: the widget lets up to four times the limit through, so
that the refusal is ours, and the limit is in the help text; `dropzone_style` puts the dropzone's own words in the
user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from present.fmt import fmt_number
from ui.language import lang, tr
from ui.safe import plain

MEGABYTE = 1024 * 1024


def file_upload(where: Any, label: str, *, types: Sequence[str], max_mb: int, key: str,
                **kwargs: Any) -> UploadedFile | None:
    """An uploaded file no larger than `max_mb`, or None (a larger one is refused here with its size)."""
    shown = ", ".join(f".{t}" for t in types)
    got = where.file_uploader(label, type=list(types), key=key, max_upload_size=4 * max_mb,
                              help=kwargs.pop("help", None) or tr("safety_upload_limit", types=shown, max_mb=max_mb),
                              **kwargs)
    if got is not None and got.size > max_mb * MEGABYTE:
        where.error(tr("safety_upload_too_large", name=plain(got.name),
                       size_mb=fmt_number(got.size / MEGABYTE, 1, lang()), max_mb=max_mb))
        return None
    return got


def dropzone_style() -> None:
    """Replace the dropzone's English words with the user's language (CSS only: the widget stays Streamlit's)."""
    drop, browse = tr("safety_dropzone").replace('"', "'"), tr("safety_dropzone_browse").replace('"', "'")
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div > span::after {{ content: "{drop}"; font-size: 1rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div > small {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] {{
  display: none; }}
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {{
  content: "{browse}"; font-size: 0.875rem; margin-left: 0.5rem; }}
</style>""")
