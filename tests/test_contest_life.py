"""The contest's life through the data functions on the small hand-built contest: finalists after the desk
stage, the disagreement send-back, provisional results with protests, final, and winners advancing."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest

from data import store
from data.judging import assignments, publication
from data.judging import forms as judging
from data.judging.auth import PUBLIC, PermissionDenied, User
from data.judging.contest_life import advancement, contest_rules, finalists, protests, send_back
from present.fmt import fmt_date
from tests.test_judging_fixtures import (
    CID,
    JURI1,
    JURI2,
    PANITIA,
    PEMBINA_CIKULUR,
    PEMBINA_LEBAK,
    build_contest,
)

PARENT = "banten-2026"
ALL = ("E1", "E2", "E3", "E4")
# Per entrant the four answers (KES_01, KES_02, KES_03 %, PDD_01): E1 best, E2 and E3 tied, E4 last.
DESK = {"E1": ("a", "a", 90.0, "a"), "E2": ("b", "b", 72.0, "b"), "E3": ("b", "b", 72.0, "b"),
        "E4": ("d", "d", 10.0, "d")}
LATER = dt.datetime.now() + dt.timedelta(days=30)
MINI_YAML = """\
code: mini
version: 1
title: Mini
layout: six_field
sections:
  - id: kesehatan
    title: Kesehatan
    title_en: Health
    spm_field: kesehatan
    weight: 60
    criteria:
      - id: KES_01
        text: SK kader
        options:
          - {code: a, points: 4, text: KES_01 pilihan a}
          - {code: b, points: 3, text: KES_01 pilihan b}
          - {code: c, points: 2, text: KES_01 pilihan c}
          - {code: d, points: 1, text: KES_01 pilihan d}
      - id: KES_02
        text: Kunjungan rumah
        options:
          - {code: a, points: 4, text: KES_02 pilihan a}
          - {code: b, points: 3, text: KES_02 pilihan b}
          - {code: c, points: 2, text: KES_02 pilihan c}
          - {code: d, points: 1, text: KES_02 pilihan d}
      - id: KES_03
        text: Cakupan D/S
        kind: real
        unit: "%"
        thresholds:
          - {min_value: 0, points: 1}
          - {min_value: 50, points: 2}
          - {min_value: 70, points: 3}
          - {min_value: 85, points: 4}
  - id: pendidikan
    title: Pendidikan
    title_en: Education
    spm_field: pendidikan
    weight: 40
    criteria:
      - id: PDD_01
        text: Pojok baca
        options:
          - {code: a, points: 4, text: PDD_01 pilihan a}
          - {code: b, points: 3, text: PDD_01 pilihan b}
          - {code: c, points: 2, text: PDD_01 pilihan c}
          - {code: d, points: 1, text: PDD_01 pilihan d}
"""


def store_mini_source(con) -> None:
    """Give build_contest's hand-written instrument rows the YAML they come from (the engine reads it)."""
    from data.instruments.loader import load_instrument_text

    assert load_instrument_text(MINI_YAML).instrument is not None, load_instrument_text(MINI_YAML).problems
    with store.transaction(con):
        con.execute("UPDATE instruments SET source_text = ? WHERE instrument_id = 'mini@1'", [MINI_YAML])


def _fill(con, user: User, entrant: str, stage: str, answers: tuple) -> None:
    for crit, value in zip(("KES_01", "KES_02", "KES_03", "PDD_01"), answers, strict=True):
        kw = {"real_value": value} if crit == "KES_03" else {"option_code": value}
        judging.save_score(con, user, CID, stage, entrant, crit, **kw)


def _judge_stage(con, stage: str, entrants=ALL, answers=DESK) -> None:
    """J2 judges every entrant; each fills and submits the answers given."""
    for e in entrants:
        assert assignments.assign_judge(con, PANITIA, CID, stage, "J2", e) is None
        _fill(con, JURI2, e, stage, answers[e])
        assert send_back.submit_form(con, JURI2, CID, stage, e) == []


@pytest.fixture
def contest(con):
    build_contest(con)
    store_mini_source(con)
    with store.transaction(con):
        con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                    "VALUES (?, 'Lomba Posyandu Provinsi Banten 2026', 2026, 'provinsi', '36', 'mini@1')", [PARENT])
        con.executemany("INSERT INTO competition_stages (competition_id, stage, ord, weight) VALUES (?, ?, ?, ?)",
                        [(PARENT, "administrasi", 0, 40.0), (PARENT, "lapangan", 1, 60.0)])
        con.execute("UPDATE competitions SET parent_competition_id = ?, advance_count = 1 WHERE competition_id = ?",
                    [PARENT, CID])
    return con


