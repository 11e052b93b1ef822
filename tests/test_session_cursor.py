"""A session whose store cursor was left broken by an interrupted run gets a new one (issue #13)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import duckdb
    import streamlit as st

    from ui.state import get_con

    cur = get_con()
    st.write(f"cursor {id(cur)}")
    st.write(f"entrants {cur.sql('SELECT count(*) FROM entrants').fetchone()[0]}")
    if st.session_state.get("break_it"):
        st.session_state["break_it"] = False
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute("SELECT 1/0::INTEGER FROM range(1) WHERE error('stopped half-way')")
        except duckdb.Error:
            pass              # the run ends here with the transaction aborted, as an interrupted write would


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def test_an_aborted_transaction_on_the_session_cursor_is_replaced_on_the_next_run(demo_env: Path) -> None:
    at = AppTest.from_function(_app, default_timeout=60).run()
    first_cursor, entrants = _texts(at)
    assert entrants.startswith("entrants ") and int(entrants.split()[1]) > 0
    at.session_state["break_it"] = True
    at.run()
    assert not at.exception
    at.run()
    assert not at.exception, at.exception
    cursor, again = _texts(at)
    assert again == entrants
    assert cursor != first_cursor           # a fresh cursor, not the broken one


def test_a_closed_session_cursor_is_replaced(demo_env: Path) -> None:
    at = AppTest.from_function(_app, default_timeout=60).run()
    first_cursor, entrants = _texts(at)
    from data import store

    key = f"_duck_cursor::{store.store_path()}"
    at.session_state[key][0].close()           # (cursor, the run thread that holds it)
    at.run()
    assert not at.exception
    cursor, again = _texts(at)
    assert again == entrants and cursor != first_cursor


def test_a_new_run_never_touches_the_cursor_an_unfinished_run_of_the_session_is_using(tmp_path: Path) -> None:
    """Streamlit's fast reruns start a session's next run in a new thread while the previous one is still inside
    a query (the Data page checking an upload). Sharing the cursor made the new run wait for that query, closed
    results under the other run and crashed the server; the new run must get its own cursor at once."""
    import threading
    import time

    import duckdb

    from ui.state import session_cursor

    root = duckdb.connect(str(tmp_path / "store.duckdb"))
    state: dict = {}
    opened: list = []

    def open_cursor():
        opened.append(root.cursor())
        return opened[-1]

    taken, outcome = threading.Event(), {}

    def old_run() -> None:               # a run still in a long statement when the user clicks again
        cur = session_cursor(state, "k", open_cursor)
        taken.set()
        try:
            outcome["old"] = cur.execute("SELECT count(*) FROM range(20000000000) t(i) WHERE i % 7 = 3").fetchone()
        except duckdb.Error as err:      # interrupted below, once the new run has its cursor
            outcome["old"] = type(err).__name__

    old = threading.Thread(target=old_run)
    old.start()
    assert taken.wait(30)
    time.sleep(0.3)                      # the statement is under way

    new_cursor: list = []
    new = threading.Thread(target=lambda: new_cursor.append(
        session_cursor(state, "k", open_cursor).execute("SELECT 42").fetchone()[0]))
    started = time.monotonic()
    new.start()
    new.join(10)                        # with one shared cursor this waited for the whole query (minutes)
    waited = time.monotonic() - started
    opened[0].interrupt()
    old.join(60)
    assert not new.is_alive() and new_cursor == [42], f"the new run waited {waited:.1f} s on the old run's cursor"
    assert len(opened) == 2 and state["k"][0] is opened[1]      # the new run's own cursor is the session's now
    assert outcome["old"] == "InterruptException"               # the old run kept its cursor to itself

    # once the old run is over, the next run (another thread again) reuses the session's cursor
    later: list = []
    t = threading.Thread(target=lambda: later.append(session_cursor(state, "k", open_cursor)))
    t.start()
    t.join(10)
    assert later == [opened[1]] and len(opened) == 2
    root.close()
