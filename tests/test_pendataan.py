"""Pendataan as a follow-up tool (issue #18): the state machine, who sees which case, history kept, the figures,
the importer and the page."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from data import store
from data.exchange.imports import import_file
from data.judging.auth import PUBLIC, PermissionDenied, User
from data.pendataan import cases, summary
from data.pendataan.catalogue import is_sensitive
from data.pendataan.flow import NEXT, STATUSES, step_problem
from present.errors import BadInput
from tests.pages_support import page, sign_in

PANITIA = User("panitia", "panitia")
PEMBINA = User("pembina-lebak", "pembina", region_code="36.02")
JURI = User("juri1", "juri", judge_id="J1")
TODAY = dt.date(2026, 11, 30)
D = dt.date


@pytest.fixture
def world(con):
    """Two posyandu in Kab. Lebak (36.02), one in Kab. Serang (36.04)."""
    con.executemany("INSERT INTO regions (code, name, level, kind, parent_code) VALUES (?, ?, ?, ?, ?)", [
        ("36.02", "Lebak", 2, "kabupaten", "36"), ("36.02.18", "Cibadak", 3, "kecamatan", "36.02"),
        ("36.02.18.2010", "Pasar Keong", 4, "desa", "36.02.18"), ("36.04", "Serang", 2, "kabupaten", "36"),
        ("36.04.01.2001", "Cikande", 4, "desa", "36.04.01")])
    con.executemany("INSERT INTO posyandu (posyandu_id, name, desa_code) VALUES (?, ?, ?)", [
        ("P1", "Melati", "36.02.18.2010"), ("P2", "Mawar", "36.02.18.2010"), ("P3", "Kenanga", "36.04.01.2001")])
    return con


def _follow(con, rid: str, *steps: tuple[str, dt.date, dict]) -> None:
    for to, on, kw in steps:
        cases.advance_case(con, PANITIA, rid, to, on, today=TODAY, **kw)


# --- the state machine -------------------------------------------------------------------------------------------


def test_a_case_moves_recorded_verified_referred_resolved_and_no_step_is_skipped():
    assert step_problem("recorded", D(2026, 1, 1), "verified", D(2026, 1, 2), TODAY, note=None, opd=None) is None
    skip = step_problem("recorded", D(2026, 1, 1), "referred", D(2026, 1, 2), TODAY, note=None, opd="Dinsos")
    assert skip is not None and skip.message_key == "pendataan_bad_step"
    assert step_problem("verified", D(2026, 1, 1), "resolved", D(2026, 1, 2), TODAY, note=None, opd=None) is not None
    assert step_problem("resolved", D(2026, 1, 1), "closed", D(2026, 1, 2), TODAY, note="x", opd=None) is not None


def test_a_referral_names_its_office_a_closing_gives_its_reason_and_dates_run_forward():
    def key(*args, **kw):
        problem = step_problem(*args, **kw)
        return problem.message_key if problem else None
    assert key("verified", D(2026, 1, 5), "referred", D(2026, 1, 6), TODAY, note=None, opd=" ") == "pendataan_needs_opd"
    assert key("recorded", D(2026, 1, 5), "closed", D(2026, 1, 6), TODAY, note="", opd=None) == "pendataan_needs_reason"
    assert key("recorded", D(2026, 1, 5), "verified", D(2026, 1, 4), TODAY, note=None, opd=None) == "pendataan_date_before"
    assert key("recorded", D(2026, 1, 5), "verified", D(2026, 12, 1), TODAY, note=None, opd=None) == "pendataan_date_future"


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(-3, 10)), max_size=8))
def test_whatever_is_tried_the_history_follows_the_rules(attempts):
    """Random steps tried one after the other: the accepted ones form a path of NEXT, dated forward."""
    status, last, path = "recorded", D(2026, 1, 1), ["recorded"]
    for to, shift in attempts:
        on = last + dt.timedelta(days=shift)
        if step_problem(status, last, to, on, TODAY, note="alasan", opd="Dinsos") is None:
            assert to in NEXT[status] and last <= on <= TODAY
            status, last = to, on
            path.append(to)
    for a, b in zip(path, path[1:], strict=False):
        assert b in NEXT[a]


# --- recording, following, history -------------------------------------------------------------------------------


def test_every_step_is_kept_as_history_and_the_case_shows_the_last(world):
    rid = cases.record_case(world, PANITIA, posyandu_id="P1", spm_field="perumahan_rakyat", case_type="RTLH",
                            recorded_on=D(2026, 3, 2), person_desa_code="36.02.18.2010",
                            description="Atap bocor", today=TODAY)
    _follow(world, rid, ("verified", D(2026, 3, 9), {"note": "Dicek bersama kasi kesra"}),
            ("referred", D(2026, 3, 20), {"opd": "Dinas Perkim"}),
            ("resolved", D(2026, 6, 1), {"note": "Bedah rumah 2026"}))
    history = cases.case_history(world, PANITIA, rid)
    assert history.select("step_no", "status", "on_date", "opd").rows() == [
        (1, "recorded", D(2026, 3, 2), None), (2, "verified", D(2026, 3, 9), None),
        (3, "referred", D(2026, 3, 20), "Dinas Perkim"), (4, "resolved", D(2026, 6, 1), None)]
    row = cases.cases(world, PANITIA).row(0, named=True)
    assert (row["status"], row["steps"], row["last_step_on"], row["opd"]) == ("resolved", 4, D(2026, 6, 1), "Dinas Perkim")
    audited = world.sql("SELECT action, reason FROM audit_log WHERE entity = 'service_record' ORDER BY audit_id").fetchall()
    assert audited == [("record", None), ("follow_up", "Dicek bersama kasi kesra"), ("follow_up", None),
                       ("follow_up", "Bedah rumah 2026")]
    with pytest.raises(BadInput) as finished:
        cases.advance_case(world, PANITIA, rid, "closed", D(2026, 6, 2), note="salah", today=TODAY)
    assert finished.value.message_key == "pendataan_bad_step"
    assert cases.case_history(world, PANITIA, rid).height == 4          # nothing written by a refused step


def test_a_refused_step_says_why_in_indonesian(world):
    rid = cases.record_case(world, PANITIA, posyandu_id="P1", spm_field="sosial", case_type="lansia terlantar",
                            recorded_on=D(2026, 5, 1), today=TODAY)
    with pytest.raises(BadInput) as early:
        cases.advance_case(world, PANITIA, rid, "verified", D(2026, 4, 30), today=TODAY)
    assert early.value.text() == "Tanggal 30 April 2026 sebelum langkah terakhir (1 Mei 2026)."


def test_sensitive_cases_keep_no_desa_and_reach_pembina_only_as_counts(world):
    assert is_sensitive("KDRT") and is_sensitive("Kekerasan terhadap anak") and not is_sensitive("RTLH")
    secret = cases.record_case(world, PANITIA, posyandu_id="P1", spm_field="trantibumlinmas", case_type="KDRT",
                               recorded_on=D(2026, 4, 1), person_desa_code="36.02.18.2010", today=TODAY)
    cases.record_case(world, PANITIA, posyandu_id="P2", spm_field="kesehatan", case_type="stunting",
                      recorded_on=D(2026, 4, 2), today=TODAY)
    cases.record_case(world, PANITIA, posyandu_id="P3", spm_field="kesehatan", case_type="stunting",
                      recorded_on=D(2026, 4, 3), today=TODAY)
    assert cases.cases(world, PANITIA).filter(pl.col("record_id") == secret)["person_desa_code"].to_list() == [None]
    seen = cases.cases(world, PEMBINA)
    assert seen["posyandu_id"].to_list() == ["P2"]                      # own region, no sensitive case
    assert cases.sensitive_counts(world, PEMBINA).rows() == [("trantibumlinmas", "recorded", 1)]
    for act in (lambda: cases.case_history(world, PEMBINA, secret),
                lambda: cases.advance_case(world, PEMBINA, secret, "verified", D(2026, 4, 5), today=TODAY),
                lambda: cases.record_case(world, PEMBINA, posyandu_id="P1", spm_field="trantibumlinmas",
                                          case_type="narkoba", recorded_on=D(2026, 4, 5), today=TODAY)):
        with pytest.raises(PermissionDenied):
            act()
    with pytest.raises(PermissionDenied):
        cases.record_case(world, PEMBINA, posyandu_id="P3", spm_field="sosial", case_type="disabilitas",
                          recorded_on=D(2026, 4, 5), today=TODAY)       # outside Lebak
    for nobody in (PUBLIC, JURI):
        with pytest.raises(PermissionDenied):
            cases.cases(world, nobody)


# --- the figures ---------------------------------------------------------------------------------------------------


def _hand_made() -> pl.DataFrame:
    rows = [  # record_id, posyandu, desa, kecamatan, field, status, recorded, last step
        ("A", "P1", "Melati", "Cibadak", "kesehatan", "resolved", D(2026, 1, 1), D(2026, 1, 11)),
        ("B", "P1", "Melati", "Cibadak", "kesehatan", "resolved", D(2026, 2, 1), D(2026, 3, 3)),
        ("C", "P2", "Mawar", "Cibadak", "kesehatan", "referred", D(2026, 10, 1), D(2026, 10, 20)),
        ("D", "P2", "Mawar", "Cibadak", "sosial", "recorded", D(2026, 11, 20), D(2026, 11, 20)),
        ("E", "P3", "Kenanga", "Malingping", "sosial", "closed", D(2026, 6, 1), D(2026, 6, 15)),
    ]
    return pl.DataFrame([{"record_id": r[0], "posyandu_id": r[1], "posyandu_name": r[2], "desa_code": r[1],
                          "desa_name": r[2], "kecamatan_name": r[3], "kabupaten_name": "Lebak", "spm_field": r[4],
                          "case_type": "x", "sensitive": False, "recorded_on": r[6], "status": r[5],
                          "last_step_on": r[7], "steps": 1, "person_desa_code": None, "description": None,
                          "opd": None} for r in rows], schema=cases.CASE_SCHEMA)


def test_field_figures_on_a_small_hand_made_set():
    s = summary.field_summary(_hand_made(), TODAY)
    assert s["spm_field"].to_list()[:2] == ["pendidikan", "kesehatan"] and s.height == 6
    kes = s.filter(pl.col("spm_field") == "kesehatan").row(0, named=True)
    # resolved in 10 and 30 days → median 20; C open since 1 October → 60 days to 30 November
    assert (kes["cases"], kes["resolved"], kes["referred"], kes["open"]) == (3, 2, 1, 1)
    assert (kes["median_days_to_resolve"], kes["oldest_open_days"]) == (20.0, 60)
    sos = s.filter(pl.col("spm_field") == "sosial").row(0, named=True)
    assert (sos["cases"], sos["closed"], sos["open"], sos["median_days_to_resolve"], sos["oldest_open_days"]) == (
        2, 1, 1, None, 10)
    assert s.filter(pl.col("spm_field") == "pendidikan")["cases"].to_list() == [0]
    assert summary.oldest_open(_hand_made(), TODAY)["record_id"].to_list() == ["C", "D"]
    kec = summary.by_region(_hand_made(), TODAY, "kecamatan")
    assert kec.select("kecamatan_name", "cases", "open", "resolved").rows() == [
        ("Cibadak", 4, 2, 2), ("Malingping", 1, 0, 0)]


def test_the_indicators_a_judge_is_offered_come_from_the_records_of_the_period():
    got = summary.indicators(_hand_made(), D(2026, 1, 1), D(2026, 10, 31))
    # A, B, C, E recorded in the period; A, B, C got past verification; of the referred (A, B, C) two resolved
    assert got == {"cases": 4.0, "verified_pct": 75.0, "referrals_resolved_pct": pytest.approx(200 / 3)}
    assert summary.indicators(_hand_made(), D(2020, 1, 1), D(2020, 12, 31))["verified_pct"] is None


# --- the importer keeps the history --------------------------------------------------------------------------------


def _csv(status: str) -> bytes:
    return ("posyandu_id;bidang;jenis_kasus;tanggal;status;catatan_id\n"
            f"P1;perumahan_rakyat;RTLH;2 Maret 2026;{status};R-1\n").encode()


def test_an_import_starts_the_history_and_cannot_overwrite_a_case_followed_on_the_page(world):
    plan, result = import_file(world, "service_records", _csv("tercatat"), "pendataan.csv")
    assert result is not None and result.written, [p.text() for p in plan.problems]
    assert cases.case_history(world, PANITIA, "R-1").select("step_no", "status", "actor").rows() == [
        (1, "recorded", "impor")]
    cases.advance_case(world, PANITIA, "R-1", "verified", D(2026, 3, 9), today=TODAY)
    plan, result = import_file(world, "service_records", _csv("selesai"), "pendataan-2.csv")
    assert result is None or not result.written
    assert [p.message_key for p in plan.problems] == ["pendataan_import_followed_up"]
    assert plan.problems[0].row == 2 and plan.problems[0].column == "E (status)"
    assert cases.case_history(world, PANITIA, "R-1")["status"].to_list() == ["recorded", "verified"]


def test_the_migration_gives_every_earlier_record_its_first_step(tmp_path):
    import duckdb
    path = tmp_path / "lama.duckdb"
    old = duckdb.connect(str(path))
    store.applied_migrations(old)
    for number, name, file in store.migrations():
        if number >= 16:
            break
        old.execute(file.read_text(encoding="utf-8"))
        old.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
    old.execute("INSERT INTO service_records VALUES ('R-9', 'P1', 'sosial', 'disabilitas', DATE '2025-08-17', "
                "'referred')")
    old.close()
    con = store.connect(path)
    try:
        assert con.sql("SELECT record_id, step_no, status, on_date, actor FROM service_record_steps").fetchall() == [
            ("R-9", 1, "referred", D(2025, 8, 17), "impor")]
    finally:
        con.close()


# --- the page ------------------------------------------------------------------------------------------------------


def test_panitia_records_a_case_and_follows_it_on_the_page(demo_app):
    token = sign_in(demo_app, "panitia")
    at = page("pendataan", token)
    assert not at.exception
    assert at.title[0].value == "Pendataan enam bidang SPM"
    assert any("kasus" in m.value and "masih berjalan" in m.value for m in at.markdown)
    at.selectbox(key="pendataan.n_field").select("perumahan_rakyat").run()
    at.selectbox(key="pendataan.n_type").select("RTLH").run()
    at.text_area[-1].input("Atap bocor, dinding retak")
    at.button[-1].click().run()
    assert not at.exception
    saved = [s.value for s in at.success]
    assert saved and saved[-1].startswith("Kasus REC-") and saved[-1].endswith("tercatat.")
    rid = saved[-1].split()[1]
    assert demo_app.sql("SELECT status, case_type FROM service_records WHERE record_id = ?",
                        params=[rid]).fetchone() == ("recorded", "RTLH")


def test_pembina_sees_their_region_and_sensitive_cases_only_as_counts(demo_app):
    at = page("pendataan", sign_in(demo_app, "pembina-lebak"))
    assert not at.exception
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "KDRT" not in shown and "narkoba" not in shown
    assert any("Kasus sensitif" in s.value for s in at.subheader)


def test_the_public_and_judges_are_turned_away(demo_app):
    at = page("pendataan")
    assert not at.exception and not at.dataframe
