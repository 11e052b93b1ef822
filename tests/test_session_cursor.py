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
    at.session_state[key].close()
    at.run()
    assert not at.exception
    cursor, again = _texts(at)
    assert again == entrants and cursor != first_cursor
