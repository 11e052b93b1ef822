"""The judging workflow through the data functions: who may do what, conflicts, locking, audit, publication."""

from __future__ import annotations

import json

import pytest

from data import store
from data.judging import assignments, evidence
from data.judging import forms as judging
from data.judging.auth import PUBLIC, PermissionDenied
from data.judging.contest_life import send_back
from present.errors import BadInput
from tests.test_judging_fixtures import (
    CID,
    JURI1,
    JURI2,
    PANITIA,
    PEMBINA_CIKULUR,
    PEMBINA_LEBAK,
    assign_defaults,
    build_contest,
    fill_form,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def con(either_con):
    """Every test here runs on both stores, DuckDB and PostgreSQL (`-m postgres` runs the PostgreSQL half)."""
    return either_con


@pytest.fixture
def contest(con):
    build_contest(con)
    assign_defaults(con)
    return con


# --- role isolation -------------------------------------------------------------------------------------------

def test_juri_cannot_write_an_unassigned_entrant(contest):
    # J2 is not assigned to E4 (Pandeglang).
    with pytest.raises(PermissionDenied) as err:
        judging.save_score(contest, JURI2, CID, "lapangan", "E4", "KES_01", option_code="a")
    assert err.value.message_key == "judging_denied_not_assigned"
    assert contest.sql("SELECT count(*) FROM scores").fetchone()[0] == 0


def test_juri_cannot_read_or_write_another_judges_scores(contest):
    fill_form(contest, JURI1, "E3")
    # E3 is assigned to both, but J2 may not read J1's form nor write as J1.
    with pytest.raises(PermissionDenied) as err:
        judging.read_scores(contest, JURI2, CID, "lapangan", "E3", judge_id="J1")
    assert err.value.message_key == "judging_denied_other_judge"
    with pytest.raises(PermissionDenied):
        judging.save_score(contest, JURI2, CID, "lapangan", "E3", "KES_01", option_code="d", judge_id="J1")
    own = judging.read_scores(contest, JURI2, CID, "lapangan", "E3")
    assert own.height == 0   # a juri reading without naming a judge gets only their own rows
    assert judging.read_scores(contest, JURI1, CID, "lapangan", "E3")["judge_id"].unique().to_list() == ["J1"]


def test_juri_cannot_read_an_unassigned_entrant(contest):
    with pytest.raises(PermissionDenied):
        judging.read_scores(contest, JURI1, CID, "lapangan", "E1")


def test_assignments_list_shows_a_juri_only_their_own(contest):
    mine = assignments.assignments_frame(contest, JURI1, CID, "lapangan")
    assert sorted(mine["entrant_id"].to_list()) == ["E3", "E4"]
    assert set(mine["judge_id"]) == {"J1"}
    assert assignments.assignments_frame(contest, PANITIA, CID, "lapangan").height == 5


def test_pembina_reads_only_inside_their_region(contest):
    fill_form(contest, JURI1, "E4")
    fill_form(contest, JURI1, "E3")
    with pytest.raises(PermissionDenied) as err:   # E4 is in Pandeglang, outside Lebak
        judging.read_scores(contest, PEMBINA_LEBAK, CID, "lapangan", "E4")
    assert err.value.message_key == "judging_denied_region"
    assert judging.read_scores(contest, PEMBINA_LEBAK, CID, "lapangan", "E3").height == 4
    assert judging.read_scores(contest, PEMBINA_CIKULUR, CID, "lapangan", "E3").height == 4
    with pytest.raises(PermissionDenied):          # E1 is in Cibadak, not Cikulur
        judging.read_scores(contest, PEMBINA_CIKULUR, CID, "lapangan", "E1")
    with pytest.raises(PermissionDenied):
        judging.save_score(contest, PEMBINA_LEBAK, CID, "lapangan", "E3", "KES_01", option_code="a")


def test_publik_can_neither_read_scores_nor_assign(contest):
    with pytest.raises(PermissionDenied):
        judging.read_scores(contest, PUBLIC, CID, "lapangan", "E1")
    with pytest.raises(PermissionDenied):
        assignments.assign_judge(contest, PUBLIC, CID, "lapangan", "J3", "E1")
    with pytest.raises(PermissionDenied):
        assignments.assign_judge(contest, JURI1, CID, "lapangan", "J1", "E1")


# --- conflict of interest ---------------------------------------------------------------------------------------

def test_same_desa_judge_is_blocked_with_an_explanation(contest):
    conflict = assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J1", "E1")
    assert conflict is not None
    assert conflict.message_key == "judging_coi_same_desa"
    assert conflict.detail["desa"] == "Pasar Keong"
    assert not assignments.assignments_frame(contest, PANITIA, CID, "lapangan").filter(
        (judging.pl.col("judge_id") == "J1") & (judging.pl.col("entrant_id") == "E1")).height


def test_same_kecamatan_rule_blocks_a_neighbouring_desa_only_when_chosen(contest):
    # J1 lives in Pasar Keong; E2 (P2) is in Tambakbaya, the same kecamatan Cibadak.
    assert assignments.conflict_of_interest(contest, "J1", "E2", "same_desa") is None
    assignments.set_coi_rule(contest, PANITIA, CID, "same_kecamatan")
    conflict = assignments.assign_judge(contest, PANITIA, CID, "administrasi", "J1", "E2")
    assert conflict is not None and conflict.message_key == "judging_coi_same_kecamatan"
    assert conflict.detail["kecamatan"] == "Cibadak"
    assignments.set_coi_rule(contest, PANITIA, CID, "none")
    assert assignments.assign_judge(contest, PANITIA, CID, "administrasi", "J1", "E2") is None


def test_candidates_list_explains_each_blocked_judge_and_workload(contest):
    cands = assignments.judge_candidates(contest, PANITIA, CID, "lapangan", "E1")
    by = {r["judge_id"]: r for r in cands.iter_rows(named=True)}
    assert by["J1"]["conflict_key"] == "judging_coi_same_desa"
    assert json.loads(by["J1"]["conflict_detail"])["home"] == "Pasar Keong"
    assert by["J2"]["assigned"] and by["J2"]["conflict_key"] is None
    assert by["J2"]["workload"] == 3
    wl = {r["judge_id"]: r for r in assignments.workload(contest, PANITIA, CID, "lapangan").iter_rows(named=True)}
    # J2 has 3 entrants × 4 criteria = 12 scores expected.
    assert (wl["J2"]["assigned"], wl["J2"]["scores_expected"], wl["J3"]["assigned"]) == (3, 12, 0)


def test_unassign_is_refused_once_scores_exist(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="a")
    with pytest.raises(PermissionDenied):
        assignments.unassign_judge(contest, PANITIA, CID, "lapangan", "J1", "E3")
    assignments.unassign_judge(contest, PANITIA, CID, "lapangan", "J1", "E4")
    assert assignments.assignments_frame(contest, JURI1, CID, "lapangan")["entrant_id"].to_list() == ["E3"]


# --- saving, validation, audit -----------------------------------------------------------------------------------

def test_every_change_is_audited_with_old_and_new(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", note="SK ada, rinci per bidang")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="a")
    assert not judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="a")  # no change
    log = judging.audit_entries(contest, PANITIA, f"{CID}/lapangan/E3/J1/KES_01").sort("audit_id")
    assert log.height == 3
    assert set(log["actor"]) == {"juri1"}
    olds = [json.loads(v)["option_code"] if v else None for v in log["old_value"]]
    news = [json.loads(v)["option_code"] for v in log["new_value"]]
    assert (olds, news) == ([None, "b", "b"], ["b", "b", "a"])
    row = judging.read_scores(contest, JURI1, CID, "lapangan", "E3").row(0, named=True)
    assert (row["option_code"], row["note"]) == ("a", "SK ada, rinci per bidang")   # the note survived


def test_values_outside_the_instrument_are_refused(contest):
    with pytest.raises(BadInput):
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="e")
    with pytest.raises(BadInput):
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", option_code="a")
    with pytest.raises(BadInput):
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", real_value=-1.0)
    with pytest.raises(judging.NotInCompetition) as refused:
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "NOPE", option_code="a")
    assert refused.value.message_key == "engine_unknown_criterion"
    assert contest.sql("SELECT count(*) FROM scores").fetchone()[0] == 0


