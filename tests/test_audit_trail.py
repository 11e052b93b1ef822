"""The audit trail has no holes: every changed value, from every path, is one row with old, new, who, when, why."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pytest

from data import store
from data.exchange.imports import import_file
from data.judging import audit
from data.judging import forms as judging
from data.judging.auth import PermissionDenied, User
from data.judging.contest_life import send_back
from data.store import score_rows
from present.audit_table import audit_workbook, value_text
from tests.test_judging_fixtures import CID, JURI1, PANITIA, assign_defaults, build_contest, fill_form

DEMO_CID, DEMO_STAGE, DEMO_JUDGE, DEMO_CRIT = "LP2026-PROV-63", "lapangan", "J-63-10", "PDK-01"


@pytest.fixture
def contest(con):
    build_contest(con)
    assign_defaults(con)
    return con


def _score_sheet(rows: list[tuple[str, str, str]], criterion: str) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nilai"
    ws.append(["entrant_id", "juri_id", criterion])
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _option(v: str | None) -> str | None:
    return json.loads(v)["option_code"] if v else None


def test_a_panitia_score_import_changing_b_to_d_leaves_one_row_with_old_b_and_new_d(demo_copy):
    con = store.connect(demo_copy)
    entrant = _open_b(con)
    data = _score_sheet([(entrant, DEMO_JUDGE, "d")], DEMO_CRIT)
    plan, result = import_file(con, "scores", data, "nilai-revisi.xlsx", competition_id=DEMO_CID, stage=DEMO_STAGE,
                               actor="panitia")
    assert plan.ok and result.written, plan.problems
    trail = audit.audit_trail(con, PANITIA, competition_id=DEMO_CID, entrant_id=entrant, judge_id=DEMO_JUDGE,
                              criterion_id=DEMO_CRIT)
    assert trail.height == 1
    r = trail.row(0, named=True)
    assert (_option(r["old_value"]), _option(r["new_value"])) == ("b", "d")
    assert (r["actor"], r["source"], r["stage"]) == ("panitia", "import", DEMO_STAGE)
    assert "nilai-revisi.xlsx" in r["reason"] and r["changed_at"].date() == dt.date.today()
    assert r["posyandu_name"] and r["judge_name"] == "Muhammad"
    # The same file again changes nothing, and so writes no audit row.
    import_file(con, "scores", data, "nilai-revisi.xlsx", competition_id=DEMO_CID, stage=DEMO_STAGE, actor="panitia")
    assert audit.audit_trail(con, PANITIA, entrant_id=entrant, judge_id=DEMO_JUDGE,
                             criterion_id=DEMO_CRIT).height == 1
    con.close()


def _open_b(con) -> str:
    row = con.sql("SELECT s.entrant_id FROM scores s LEFT JOIN judging_forms f USING (entrant_id, stage, judge_id) "
                  "WHERE s.competition_id = ? AND s.stage = ? AND s.judge_id = ? AND s.criterion_id = ? "
                  "AND s.option_code = 'b' AND coalesce(f.status, 'open') = 'open' ORDER BY 1 LIMIT 1",
                  params=[DEMO_CID, DEMO_STAGE, DEMO_JUDGE, DEMO_CRIT]).fetchone()
    assert row, "the demo has an open J-63-10 form with PDK-01 = b"
    return row[0]


def test_an_import_audits_only_the_values_it_changes_and_keeps_the_note(demo_copy):
    con = store.connect(demo_copy)
    entrant = _open_b(con)
    with store.transaction(con):
        score_rows.update_score(con, entrant, DEMO_STAGE, DEMO_JUDGE, DEMO_CRIT, {"note": "SK ada"})
    other, kept = con.sql("SELECT criterion_id, option_code FROM scores WHERE entrant_id = ? AND stage = ? "
                          "AND judge_id = ? AND criterion_id <> ? AND option_code IS NOT NULL ORDER BY 1 LIMIT 1",
                          params=[entrant, DEMO_STAGE, DEMO_JUDGE, DEMO_CRIT]).fetchone()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Nilai"
    ws.append(["entrant_id", "juri_id", DEMO_CRIT, other])
    ws.append([entrant, DEMO_JUDGE, "c", kept])   # the second criterion keeps its value
    buf = io.BytesIO()
    wb.save(buf)
    plan, result = import_file(con, "scores", buf.getvalue(), "n.xlsx", competition_id=DEMO_CID, stage=DEMO_STAGE,
                               actor="panitia")
    assert result.written, plan.problems
    rows = audit.audit_trail(con, PANITIA, competition_id=DEMO_CID, entrant_id=entrant).filter(
        (judging.pl.col("source") == "import") & (judging.pl.col("entity") == "score"))
    assert rows["criterion_id"].to_list() == [DEMO_CRIT]
    new = json.loads(rows["new_value"][0])
    assert (_option(rows["old_value"][0]), new["option_code"], new["note"]) == ("b", "c", "SK ada")
    con.close()


def test_a_score_changed_after_a_reopen_is_linked_to_the_reopen_reason(contest):
    fill_form(contest, JURI1, "E3")
    send_back.submit_form(contest, JURI1, CID, "lapangan", "E3")
    judging.reopen_form(contest, PANITIA, CID, "lapangan", "E3", "J1", "Bukti SK baru diterima")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="d")
    trail = audit.audit_trail(contest, PANITIA, competition_id=CID, entrant_id="E3", judge_id="J1")
    reopen = trail.filter(judging.pl.col("action") == "reopen").row(0, named=True)
    change = trail.filter((judging.pl.col("action") == "score") & (judging.pl.col("criterion_id") == "KES_01")
                          ).row(0, named=True)   # newest first
    assert change["ref_audit_id"] == reopen["audit_id"]
    assert change["reason"] == change["ref_reason"] == "Bukti SK baru diterima"
    assert reopen["source"] == "reopen" and change["source"] == "form"
    # After the judge submits again the reopen is over: a later change (after another reopen) links to that one.
    send_back.submit_form(contest, JURI1, CID, "lapangan", "E3")
    assert audit.open_reopens(contest, CID, "lapangan") == {}


def test_a_change_before_any_reopen_has_no_link(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    row = audit.audit_trail(contest, PANITIA, criterion_id="KES_01").row(0, named=True)
    assert row["ref_audit_id"] is None and row["reason"] is None and row["actor"] == "juri1"


def test_a_protest_can_record_its_change_with_its_own_source_and_reason(contest):
    fill_form(contest, JURI1, "E3")
    with store.transaction(contest):
        pid = audit.record(contest, "panitia", "protest", "protest", f"{CID}/lapangan/E3", None,
                           {"text": "Keberatan: bukti KIA terlewat"}, "Keberatan peserta", source="protest",
                           competition_id=CID, stage="lapangan", entrant_id="E3")
    judging.save_score(contest, PANITIA, CID, "lapangan", "E3", "KES_02", option_code="a", judge_id="J1",
                       source="protest", reason="Keberatan diterima", ref=pid)
    row = audit.audit_trail(contest, PANITIA, criterion_id="KES_02").row(0, named=True)
    assert (row["source"], row["reason"], row["ref_audit_id"]) == ("protest", "Keberatan diterima", pid)
    with pytest.raises(LookupError):
        with store.transaction(contest):
            audit.record(contest, "x", "y", "z", "k", None, None, None, source="sms")


def test_the_audit_trail_filters_by_date_and_is_for_panitia_only(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    today = dt.date.today()
    assert audit.audit_trail(contest, PANITIA, since=today, until=today).height >= 1
    assert audit.audit_trail(contest, PANITIA, until=today - dt.timedelta(days=1)).height == 0
    with pytest.raises(PermissionDenied):
        audit.audit_trail(contest, JURI1)
    with pytest.raises(PermissionDenied):
        audit.audit_trail(contest, User("pembina-lebak", "pembina", region_code="36.02"))


@pytest.mark.parametrize(("value", "lang", "shown"), [
    (None, "id", ""),
    ('{"evidence": null, "note": null, "option_code": "b", "real_value": null}', "id", "b"),
    ('{"evidence": ["ab"], "note": "SK ada", "option_code": null, "real_value": 82.5}', "id",
     "82,50 · “SK ada” · 1 berkas bukti"),
    ('{"evidence": [], "note": null, "option_code": null, "real_value": 82.5}', "en", "82.50"),
    ("open", "id", "open"),
])
def test_an_audit_value_reads_as_the_choice_not_as_json(value, lang, shown):
    assert value_text(value, lang) == shown


def test_the_audit_export_has_translated_headers_and_one_row_per_entry(contest):
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="b")
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code="c")
    trail = audit.audit_trail(contest, PANITIA, criterion_id="KES_01")
    book = openpyxl.load_workbook(io.BytesIO(audit_workbook(trail, "id")))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Waktu", "Oleh", "Jalur")
    olds = [r[rows[0].index("Nilai lama")] for r in rows[1:]]
    news = [r[rows[0].index("Nilai baru")] for r in rows[1:]]
    assert (olds, news) == (["b", None], ["c", "b"])   # newest first; a first value has no old one