def _audit_actions(con) -> list[str]:
    return [r[0] for r in con.sql("SELECT action FROM audit_log ORDER BY audit_id").fetchall()]


# --- finalists ------------------------------------------------------------------------------------------------

def test_finalists_need_the_desk_stage_finalised_and_keep_ties_at_the_cut(contest):
    _judge_stage(contest, "administrasi")
    with pytest.raises(PermissionDenied) as err:
        finalists.pick_finalists(contest, PANITIA, CID, "lapangan", "top_n", 2)
    assert err.value.message_key == "life_finalists_need_final"
    publication.finalise_stage(contest, PANITIA, CID, "administrasi")
    with pytest.raises(PermissionDenied):
        finalists.pick_finalists(contest, JURI1, CID, "lapangan", "top_n", 2)
    # Top 2: E1, then E2 and E3 tied at place 2: both kept; E4 out.
    chosen = finalists.pick_finalists(contest, PANITIA, CID, "lapangan", "top_n", 2)
    assert sorted(chosen) == ["E1", "E2", "E3"]
    cut = finalists.finalist_cut_of(contest, CID, "lapangan")
    assert cut["rule"] == "top_n" and cut["from_stage"] == "administrasi" and cut["finalists"] == ["E1", "E2", "E3"]
    reached = dict(contest.sql("SELECT entrant_id, stage_reached FROM entrants WHERE competition_id = ?",
                               params=[CID]).fetchall())
    assert reached == {"E1": "lapangan", "E2": "lapangan", "E3": "lapangan", "E4": "administrasi"}
    assert "pick_finalists" in _audit_actions(contest)


def test_only_finalists_are_assigned_and_scored_in_the_field(contest):
    _judge_stage(contest, "administrasi")
    publication.finalise_stage(contest, PANITIA, CID, "administrasi")
    # An early assignment of the later non-finalist is removed by the cut (it had no scores yet).
    assert assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J1", "E4") is None
    finalists.pick_finalists(contest, PANITIA, CID, "lapangan", "min_score", 50)
    assert contest.sql("SELECT count(*) FROM assignments WHERE stage = 'lapangan' AND entrant_id = 'E4'"
                       ).fetchone()[0] == 0
    with pytest.raises(PermissionDenied) as err:
        assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J2", "E4")
    assert err.value.message_key == "life_not_finalist"
    # Even a row slipped into assignments by hand cannot be scored.
    with store.transaction(contest):
        contest.execute("INSERT INTO assignments (competition_id, stage, judge_id, entrant_id) VALUES (?, ?, ?, ?)",
                        [CID, "lapangan", "J1", "E4"])
    with pytest.raises(PermissionDenied) as err:
        judging.save_score(contest, JURI1, CID, "lapangan", "E4", "KES_01", option_code="a")
    assert err.value.message_key == "life_not_finalist"
    assert assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J2", "E1") is None


def test_a_cut_is_refused_when_a_non_finalist_already_has_field_scores(contest):
    _judge_stage(contest, "administrasi")
    publication.finalise_stage(contest, PANITIA, CID, "administrasi")
    assert assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J1", "E4") is None
    judging.save_score(contest, JURI1, CID, "lapangan", "E4", "KES_01", option_code="a")
    with pytest.raises(PermissionDenied) as err:
        finalists.pick_finalists(contest, PANITIA, CID, "lapangan", "top_n", 1)
    assert err.value.message_key == "life_finalists_scored"
    assert finalists.finalist_cut_of(contest, CID, "lapangan") is None


# --- disagreement send-back -----------------------------------------------------------------------------------

