"""The Competitions page (pages/lomba.py) on an empty real store, through AppTest: create Kab. Kudus 2025 with
two stages 40/60, see problems in the user's language, edit a rule after scoring started with a reason."""

from __future__ import annotations

import datetime as dt

from data.setup import competitions as comps
from data.store import reads, score_rows
from tests.setup_support import run_page, texts


def _fill_kudus(at) -> None:
    at.text_input(key="lomba.new.name").set_value("Lomba Posyandu Kabupaten Kudus 2025")
    at.number_input(key="lomba.new.year").set_value(2025)
    at.selectbox(key="lomba.new.level").set_value("kabupaten")
    at.run()
    at.selectbox(key="lomba.new.scope2.up1").set_value("33")
    at.run()
    at.selectbox(key="lomba.new.scope2").set_value("33.19")
    at.date_input(key="lomba.new.administrasi.start").set_value(dt.date(2025, 10, 13))
    at.date_input(key="lomba.new.administrasi.end").set_value(dt.date(2025, 10, 17))
    at.date_input(key="lomba.new.lapangan.start").set_value(dt.date(2025, 10, 20))
    at.date_input(key="lomba.new.lapangan.end").set_value(dt.date(2025, 10, 24))


def test_a_visitor_or_juri_cannot_open_the_competitions_page(setup_app):
    at = run_page("lomba", setup_app, username=None)
    assert not at.exception
    assert "halaman ini untuk panitia" in texts(at).lower()
    assert not at.button


def test_panitia_creates_kudus_2025_with_two_stages_40_60(setup_app):
    at = run_page("lomba", setup_app)
    assert not at.exception
    assert "Belum ada lomba" in texts(at)
    _fill_kudus(at)
    at.button(key="lomba.create").click().run()
    assert not at.exception, at.exception
    assert "Lomba Posyandu Kabupaten Kudus 2025 (LP2025-KAB-33.19) dibuat" in texts(at)
    comp = reads.competition(setup_app, "LP2025-KAB-33.19")
    assert (comp["level"], comp["scope_code"], comp["category"]) == ("kabupaten", "33.19", "umum")
    assert reads.stage_dates(setup_app, "LP2025-KAB-33.19").select("stage", "weight", "start_date").rows() == [
        ("administrasi", 40.0, dt.date(2025, 10, 13)), ("lapangan", 60.0, dt.date(2025, 10, 20))]
    # The form now edits the new competition.
    assert at.selectbox(key="lomba.pick").value == "LP2025-KAB-33.19"


def test_problems_are_listed_by_field_in_english_and_nothing_is_saved(setup_app):
    at = run_page("lomba", setup_app, lang="en")
    _fill_kudus(at)
    at.number_input(key="lomba.new.lapangan.weight").set_value(50.0)
    at.text_input(key="lomba.new.name").set_value("")
    at.button(key="lomba.create").click().run()
    assert not at.exception
    shown = texts(at)
    assert "Not saved yet" in shown
    assert "Stage weights add up to 90" in shown and "The competition needs a name" in shown
    assert reads.list_competitions(setup_app).height == 0


