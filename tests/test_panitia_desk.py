"""Panitia's desk on a new contest (pages/panitia.py): the workload says in words when nobody is assigned, the
entrant picker lists posyandu by name, and "Tugaskan sekaligus" keeps the judges chosen after the click."""

from __future__ import annotations

from data.judging import accounts
from data.judging.auth import User
from data.setup import entrants as hand
from tests.setup_support import run_page, texts
from tests.test_hand_entrants import _desa, _kudus

KETUA = User("ketua", "panitia", display_name="Ketua Panitia")


def test_the_workload_says_in_words_that_there_is_no_judge_then_that_none_is_assigned(setup_app):
    cid = _kudus(setup_app)
    at = run_page("panitia", setup_app)
    at.session_state["ctx.competition"] = cid
    at.run()
    assert not at.exception, at.exception
    assert "Belum ada juri untuk lomba ini." in texts(at)
    accounts.create_account(setup_app, KETUA, accounts.NewAccount("sari", "juri", "Sari Wulandari"))
    at.run()
    shown = texts(at)
    assert "Belum ada juri yang ditugaskan untuk tahap Administrasi." in shown
    assert "Sari Wulandari" not in shown            # no table of zeros


def test_entrants_by_name_and_the_bulk_choice_stays_after_the_click(setup_app):
    cid = _kudus(setup_app)
    desa = _desa()
    # registered in this order, their ids run Melati, Anggrek; by name it is Anggrek, Melati
    _, melati = hand.register_and_enter(setup_app, KETUA, cid, "Posyandu Melati", desa)
    _, anggrek = hand.register_and_enter(setup_app, KETUA, cid, "Posyandu Anggrek", desa)
    assert melati < anggrek
    for username, name in (("budi", "Budi Santoso"), ("sari", "Sari Wulandari")):
        accounts.create_account(setup_app, KETUA, accounts.NewAccount(username, "juri", name))
    ids = [accounts.accounts_frame(setup_app).filter(username=u)["judge_id"][0] for u in ("budi", "sari")]
    at = run_page("panitia", setup_app)
    at.session_state["ctx.competition"] = cid
    at.run()
    assert at.selectbox(key="pt.entrant").options == ["Posyandu Anggrek", "Posyandu Melati"]
    judges = at.multiselect(key="pt.bulk_judges")
    assert judges.options == ["Budi Santoso", "Sari Wulandari"]      # by name
    judges.set_value(ids)
    go = next(b for b in at.button if b.label == "Tugaskan ke semua 2 peserta")
    go.click().run()
    assert not at.exception, at.exception
    assert "4 penugasan baru untuk tahap Administrasi." in texts(at)
    assert at.multiselect(key="pt.bulk_judges").value == ids        # still chosen after the click
    assert "Belum ada juri yang ditugaskan" not in texts(at)
