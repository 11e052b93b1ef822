"""The app pointed at a store file for page tests: declared once for the demo, the writable demo and the empty
set-up store (tests/conftest.py, tests/setup_support.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from data import store


def _clear_streamlit_caches() -> None:
    import streamlit as st

    from ui.results import forget_held

    st.cache_data.clear()
    st.cache_resource.clear()
    forget_held()


@contextlib.contextmanager
def app_on(store_file: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """POSYANDU_STORE set to `store_file`, Streamlit's process-wide caches cleared before and after, and the app's
    store connections closed after (the next test's store is another file)."""
    from ui.state import close_all

    monkeypatch.setenv(store.STORE_ENV, str(store_file))
    _clear_streamlit_caches()
    try:
        yield store_file
    finally:
        close_all()
        _clear_streamlit_caches()