def test_disagreeing_judges_must_answer_before_submitting(contest):
    for j in ("J1", "J2"):
        assert assignments.assign_judge(contest, PANITIA, CID, "lapangan", j, "E3") is None
    _fill(contest, JURI1, "E3", "lapangan", ("a", "b", 80.0, "c"))
    _fill(contest, JURI2, "E3", "lapangan", ("c", "b", 50.0, "c"))   # KES_01 two levels apart; D/S 37.5 % apart
    flags = send_back.entrant_flags(contest, JURI1, CID, "lapangan", "E3")
    assert flags["criterion_id"].to_list() == ["KES_01", "KES_03"]
    assert flags["involved"].all() and flags["decision"].null_count() == 2
    assert "option_code" not in flags.columns          # another judge's choice is not shown
    with pytest.raises(send_back.DisagreementPending) as err:
        send_back.submit_form(contest, JURI1, CID, "lapangan", "E3")
    assert err.value.criteria == ["KES_01", "KES_03"]
    assert judging.form_status(contest, JURI1, CID, "lapangan", "E3") == "open"

    with pytest.raises(PermissionDenied):
        send_back.answer_flag(contest, JURI1, CID, "lapangan", "E3", "KES_01", "kept", "  ")
    send_back.answer_flag(contest, JURI1, CID, "lapangan", "E3", "KES_01", "kept",
                             "SK kader dirinci per anggota, dilihat langsung")
    send_back.answer_flag(contest, JURI1, CID, "lapangan", "E3", "KES_03", "changed",
                             "Register D/S dihitung ulang", real_value=62.0)
    assert send_back.submit_form(contest, JURI1, CID, "lapangan", "E3") == []
    actions = _audit_actions(contest)
    assert "disagreement_kept" in actions and "disagreement_changed" in actions
    reasons = contest.sql("SELECT reason FROM audit_log WHERE action = 'score' AND reason IS NOT NULL").fetchall()
    assert reasons == [("Register D/S dihitung ulang",)]

    # J2 still differs on KES_01 (the kept choice); 62 against 50 is within 25 %, so only KES_01 is asked.
    with pytest.raises(send_back.DisagreementPending) as err:
        send_back.submit_form(contest, JURI2, CID, "lapangan", "E3")
    assert err.value.criteria == ["KES_01"]
    # Changing the choice afterwards makes an earlier answer stale: the judge answers again for the new value.
    send_back.answer_flag(contest, JURI2, CID, "lapangan", "E3", "KES_01", "kept", "Belum ada SK terbaru")
    judging.save_score(contest, JURI2, CID, "lapangan", "E3", "KES_01", option_code="d")
    assert send_back.unanswered_flags(contest, CID, "lapangan", "E3", "J2") == ["KES_01"]
    send_back.answer_flag(contest, JURI2, CID, "lapangan", "E3", "KES_01", "changed", "Sepakat setelah diskusi",
                             option_code="b")
    assert send_back.unanswered_flags(contest, CID, "lapangan", "E3", "J2") == []
    assert send_back.submit_form(contest, JURI2, CID, "lapangan", "E3") == []
    over = send_back.disagreement_overview(contest, PANITIA, CID, "lapangan")
    assert over.height == 0                          # a vs b is one level: the flag is gone


def test_the_thresholds_are_set_per_competition(contest):
    for j in ("J1", "J2"):
        assignments.assign_judge(contest, PANITIA, CID, "lapangan", j, "E3")
    _fill(contest, JURI1, "E3", "lapangan", ("a", "b", 80.0, "c"))
    _fill(contest, JURI2, "E3", "lapangan", ("b", "b", 70.0, "c"))
    assert send_back.unanswered_flags(contest, CID, "lapangan", "E3", "J1") == []
    with pytest.raises(PermissionDenied):
        contest_rules.set_rules(contest, JURI1, CID, disagree_levels=1)
    contest_rules.set_rules(contest, PANITIA, CID, disagree_levels=1, disagree_real_pct=10)
    assert contest_rules.rules(contest, CID) == {"protest_days": 3, "disagree_levels": 1, "disagree_real_pct": 10.0}
    assert send_back.unanswered_flags(contest, CID, "lapangan", "E3", "J1") == ["KES_01", "KES_03"]
    assert "set_rules" in _audit_actions(contest)


# --- provisional, protests, final, advancement ----------------------------------------------------------------

def _to_provisional(con) -> None:
    """Both stages judged by J2 (and E3 in the field by J1 too) and finalised: provisional results."""
    _judge_stage(con, "administrasi")
    publication.finalise_stage(con, PANITIA, CID, "administrasi")
    finalists.pick_finalists(con, PANITIA, CID, "lapangan", "top_n", 3)
    _judge_stage(con, "lapangan", ("E1", "E2", "E3"))
    assignments.assign_judge(con, PANITIA, CID, "lapangan", "J1", "E3")
    _fill(con, JURI1, "E3", "lapangan", DESK["E3"])
    send_back.submit_form(con, JURI1, CID, "lapangan", "E3")
    publication.finalise_stage(con, PANITIA, CID, "lapangan")


