"""The Data page: signed-out visitors are turned away; an organiser sees every problem of a bad file as a
table in their language with nothing written, and a good file previewed and written with a progress bar."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import auth
from tests.fixtures.malformed.make_corpus import xlsx

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "pertukaran_data.py")


@pytest.fixture
def demo_store(demo_copy: Path, monkeypatch: pytest.MonkeyPatch):
    from ui.state import close_all

    monkeypatch.setenv(store.STORE_ENV, str(demo_copy))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_copy
    close_all()
    st.cache_data.clear()
    st.cache_resource.clear()


def _panitia_app(path: Path, lang: str = "id", kind: str = "judges") -> AppTest:
    con = store.connect(path)
    if auth.get_user(con, "uji-panitia") is None:
        auth.create_user(con, "uji-panitia", "rahasia-uji-123", "panitia")
    token = auth.authenticate(con, "uji-panitia", "rahasia-uji-123").token
    con.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["ctx.lang"] = lang
    at.session_state["auth.token"] = token
    at.session_state["ex.kind"] = kind         # the wizard's first choice, as a click would set it
    return at.run()


def _judges(path: Path) -> list[tuple]:
    con = store.connect(path)
    try:
        return con.sql("SELECT judge_id, name, phone FROM judges WHERE judge_id LIKE 'UJI-%' ORDER BY 1").fetchall()
    finally:
        con.close()


def test_signed_out_visitor_is_asked_to_sign_in(demo_store):
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert at.info and not at.file_uploader


def test_bad_file_shows_every_problem_in_english_and_writes_nothing(demo_store):
    at = _panitia_app(demo_store, "en")
    assert not at.exception, at.exception
    bad = xlsx(["juri_id", "nama", "telepon"], [["UJI-1", "Bu Ani", "12ab"], ["UJI-1", None, "0812345678"]], "Juri")
    at.file_uploader(key="ex.file.judges").set_value(("juri.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception, at.exception
    assert "3 problems" in at.error[0].value
    assert list(at.dataframe[0].value.columns) == ["File", "Sheet", "Row", "Column", "Problem"]   # the user's words
    messages = list(at.dataframe[0].value["Problem"])
    assert 'Phone number "12ab" is not recognised (e.g. 081234567890).' in messages
    assert any("Duplicate row" in m for m in messages) and any("is blank" in m for m in messages)
    assert list(at.dataframe[0].value["Row"]) == [2, 3, 3]
    assert _judges(demo_store) == []


def test_good_file_is_previewed_then_written(demo_store):
    at = _panitia_app(demo_store)
    good = xlsx(["juri_id", "nama", "telepon"], [["UJI-1", "Bu Ani", "0812 3456 789"], ["UJI-2", "Pak Budi", None]],
                "Juri")
    at.file_uploader(key="ex.file.judges").set_value(("juri.xlsx", good, "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["2", "0", "0"]
    assert _judges(demo_store) == []                   # the preview writes nothing
    at.button(key="ex.write").click().run()
    assert not at.exception, at.exception
    assert at.success and "2 baris baru" in at.success[0].value
    assert _judges(demo_store) == [("UJI-1", "Bu Ani", "08123456789"), ("UJI-2", "Pak Budi", None)]


def test_boundary_upload_is_offered_beside_the_documents(demo_store):
    at = _panitia_app(demo_store, "id", kind="boundaries")
    assert not at.exception, at.exception
    assert at.file_uploader(key="ex.geo_file") is not None
    assert len(at.tabs) == 3
    assert {"ex.recap", "ex.ba", "ex.backup"} <= {b.key for b in at.download_button}   # the other tabs still draw
