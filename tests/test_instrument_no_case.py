"""#18 "tidak ada kasus / tidak berlaku": a criterion declares that a judge may answer it, the Excel instrument
sheet and the YAML carry the flag into the store, and the reserved answer is one constant."""

from __future__ import annotations

import pytest

from data.instruments import persistence
from data.instruments.loader import load_instrument_text
from data.instruments.upload import check_upload, save_upload
from data.judging import forms as judging
from data.judging.auth import User
from present.errors import BadInput
from scoring.instrument import NO_CASE, criteria_frame
from tests.instrument_workbooks import kudus_rows_with, workbook
from tests.test_judging_fixtures import CID, JURI1, assign_defaults, build_contest

PANITIA = User("ketua", "panitia")


def test_the_reserved_answer_can_never_be_an_option_letter():
    # the loader allows only one letter a-z as an option code
    assert NO_CASE == "tidak_ada_kasus" and len(NO_CASE) > 1


def test_the_excel_sheet_carries_no_case_allowed_into_the_store(con):
    # KES-01 (Excel row 10) may be answered "tidak ada kasus"; the others may not.
    check = check_upload(con, workbook(kudus_rows_with(8, boleh_tidak_ada_kasus="ya")), "kudus.xlsx")
    assert check.errors == []
    assert check.instrument is not None
    assert {c.id: c.no_case_allowed for c in check.instrument.criteria} == {
        "KLB-01": False, "KLB-02": False, "KES-01": True, "KES-02": False}
    iid = save_upload(con, PANITIA, check)
    stored = dict(con.sql("SELECT criterion_id, no_case_allowed FROM instrument_criteria WHERE instrument_id = ?",
                          params=[iid]).fetchall())
    assert stored == {"KLB-01": False, "KLB-02": False, "KES-01": True, "KES-02": False}
    assert persistence.read_instrument(con, iid).criterion("KES-01").no_case_allowed
    assert criteria_frame(check.instrument)["no_case_allowed"].to_list() == [False, False, True, False]


def test_a_word_that_is_not_yes_or_no_is_refused_with_its_row(con):
    check = check_upload(con, workbook(kudus_rows_with(8, boleh_tidak_ada_kasus="mungkin")), "kudus.xlsx")
    [err] = check.errors
    assert (err.message_key, err.sheet, err.row) == ("exchange_not_yes_no", "Kriteria", 10)


def test_yaml_declares_it_per_criterion_of_either_kind():
    text = """
code: nc
version: 1
title: Contoh
layout: level_sections
sections:
  - id: trantib
    title: Trantibumlinmas
    weight: 100
    criteria:
      - id: TRB-03
        text: Pencatatan kasus KDRT dan rujukan ke UPTD PPA
        evidence: [register]
        no_case_allowed: true
        options:
          - {code: a, points: 4, text: "Semua dirujuk"}
          - {code: b, points: 1, text: "Tidak dicatat"}
      - id: TRB-06
        text: Persentase laporan yang diteruskan dalam 1x24 jam
        kind: real
        unit: "%"
        evidence: [register]
        no_case_allowed: true
        thresholds: [{min_value: 0, points: 1}, {min_value: 80, points: 4}]
"""
    inst = load_instrument_text(text).instrument
    assert inst is not None
    assert [c.no_case_allowed for c in inst.criteria] == [True, True]


def test_is_no_case_reads_how_a_committee_writes_it():
    from scoring.instrument import is_no_case
    assert all(is_no_case(t) for t in ("Tidak ada kasus", "tidak  berlaku", NO_CASE, "Tidak ada kasus / tidak berlaku"))
    assert not any(is_no_case(t) for t in ("a", "Tidak ada SK", None, 0))


@pytest.fixture
def contest(either_con):
    """The hand-built Lebak contest where KES_01 (choice) and KES_03 (nilai riil) allow "tidak ada kasus"."""
    build_contest(either_con)
    either_con.execute("UPDATE instrument_criteria SET no_case_allowed = true WHERE criterion_id IN ('KES_01', 'KES_03')")
    assign_defaults(either_con)
    return either_con


def _stored(con, criterion):
    return con.execute("SELECT option_code, real_value FROM scores WHERE entrant_id = 'E3' AND stage = 'lapangan' "
                       "AND judge_id = 'J1' AND criterion_id = ?", [criterion]).fetchone()


def test_the_form_stores_no_case_only_where_the_instrument_allows_it(contest):
    assert judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_01", option_code=NO_CASE)
    assert _stored(contest, "KES_01") == (NO_CASE, None)
    # a measured value first, then "tidak ada kasus": the answer replaces the value, and back again
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", real_value=72.5)
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", option_code=NO_CASE)
    assert _stored(contest, "KES_03") == (NO_CASE, None)
    judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", real_value=40.0)
    assert _stored(contest, "KES_03") == (None, 40.0)
    with pytest.raises(BadInput) as refused:
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_02", option_code=NO_CASE)
    assert refused.value.message_key == "error_judging_no_case_not_allowed"
    with pytest.raises(BadInput) as refused:
        judging.save_score(contest, JURI1, CID, "lapangan", "E3", "KES_03", option_code=NO_CASE, real_value=3.0)
    assert refused.value.message_key == "error_judging_no_case_with_value"
    assert _stored(contest, "KES_02") is None
