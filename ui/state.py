"""The Streamlit shell's hold on the store: one DuckDB connection per process, one cursor per session (and script run).

Only this module opens the store for pages. On first start, when no store file exists, it builds the demo
with a progress bar for the default store path, and an empty store (regions and shipped instruments, no demo)
for any other path (`POSYANDU_STORE=var/kudus.duckdb`); later starts open the file at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

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
    """A cursor on the store for this session's script run (DuckDB cursors are the thread-safe way to share a
    connection; one cursor must never be used by two threads at once)."""
    path = store.store_path()

    def open_cursor() -> duckdb.DuckDBPyConnection:
        _ensure_store(path)
        return _root(str(path)).cursor()
    return session_cursor(st.session_state, f"_duck_cursor::{path}", open_cursor)


def session_cursor(state: MutableMapping[str, Any], key: str,
                   open_cursor: Callable[[], duckdb.DuckDBPyConnection]) -> duckdb.DuckDBPyConnection:
    """The cursor kept in `state` under `key` for the thread running this script, or a new one.

    Streamlit's fast reruns (on by default) start the next run of a session in a new thread as soon as the user
    clicks, while the previous run goes on until it reaches its next Streamlit call: a query, a Polars step or a
    whole import check can still be under way. Both runs used the session's one cursor at the same time: the new
    run waited for the old one's statement, results were closed under the other ("Attempting to execute an
    unsuccessful or closed pending query result"), and the server died in DuckDB (a segfault: the Data page hung
    on "Memeriksa berkas…" with the server gone). So a cursor belongs to the thread that took it; a run that finds
    it held by another run still alive takes a cursor of its own and leaves the old one to that run."""
    me = threading.current_thread()
    held = state.get(key)
    cur = None
    if held is not None:
        cur, owner = held
        if owner is not me and owner.is_alive():
            cur = None                 # another run of this session is still using it: never touch it
        elif not _usable(cur):
            cur = None
    if cur is None:
        cur = open_cursor()
    if held is None or held[0] is not cur or held[1] is not me:
        state[key] = (cur, me)
    return cur


def drop_cursor() -> None:
    """Forget this run's cursor (rolled back and closed): the next `get_con` opens a fresh one. For a cursor
    that failed mid-run in a way `_usable` cannot see beforehand (a pending result left by a stopped run). A
    cursor another run of the session still uses is left alone."""
    key = f"_duck_cursor::{store.store_path()}"
    held = st.session_state.get(key)
    if held is None:
        return
    cur, owner = held
    if owner is not threading.current_thread() and owner.is_alive():
        return
    st.session_state.pop(key, None)
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
