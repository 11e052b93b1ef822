"""The audit page (Jejak Audit) through AppTest: panitia see and filter every change; nobody else sees it."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data.judging import auth
from data.judging import forms as judging
from ui.auth import TOKEN_KEY

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "jejak_audit.py")


def _open_cell(con) -> tuple[str, str, str, str, str, str]:
    """(competition, stage, entrant, judge, criterion, option) of a score on a form still open."""
    return con.sql(
        "SELECT s.competition_id, s.stage, s.entrant_id, s.judge_id, s.criterion_id, s.option_code FROM scores s "
        "JOIN competition_stages cs USING (competition_id, stage) LEFT JOIN judging_forms f "
        "USING (entrant_id, stage, judge_id) WHERE cs.finalized_at IS NULL AND coalesce(f.status, 'open') = 'open' "
        "AND s.option_code IS NOT NULL ORDER BY ALL LIMIT 1").fetchone()


def _page(con, username: str | None, password: str | None, competition: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if username:
        at.session_state[TOKEN_KEY] = auth.authenticate(con, username, password).token
    if competition:
        at.query_params["competition"] = competition
    return at.run()


def test_panitia_sees_a_changed_score_with_old_and_new_and_can_filter_to_it(demo_app):
    con = demo_app
    cid, stage, entrant, judge, crit, option = _open_cell(con)
    other = "d" if option != "d" else "a"
    panitia = auth.get_user(con, "panitia")
    judging.save_score(con, panitia, cid, stage, entrant, crit, option_code=other, judge_id=judge,
                       reason="Salah ketik saat rekap")
    at = _page(con, "panitia", "panitia-demo", cid)
    assert not at.exception
    at.selectbox(key="au.entrant").set_value(entrant).run()
    at.selectbox(key="au.judge").set_value(judge).run()
    at.text_input(key="au.criterion").set_value(crit).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) == 1
    row = shown.iloc[0]
    assert (row["Nilai lama"], row["Nilai baru"], row["Oleh"]) == (option, other, "panitia")
    assert (row["Alasan"], row["Jalur"], row["Kriteria"]) == ("Salah ketik saat rekap", "Formulir penilaian", crit)
    assert [b.label for b in at.get("download_button")] == ["Unduh jejak audit (Excel)"]


def test_a_filter_with_no_match_says_so_in_indonesian(demo_app):
    at = _page(demo_app, "panitia", "panitia-demo")
    at.text_input(key="au.criterion").set_value("TIDAK-ADA").run()
    assert not at.exception
    assert [i.value for i in at.info] == ["Belum ada catatan yang cocok dengan saringan ini."]
    assert not at.dataframe


def test_judges_pembina_and_visitors_do_not_see_the_audit_trail(demo_app):
    for username, password in (("juri1", "juri-demo"), ("pembina-lebak", "pembina-demo"), (None, None)):
        at = _page(demo_app, username, password)
        assert not at.exception
        assert not at.dataframe and not at.get("download_button"), username