FORM_E3 = {"competition_id": CID, "stage": "lapangan", "entrant_id": "E3"}


@pytest.fixture
def duck_contest(tmp_path):
    """The contest on DuckDB only: evidence files are kept beside the store file, and where a PostgreSQL
    deployment keeps them (a folder every app server shares) is not decided yet (docs/postgres.md)."""
    c = store.connect(tmp_path / "test.duckdb")
    build_contest(c)
    assign_defaults(c)
    yield c
    c.close()


def test_evidence_is_stored_once_by_hash_and_referenced(duck_contest, tmp_path):
    contest = duck_contest
    first = evidence.store_evidence(contest, JURI1, PNG, "foto.png", **FORM_E3)
    again = evidence.store_evidence(contest, JURI1, PNG, "foto-lagi.png", **FORM_E3)
    assert first.ok and first.sha256 == again.sha256 and first.mime_type == "image/png"
    assert evidence.evidence_path(contest, first.sha256).read_bytes() == PNG
    assert evidence.evidence_path(contest, first.sha256).is_relative_to(tmp_path)
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", evidence=[first.sha256])
    assert judging.read_scores(contest, JURI1, CID, "lapangan", "E3")["evidence"].to_list() == [[first.sha256]]
    with pytest.raises(BadInput, match="error_judging_unknown_evidence"):
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", evidence=["0" * 64])


@pytest.mark.parametrize(("data", "key"), [
    (b"", "judging_evidence_empty"),
    (b"MZ\x90\x00 an exe renamed to .jpg", "judging_evidence_bad_type"),
    (b"<html>not a pdf</html>", "judging_evidence_bad_type"),
    (b"%PDF-" + b"x" * (10 * 1024 * 1024), "judging_evidence_too_large"),
])
def test_evidence_outside_the_limits_is_refused_by_its_bytes(contest, data, key):
    result = evidence.store_evidence(contest, JURI1, data, "bukti.jpg", **FORM_E3)
    assert not result.ok and result.message_key == key
    assert contest.sql("SELECT count(*) FROM evidence_files").fetchone()[0] == 0