def test_after_scoring_started_a_rule_change_needs_a_reason_and_lands_in_the_history(setup_app):
    at = run_page("lomba", setup_app)
    _fill_kudus(at)
    at.button(key="lomba.create").click().run()
    cid = "LP2025-KAB-33.19"
    score_rows.add_scores(setup_app, [{"competition_id": cid, "stage": "administrasi", "entrant_id": "E1",
                                       "judge_id": "J1", "criterion_id": "KES-01", "option_code": "a"}])
    at = run_page("lomba", setup_app)
    assert "Penilaian sudah dimulai" in texts(at)
    at.selectbox(key=f"lomba.{cid}.agg").set_value("median")
    at.button(key="lomba.save").click().run()
    assert "tulis alasan perubahan aturan" in texts(at)
    assert reads.competition(setup_app, cid)["aggregation"] == "mean"
    at.text_input(key=f"lomba.{cid}.reason").set_value("Juri tidak lengkap, rapat 21/10")
    at.button(key="lomba.save").click().run()
    assert not at.exception
    assert reads.competition(setup_app, cid)["aggregation"] == "median"
    assert "Perubahan disimpan" in texts(at)
    assert at.text_input(key=f"lomba.{cid}.reason").value == ""      # empty for the next change
    hist = comps.competition_history(setup_app, cid)
    assert hist.row(0, named=True)["reason"] == "Juri tidak lengkap, rapat 21/10"
    shown = at.dataframe[0].value
    assert shown["Tindakan"].iloc[0] == "aturan diubah setelah penilaian dimulai (dihitung ulang)"
    # in the form's words, not the stored codes
    assert shown["Apa"].iloc[0] == "Penggabungan nilai juri" and shown["Oleh"].iloc[0] == "ketua"
    assert (shown["Lama"].iloc[0], shown["Baru"].iloc[0]) == ("Rata-rata", "Median")


def test_the_protest_window_and_disagreement_thresholds_are_set_with_the_competition(setup_app):
    from data.judging.contest_life import contest_rules

    at = run_page("lomba", setup_app)
    assert at.number_input(key="lomba.new.protest_days").value == 3       # the default window
    _fill_kudus(at)
    at.number_input(key="lomba.new.protest_days").set_value(5)
    at.number_input(key="lomba.new.disagree_levels").set_value(3)
    at.button(key="lomba.create").click().run()
    assert not at.exception, at.exception
    cid = "LP2025-KAB-33.19"
    assert contest_rules.rules(setup_app, cid) == {"protest_days": 5, "disagree_levels": 3, "disagree_real_pct": 25.0}
    # Edited later on the same page: only the rules change, audited in the competition's history.
    at = run_page("lomba", setup_app)
    assert at.number_input(key=f"lomba.{cid}.protest_days").value == 5
    at.number_input(key=f"lomba.{cid}.disagree_pct").set_value(10.0)
    at.button(key="lomba.save").click().run()
    assert not at.exception and "Perubahan disimpan" in texts(at)
    assert contest_rules.rules(setup_app, cid)["disagree_real_pct"] == 10.0
    hist = comps.competition_history(setup_app, cid)
    assert hist.filter(hist["action"] == "set_rules").height == 2


def test_the_region_is_picked_in_a_cascade_of_a_few_dozen_options(setup_app):
    at = run_page("lomba", setup_app)
    at.selectbox(key="lomba.new.level").set_value("kecamatan")
    at.run()
    province = at.selectbox(key="lomba.new.scope3.up1")
    assert len(province.options) == 38 and province.value is None
    assert not [b for b in at.selectbox if b.key == "lomba.new.scope3"]      # nothing to pick before a province
    province.set_value("33")
    at.run()
    kab = at.selectbox(key="lomba.new.scope3.up2")
    assert len(kab.options) == 35 and "33.19 · Kab. Kudus" in kab.options
    kab.set_value("33.19")
    at.run()
    kec = at.selectbox(key="lomba.new.scope3")
    assert len(kec.options) == 9 and "33.19.06 · Kec. Jekulo" in kec.options    # not 7,285
    kec.set_value("33.19.06")
    at.text_input(key="lomba.new.name").set_value("Lomba Posyandu Kecamatan Jekulo 2025")
    at.button(key="lomba.create").click().run()
    assert not at.exception, at.exception
    cid = reads.list_competitions(setup_app)["competition_id"].to_list()[0]
    assert reads.competition(setup_app, cid)["scope_code"] == "33.19.06"
    # Editing it opens the cascade on the saved region.
    at = run_page("lomba", setup_app)
    assert at.selectbox(key=f"lomba.{cid}.scope3.up1").value == "33"
    assert at.selectbox(key=f"lomba.{cid}.scope3").value == "33.19.06"
