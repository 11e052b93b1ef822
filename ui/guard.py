"""Unexpected errors on a page read as a sentence in the user's language, never as a traceback.

`dashboard.py` runs every page inside `friendly_errors()`. Streamlit's own control flow (st.stop, st.rerun,
st.switch_page) passes through: those are BaseExceptions, not Exceptions. The traceback goes to the server log,
where whoever runs the server can read it; the page shows what to do and a reference to find it in the log.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui.language import tr

log = logging.getLogger("posyandu.pages")


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Run a page body; on an unexpected error log it and show a translated message with a reference."""
    try:
        yield
    except Exception:
        ref = secrets.token_hex(4)
        log.exception("page error %s", ref)
        st.error(tr("integrity_unexpected_error", ref=ref), icon=":material/error:")