# --- submit, lock, reopen ----------------------------------------------------------------------------------------

def test_submit_needs_a_finished_form_then_locks_it(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="a")
    assert send_back.submit_form(contest, JURI1, CID, "lapangan", "E3") == ["KES_02", "KES_03", "PDD_01"]
    assert judging.form_status(contest, JURI1, CID, "lapangan", "E3") == "open"
    fill_form(contest, JURI1, "E3")
    progress = judging.form_progress(contest, JURI1, CID, "lapangan", "E3")
    assert progress.select("section_id", "answered", "total").rows() == [("kesehatan", 3, 3), ("pendidikan", 1, 1)]
    assert send_back.submit_form(contest, JURI1, CID, "lapangan", "E3") == []
    assert judging.form_status(contest, JURI1, CID, "lapangan", "E3") == "submitted"
    with pytest.raises(PermissionDenied) as err:
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="d")
    assert err.value.message_key == "judging_form_locked"
    with pytest.raises(PermissionDenied):   # panitia too must reopen first
        judging.save_score(contest, PANITIA, CID, "lapangan", "E3", "KES_01", option_code="d", judge_id="J1")


def test_evidence_for_a_submitted_form_is_refused_and_nothing_is_stored(duck_contest, tmp_path):
    contest = duck_contest
    fill_form(contest, JURI1, "E3")
    send_back.submit_form(contest, JURI1, CID, "lapangan", "E3")
    refused = evidence.store_evidence(contest, JURI1, PNG, "foto.png", **FORM_E3)
    assert not refused.ok and refused.message_key == "judging_form_locked"
    panitia = evidence.store_evidence(contest, PANITIA, PNG, "foto.png", **FORM_E3, judge_id="J1")
    assert panitia.message_key == "judging_form_locked"          # panitia too must reopen first
    elsewhere = evidence.store_evidence(contest, JURI1, PNG, "foto.png", competition_id=CID, stage="lapangan",
                                        entrant_id="E-NOT-MINE")
    assert elsewhere.message_key == "judging_denied_not_assigned"
    assert contest.sql("SELECT count(*) FROM evidence_files").fetchone()[0] == 0
    assert not list((tmp_path).rglob("evidence/*/*"))
    judging.reopen_form(contest, PANITIA, CID, "lapangan", "E3", "J1", "Foto SK menyusul")
    assert evidence.store_evidence(contest, JURI1, PNG, "foto.png", **FORM_E3).ok


def test_reopen_needs_panitia_and_a_reason_and_leaves_a_trace(contest):
    fill_form(contest, JURI1, "E3")
    send_back.submit_form(contest, JURI1, CID, "lapangan", "E3")
    with pytest.raises(PermissionDenied):
        judging.reopen_form(contest, JURI1, CID, "lapangan", "E3", "J1", "saya salah pilih")
    with pytest.raises(PermissionDenied) as err:
        judging.reopen_form(contest, PANITIA, CID, "lapangan", "E3", "J1", "  ")
    assert err.value.message_key == "judging_reason_required"
    judging.reopen_form(contest, PANITIA, CID, "lapangan", "E3", "J1", "Bukti SK baru diterima")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b", reason="SK baru")
    log = judging.audit_entries(contest, PANITIA, f"{CID}/lapangan/E3/J1")
    actions = log.sort("audit_id")["action"].to_list()
    assert actions[-3:] == ["submit", "reopen", "score"]
    reopen = log.filter(judging.pl.col("action") == "reopen").row(0, named=True)
    assert (reopen["actor"], reopen["reason"]) == ("panitia", "Bukti SK baru diterima")


def test_audit_log_is_for_panitia_only(contest):
    with pytest.raises(PermissionDenied):
        judging.audit_entries(contest, JURI1)


def test_every_refusal_reads_as_a_sentence_in_both_languages(contest):
    from present.i18n import t

    refusals = []
    for call in (lambda: judging.save_score(contest, JURI2, CID, "lapangan", "E4", "KES_01", option_code="a"),
                 lambda: judging.read_scores(contest, JURI2, CID, "lapangan", "E3", judge_id="J1"),
                 lambda: judging.read_scores(contest, PEMBINA_CIKULUR, CID, "lapangan", "E1"),
                 lambda: judging.audit_entries(contest, JURI1),
                 lambda: judging.reopen_form(contest, PANITIA, CID, "lapangan", "E3", "J1", "")):
        with pytest.raises(PermissionDenied) as err:
            call()
        refusals.append(err.value)
    conflict = assignments.assign_judge(contest, PANITIA, CID, "lapangan", "J1", "E1")
    for lang in ("id", "en"):
        for r in refusals:
            assert "⟦" not in t(r.message_key, lang, **r.detail)
        assert "Pasar Keong" in t(conflict.message_key, lang, **conflict.detail)