def test_finalising_publishes_provisional_results_with_a_protest_deadline(contest):
    _to_provisional(contest)
    status = publication.result_status(contest, CID)
    assert status["status"].to_list() == ["provisional", "provisional"]
    deadline = status["protest_deadline"][1]
    assert deadline.date() == dt.date.today() + dt.timedelta(days=3) and deadline.time() == dt.time(23, 59, 59)
    assert not publication.is_final(contest, CID) and not publication.is_final(contest, CID, "lapangan")
    with pytest.raises(PermissionDenied) as err:        # the window is still open
        advancement.declare_final(contest, PANITIA, CID, "lapangan")
    assert err.value.message_key == "life_final_window_open"
    # The deadline as a person reads it, never 2025-11-24 23:59.
    assert err.value.text("id") == (f"Masa sanggahan tahap Lapangan masih berjalan sampai "
                                    f"{fmt_date(deadline, 'id')} pukul 23.59.")


def test_protest_filed_upheld_rescored_then_final_and_the_winner_advances(contest):
    _to_provisional(contest)
    # A pembina outside the entrant's region may not file; inside it may.
    with pytest.raises(PermissionDenied):
        protests.file_protest(contest, PEMBINA_CIKULUR, CID, "lapangan", "E2", ["KES_01"], "Tidak adil")
    with pytest.raises(PermissionDenied):
        protests.file_protest(contest, JURI1, CID, "lapangan", "E2", ["KES_01"], "Tidak adil")
    with pytest.raises(PermissionDenied) as err:
        protests.file_protest(contest, PEMBINA_LEBAK, CID, "lapangan", "E2", [], "Tidak adil")
    assert err.value.message_key == "life_protest_needs_criteria"
    pid = protests.file_protest(contest, PEMBINA_LEBAK, CID, "lapangan", "E2", ["KES_01"],
                                    "SK kader sudah dirinci per anggota, lihat lampiran")
    rejected = protests.file_protest(contest, PANITIA, CID, "lapangan", "E3", ["PDD_01"], "Atas nama peserta")
    protests.decide_protest(contest, PANITIA, rejected, "rejected", "Bukti tidak menunjukkan pojok baca")
    with pytest.raises(PermissionDenied) as err:
        protests.decide_protest(contest, PANITIA, rejected, "upheld", "berubah pikiran")
    assert err.value.message_key == "life_protest_state"

    protests.decide_protest(contest, PANITIA, pid, "upheld", "Lampiran SK diperiksa ulang")
    assert judging.form_status(contest, JURI2, CID, "lapangan", "E2") == "open"
    assert judging.reopened_criteria(contest, CID, "lapangan", "E2") == {"KES_01"}
    # Only the protested criterion is open again; the rest of the finalised stage stays frozen.
    with pytest.raises(PermissionDenied) as err:
        judging.save_score(contest, JURI2, CID, "lapangan", "E2", "KES_02", option_code="a")
    assert err.value.message_key == "judging_stage_final"
    with pytest.raises(PermissionDenied):
        judging.save_score(contest, JURI2, CID, "lapangan", "E1", "KES_01", option_code="d")
    before = publication.published_results(contest, CID, "lapangan")
    judging.save_score(contest, JURI2, CID, "lapangan", "E2", "KES_01", option_code="a")
    assert contest.sql("SELECT status FROM protests WHERE protest_id = ?", params=[pid]).fetchone()[0] == "upheld"
    with pytest.raises(PermissionDenied) as err:
        advancement.declare_final(contest, PANITIA, CID, "lapangan", now=LATER)
    assert err.value.message_key == "life_final_protest_unsettled"
    assert send_back.submit_form(contest, JURI2, CID, "lapangan", "E2") == []
    assert contest.sql("SELECT status FROM protests WHERE protest_id = ?", params=[pid]).fetchone()[0] == "resolved"
    assert judging.reopened_criteria(contest, CID, "lapangan", "E2") == set()
    after = publication.published_results(contest, CID, "lapangan")
    total = {r["entrant_id"]: r["total"] for r in after.iter_rows(named=True)}
    assert total["E2"] > {r["entrant_id"]: r["total"] for r in before.iter_rows(named=True)}["E2"]

    # Protests on the entrant's record: the pembina sees theirs, the public nothing until final.
    assert protests.protests_frame(contest, PEMBINA_LEBAK, CID, entrant_id="E2")["status"].to_list() == [
        "resolved"]
    assert protests.protests_frame(contest, PUBLIC, CID).height == 0

    # The deadline passes (or the panitia closes the window with a reason): declare both stages final.
    with pytest.raises(PermissionDenied):
        protests.set_protest_deadline(contest, PANITIA, CID, "administrasi", dt.datetime.now(), "")
    protests.set_protest_deadline(contest, PANITIA, CID, "administrasi", dt.datetime.now(),
                                      "Tidak ada sanggahan tahap administrasi")
    assert advancement.declare_final(contest, PANITIA, CID, "administrasi") == []
    assert publication.is_final(contest, CID, "administrasi") and not publication.is_final(contest, CID)
    with pytest.raises(PermissionDenied) as err:       # after the deadline, no protest any more
        protests.file_protest(contest, PEMBINA_LEBAK, CID, "lapangan", "E1", ["KES_01"], "terlambat",
                                  now=LATER)
    assert err.value.message_key == "life_window_closed"
    assert re.search(r"\(\d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2}\)", err.value.text("id")), err.value.text("id")
    created = advancement.declare_final(contest, PANITIA, CID, "lapangan", now=LATER)
    assert publication.is_final(contest, CID)
    assert publication.result_status(contest, CID)["status"].to_list() == ["final", "final"]
    assert contest.sql("SELECT status FROM competitions WHERE competition_id = ?", params=[CID]).fetchone()[0] == \
        "final"

    # advance_count 1: the winner (E1) gets an entry in the provinsi contest, linked back.
    combined = publication.published_results(contest, CID, "gabungan")
    winner = combined.filter(pl.col("advances"))["entrant_id"].to_list()
    assert winner == ["E1"]
    assert created == [f"{PARENT}:P1"]
    row = contest.sql("SELECT competition_id, posyandu_id, source_entrant_id, stage_reached FROM entrants "
                      "WHERE entrant_id = ?", params=[created[0]]).fetchone()
    assert row == (PARENT, "P1", "E1", "administrasi")
    assert contest.sql("SELECT advanced FROM entrants WHERE entrant_id = 'E1'").fetchone()[0] is True
    arrived = advancement.arrivals(contest, PANITIA, PARENT)
    assert arrived["posyandu_name"].to_list() == ["Posyandu Jeruk"]
    assert arrived["source_competition_id"].to_list() == [CID] and arrived["award"].to_list() == ["Juara I"]
    assert advancement.advancement_of(contest, "E1")["target_competition_id"] == PARENT
    # Declaring again or advancing again creates nothing twice.
    assert advancement.advance_winners(contest, PANITIA, CID) == []
    assert contest.sql("SELECT count(*) FROM entrants WHERE competition_id = ?", params=[PARENT]).fetchone()[0] == 1
    # Once final, the public sees the protests, by role only.
    public = protests.protests_frame(contest, PUBLIC, CID)
    assert public.height == 2 and set(public["filed_by"]) == {"pembina", "panitia"}
    actions = _audit_actions(contest)
    for a in ("provisional", "protest_filed", "protest_rejected", "protest_upheld", "protest_resolved",
              "set_protest_deadline", "declare_final", "advance"):
        assert a in actions, a


