"""The Streamlit shell's hold on the store: one DuckDB connection per process, one cursor per session.

Only this module opens the store for pages. On first start, when no store file exists, it builds the demo
with a progress bar for the default store path, and an empty store (regions and shipped instruments, no demo)
for any other path (`POSYANDU_STORE=var/kudus.duckdb`); later starts open the file at once.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import streamlit as st

from data import store

_build_lock = threading.Lock()
_opened: list[duckdb.DuckDBPyConnection] = []


@st.cache_resource(show_spinner=False)
def _root(path: str) -> duckdb.DuckDBPyConnection:
    from data.setup.first_start import prepare_empty_store
    from geo.real_store import prepare_real_geography

    con = store.connect(path)
    prepare_empty_store(con)   # a real store created elsewhere (the CLI) still gets its regions and instruments
    prepare_real_geography(con)     # … and the shipped region points and real outlines, for its first map
    _opened.append(con)
    return con


def close_all() -> None:
    """Close every store connection this process opened (tests and shutdown); the cache is cleared too."""
    _root.clear()
    while _opened:
        _opened.pop().close()


def _ensure_store(path: Path) -> None:
    """Create the store when the file does not exist yet: the demo (with progress) or an empty real store."""
    if path.exists():
        return
    with _build_lock:
        if path.exists():
            return
        from data.setup.first_start import create_empty_store, wants_demo

        if not wants_demo(path):
            create_empty_store(path)
            return
        from demo.build import build_demo
        from present.i18n import t

        lang = st.session_state.get("ctx.lang", "id")
        note = st.info(t("building_demo_note", lang), icon=":material/hourglass_top:")
        bar = st.progress(0.0, text=t("building_demo", lang))

        def progress(fraction: float, label: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=label)

        build_demo(path, progress=progress, lang=lang)
        bar.empty()
        note.empty()


def get_con() -> duckdb.DuckDBPyConnection:
    """A cursor on the store for this session (DuckDB cursors are the thread-safe way to share a connection)."""
    path = store.store_path()
    key = f"_duck_cursor::{path}"
    cur = st.session_state.get(key)
    if cur is not None and not _usable(cur):
        cur = None
    if cur is None:
        _ensure_store(path)
        cur = _root(str(path)).cursor()
        st.session_state[key] = cur
    return cur


def drop_cursor() -> None:
    """Forget this session's cursor (rolled back and closed): the next `get_con` opens a fresh one. For a cursor
    that failed mid-run in a way `_usable` cannot see beforehand (a pending result left by a stopped run)."""
    cur = st.session_state.pop(f"_duck_cursor::{store.store_path()}", None)
    if cur is not None:
        for undo in (cur.rollback, cur.close):
            try:
                undo()
            except duckdb.Error:
                pass


def _usable(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether a session's cursor still answers. A script run stopped half-way (the user clicked on while a
    write was under way, a download callback failed, the store was closed by a restore) can leave the cursor
    closed or inside an aborted transaction; every later run of that session would then fail. Such a cursor
    is rolled back and closed, and the session gets a new one."""
    try:
        cur.execute("SELECT 1").fetchone()
        return True
    except duckdb.Error:
        for undo in (cur.rollback, cur.close):
            try:
                undo()
            except duckdb.Error:
                pass
        return False


def result_version(competition_id: str) -> tuple[int, int]:
    """(competition version, reference version): the key of a competition's cached results. Moves only when
    that competition's data or the shared reference tables change, not on sign-ins or other contests' scores."""
    return store.result_version(get_con(), competition_id)


def reference_version() -> int:
    """The key of cached reads of the shared reference tables (posyandu, regions, practices, boundaries, ...)."""
    return store.reference_version(get_con())


def root_connection() -> duckdb.DuckDBPyConnection:
    """The process's connection to the store, for work outside this session's script thread (a download
    built on click) to take its own `cursor()` from; never run queries on it directly."""
    path = store.store_path()
    _ensure_store(path)
    return _root(str(path))


def store_version() -> int:
    """The key of cached reads that span competitions (the list of contests, a posyandu's history): grows with
    any write that changes a result, never with a sign-in or a session."""
    return store.data_version(get_con())
