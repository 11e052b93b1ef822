"""ui.guard: a store error met once (a session cursor spoilt by a stopped run) is retried with a fresh cursor and
never reaches the user; one that happens again is shown as the translated message with a reference."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page_failing() -> None:
    import duckdb
    import streamlit as st

    from ui.guard import friendly_errors

    st.session_state.setdefault("runs", 0)
    with friendly_errors():
        st.session_state["runs"] += 1
        if st.session_state["runs"] <= st.session_state["fail_times"]:
            raise duckdb.InvalidInputException("Attempting to execute an unsuccessful or closed pending query result")
        st.write("page drawn")


def test_a_spoilt_cursor_is_replaced_and_the_run_retried_unseen():
    at = AppTest.from_function(_page_failing, default_timeout=30)   # a busy machine takes seconds; a loop still fails
    at.session_state["fail_times"] = 1
    at.run()
    assert not at.exception and not at.error
    assert at.session_state["runs"] == 2 and [m.value for m in at.markdown] == ["page drawn"]


def test_a_store_error_that_comes_back_is_shown_not_looped():
    at = AppTest.from_function(_page_failing, default_timeout=30)   # a busy machine takes seconds; a loop still fails
    at.session_state["fail_times"] = 9
    at.run()
    assert not at.exception
    assert at.session_state["runs"] == 2 and len(at.error) == 1
