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

import duckdb
import streamlit as st

from ui.language import tr
from ui.state import drop_cursor

log = logging.getLogger("posyandu.pages")


RETRIED = "guard.retried"


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Run a page body; on an unexpected error log it and show a translated message with a reference.

    A store error (the session's cursor left with a stopped run's pending result when a user clicks on fast) is
    met once with a fresh cursor and the run again, so the user never sees it; a second one in a row is shown."""
    try:
        yield
        st.session_state.pop(RETRIED, None)
    except duckdb.Error:
        if st.session_state.pop(RETRIED, False):
            _show()
        else:
            log.warning("store error; the run is retried once with a new cursor", exc_info=True)
            drop_cursor()
            st.session_state[RETRIED] = True
            st.rerun()
    except Exception:
        _show()


def _show() -> None:
    """Log the error being handled with a reference, and show the reference in a translated sentence."""
    ref = secrets.token_hex(4)
    log.exception("page error %s", ref)
    st.error(tr("integrity_unexpected_error", ref=ref), icon=":material/error:")