def test_a_stage_finalised_before_the_protest_rules_counts_as_final(contest):
    with store.transaction(contest):
        contest.execute("UPDATE competition_stages SET finalized_at = now() WHERE competition_id = ?", [CID])
    assert publication.is_final(contest, CID)
    assert publication.result_status(contest, CID)["status"].to_list() == ["final", "final"]
    assert not publication.is_final(contest, PARENT)
    with pytest.raises(PermissionDenied):
        advancement.advance_winners(contest, PANITIA, PARENT)


def _final_and_advanced(con) -> str:
    """Both stages provisional, the windows closed, both declared final: the winner E1 is in the parent."""
    _to_provisional(con)
    for stage in ("administrasi", "lapangan"):
        protests.set_protest_deadline(con, PANITIA, CID, stage, dt.datetime.now(), "Tidak ada sanggahan")
    advancement.declare_final(con, PANITIA, CID, "administrasi", now=LATER)
    (target,) = advancement.declare_final(con, PANITIA, CID, "lapangan", now=LATER)
    return target


def test_reopening_a_stage_withdraws_the_winners_that_advanced_and_they_advance_again(contest):
    target = _final_and_advanced(contest)
    # The parent's panitia already assigned a judge to the arrival (no score yet).
    assert assignments.assign_judge(contest, PANITIA, PARENT, "administrasi", "J2", target) is None
    assert advancement.advanced_from(contest, CID)["posyandu_name"].to_list() == ["Posyandu Jeruk"]
    with pytest.raises(PermissionDenied) as err:
        advancement.reopen_stage(contest, PANITIA, CID, "lapangan", " ")
    assert err.value.message_key == "judging_reason_required"
    with pytest.raises(PermissionDenied):
        advancement.reopen_stage(contest, PEMBINA_LEBAK, CID, "lapangan", "Salah hitung")

    withdrawn = advancement.reopen_stage(contest, PANITIA, CID, "lapangan", "Nilai E2 salah ketik")
    assert withdrawn == ["Posyandu Jeruk"]
    assert contest.sql("SELECT count(*) FROM entrants WHERE competition_id = ?", params=[PARENT]).fetchone()[0] == 0
    assert contest.sql("SELECT count(*) FROM assignments WHERE competition_id = ?", params=[PARENT]).fetchone()[0] == 0
    assert contest.sql("SELECT count(*) FROM advancements").fetchone()[0] == 0
    assert contest.sql("SELECT advanced FROM entrants WHERE entrant_id = 'E1'").fetchone()[0] is False
    assert contest.sql("SELECT status FROM competitions WHERE competition_id = ?", params=[CID]).fetchone()[0] == "open"
    assert not publication.is_final(contest, CID)
    audit = contest.sql("SELECT action, entity_key, reason FROM audit_log WHERE action IN ('withdraw_advanced', "
                        "'unassign', 'reopen') ORDER BY audit_id").fetchall()
    assert audit == [("unassign", f"{PARENT}/administrasi/{target}/J2", "Nilai E2 salah ketik"),
                     ("withdraw_advanced", f"{CID}/E1", "Nilai E2 salah ketik"),
                     ("reopen", f"{CID}/lapangan", "Nilai E2 salah ketik")]
    with pytest.raises(PermissionDenied) as err:          # nothing to reopen twice
        advancement.reopen_stage(contest, PANITIA, CID, "lapangan", "lagi")
    assert err.value.message_key == "contest_reopen_not_finalised"

    # Corrected, finalised and declared final again: the winner advances again, once.
    publication.finalise_stage(contest, PANITIA, CID, "lapangan")
    protests.set_protest_deadline(contest, PANITIA, CID, "lapangan", dt.datetime.now(), "Tidak ada sanggahan")
    assert advancement.declare_final(contest, PANITIA, CID, "lapangan", now=LATER) == [target]
    assert advancement.arrivals(contest, PANITIA, PARENT)["posyandu_name"].to_list() == ["Posyandu Jeruk"]


