"""The contest-life parts of the Panitia, Penilaian and Profil pages on the small hand-built contest, through
AppTest: provisional status with its deadline, the finalists tab, a protest on the profile, the send-back on
the scoring form."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data import store
from data.judging import assignments, auth, publication
from data.judging.contest_life import finalists, send_back
from tests.test_contest_life import _fill, _judge_stage, store_mini_source
from tests.test_judging_fixtures import CID, JURI1, JURI2, PANITIA, build_contest
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(tmp_path, monkeypatch, fast_hashing):
    path = tmp_path / "life.duckdb"
    con = store.connect(path)
    build_contest(con)
    store_mini_source(con)
    for name, role, kw in (("panitia", "panitia", {}), ("juri1", "juri", {"judge_id": "J1"}),
                           ("juri2", "juri", {"judge_id": "J2"}),
                           ("pembina-lebak", "pembina", {"region_code": "36.02"})):
        auth.create_user(con, name, "Sandi-yang-kuat-2025", role, **kw)
    monkeypatch.setenv(store.STORE_ENV, str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield con
    from ui.state import close_all

    close_all()
    st.cache_data.clear()
    st.cache_resource.clear()
    con.close()


def _page(con, page: str, user: str, stage: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=90)
    at.session_state[TOKEN_KEY] = auth.authenticate(con, user, "Sandi-yang-kuat-2025").token
    at.session_state["ctx.competition"] = CID
    at.session_state["ctx.restored"] = True
    at.session_state["ctx.stage"] = stage
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.error, *at.warning, *at.success)]
    return "\n".join(str(p) for p in parts) + "\n".join(str(df.value) for df in at.dataframe)


def test_panitia_picks_finalists_and_sees_provisional_results(app):
    _judge_stage(app, "administrasi")
    at = _page(app, "panitia", "panitia", "lapangan")
    assert not at.exception
    assert "Finalis baru dapat dipilih setelah tahap Administrasi difinalkan." in _texts(at)
    publication.finalise_stage(app, PANITIA, CID, "administrasi")
    at = _page(app, "panitia", "panitia", "lapangan")
    assert "hasil sementara, sanggahan sampai" in _texts(at)
    at.number_input(key="pt.cut_n").set_value(2).run()
    assert "3 dari 4 peserta lolos sebagai finalis." in _texts(at)      # E2 and E3 tied at the cut
    at.button(key="pt.cut_save").click().run()
    assert not at.exception
    assert finalists.finalist_cut_of(app, CID, "lapangan")["finalists"] == ["E1", "E2", "E3"]
    assert "Hanya 3 finalis yang dapat ditugaskan" in _texts(at)
    # The outcome takes the button's place and nothing above it appears in the same run, so a panitia who
    # clicked at the bottom of the screen still sees it; the standing line about the cut comes on the next run.
    said = [s.value for s in at.success]
    assert "3 finalis tahap Lapangan ditetapkan." in said
    assert not any("ditetapkan oleh" in s for s in said)
    at.run()
    assert any("ditetapkan oleh" in s.value for s in at.success)


def test_a_judge_is_sent_back_and_answers_on_the_form(app):
    for j in ("J1", "J2"):
        assignments.assign_judge(app, PANITIA, CID, "lapangan", j, "E3")
    _fill(app, JURI2, "E3", "lapangan", ("c", "b", 72.0, "b"))
    _fill(app, JURI1, "E3", "lapangan", ("a", "b", 72.0, "b"))
    at = _page(app, "penilaian", "juri1", "lapangan")
    assert not at.exception
    assert "Dikembalikan untuk ditinjau: 1 kriteria (KES_01)" in _texts(at)
    base = f"pn.{CID}.lapangan.E3.J1.KES_01"
    at.button(key="pn.submit").click().run()
    assert "berbeda jauh dari juri lain pada 1 kriteria" in _texts(at)
    at.text_input(key=f"{base}.why").input("SK dilihat langsung").run()
    at.button(key=f"{base}.keep").click().run()
    assert not at.exception
    assert "Jawaban untuk KES_01 tersimpan." in _texts(at)
    at.button(key="pn.submit").click().run()
    assert send_back.unanswered_flags(app, CID, "lapangan", "E3", "J1") == []
    assert app.sql("SELECT status FROM judging_forms WHERE judge_id = 'J1'").fetchone()[0] == "submitted"


def test_a_pembina_files_a_protest_on_the_profile_and_sees_it_there(app):
    _judge_stage(app, "administrasi")
    publication.finalise_stage(app, PANITIA, CID, "administrasi")
    at = _page(app, "profil", "pembina-lebak", "administrasi", posyandu="P2")
    assert not at.exception
    assert "Hasil tahap Administrasi masih sementara" in _texts(at)
    next(m for m in at.multiselect if m.label == "Kriteria").select("KES_02")
    next(a for a in at.text_area if a.label == "Alasan sanggahan").input("Daftar kunjungan rumah terlampir")
    next(b for b in at.button if b.label == "Ajukan sanggahan").click().run()
    assert not at.exception
    row = app.sql("SELECT entrant_id, criteria, filed_by, status FROM protests").fetchone()
    assert row == ("E2", ["KES_02"], "pembina-lebak", "open")
    # the confirmation comes with the protest already in the list above the form (not "no protest")
    assert any(s.value.startswith("Sanggahan #") and "diajukan" in s.value for s in at.success)
    assert any("Daftar kunjungan rumah terlampir" in df.value.to_csv() for df in at.dataframe)
    at = _page(app, "profil", "pembina-lebak", "administrasi", posyandu="P2")
    assert any("Daftar kunjungan rumah terlampir" in df.value.to_csv() for df in at.dataframe)