def test_reopening_is_refused_once_the_parent_has_scored_an_advanced_winner(contest):
    target = _final_and_advanced(contest)
    assert assignments.assign_judge(contest, PANITIA, PARENT, "administrasi", "J2", target) is None
    judging.save_score(contest, JURI2, PARENT, "administrasi", target, "KES_01", option_code="a")
    with pytest.raises(PermissionDenied) as err:
        advancement.reopen_stage(contest, PANITIA, CID, "administrasi", "Salah hitung")
    assert err.value.message_key == "contest_reopen_parent_scored"
    assert err.value.detail["posyandu"] == "Posyandu Jeruk"
    assert "Lomba Posyandu Provinsi Banten 2026" in err.value.text("id")
    assert publication.is_final(contest, CID) and advancement.advanced_from(contest, CID).height == 1


def test_assigning_judges_to_all_entrants_at_once_checks_each_pair(contest):
    made, blocked = assignments.assign_all(contest, PANITIA, CID, "administrasi", ["J1", "J2"], list(ALL))
    assert [(c.judge_id, c.entrant_id, c.rule) for c in blocked] == [("J1", "E1", "same_desa")]
    assert made == 7
    assert assignments.assign_all(contest, PANITIA, CID, "administrasi", ["J1", "J2"], list(ALL))[0] == 0
    with pytest.raises(PermissionDenied):
        assignments.assign_all(contest, JURI1, CID, "administrasi", ["J1"], ["E2"])
