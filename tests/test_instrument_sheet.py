"""The Excel instrument sheet and the upload check: a committee's workbook becomes the instrument, every defect
and warning points at its Excel row, and saving makes a new version that never changes under a contest."""

from __future__ import annotations

import pytest

from data.instruments import loader, persistence
from data.instruments.sheet import instrument_template, parse_instrument_sheet
from data.instruments.upload import check_upload, instruments_in_use, save_upload
from data.judging.auth import PermissionDenied, User
from data.store import score_rows
from present.errors import BadInput
from tests.instrument_workbooks import kudus_rows_with, workbook

PANITIA = User("ketua", "panitia")


def test_the_kudus_workbook_becomes_a_two_section_instrument_with_one_warning_naming_the_criterion(con):
    check = check_upload(con, workbook(), "instrumen-kudus.xlsx")
    assert check.errors == []
    inst = check.instrument
    assert inst is not None and inst.instrument_id == "kudus-2025@1" and check.target_id == "kudus-2025@1"
    assert [(s.id, s.weight) for s in inst.sections] == [("kelembagaan", 40.0), ("kesehatan", 60.0)]
    assert [c.id for c in inst.criteria] == ["KLB-01", "KLB-02", "KES-01", "KES-02"]
    klb1 = inst.criteria[0]
    assert [(o.code, o.text, o.points) for o in klb1.options] == [
        ("a", "Rinci per anggota", 4.0), ("b", "Per bidang", 3.0), ("c", "Umum", 2.0), ("d", "Tidak ada SK", 1.0)]
    kes2 = inst.criteria[3]
    assert (kes2.kind, kes2.unit, [(th.min_value, th.points) for th in kes2.thresholds]) == (
        "real", "%", [(0.0, 1.0), (60.0, 2.0), (75.0, 3.0), (85.0, 4.0)])
    assert inst.criteria[1].evidence == ("notulen", "daftar hadir")
    # The one warning: options b and c of KLB-02 read "2 kali"; option c is on Excel row 8.
    [warning] = check.warnings
    assert (warning.message_key, warning.criterion_id, warning.sheet, warning.row) == (
        "instrument_duplicate_option_text", "KLB-02", "Kriteria", 8)
    assert warning.where("id") == "Kriteria › baris 8"
    assert "sama dengan teks opsi 'b'" in warning.text("id")
    assert check.can_save


@pytest.mark.parametrize(("index", "cells", "key", "excel_row"), [
    (8, {"bobot_bagian": 50}, "instrument_weights_sum", None),                   # 40 + 50 = 90 ≠ 100
    (1, {"poin": None}, "instrument_option_points_missing", 3),
    (2, {"opsi": "b"}, "instrument_duplicate_option_code", 4),
    (8, {"bidang_spm": "kesehatn"}, "instrument_unknown_spm_field", 10),
    (1, {"kriteria": "SK pengurus"}, "instrument_sheet_conflict", 3),                  # KLB-01 written twice
    (4, {"kode_kriteria": None}, "instrument_duplicate_option_code", 6),    # KLB-02's options join KLB-01's
    (13, {"batas_min": 0}, "instrument_duplicate_threshold", 15),
    (1, {"poin": "empat"}, "exchange_not_a_number", 3),
])
def test_each_defect_of_a_workbook_names_its_excel_row(con, index, cells, key, excel_row):
    check = check_upload(con, workbook(kudus_rows_with(index, **cells)), "instrumen.xlsx")
    hits = [f for f in check.errors if f.message_key == key]
    assert hits, [(f.message_key, f.row) for f in check.findings]
    if excel_row is not None:
        assert hits[0].row == excel_row
    assert not check.can_save


def test_a_workbook_without_the_criteria_sheet_says_which_sheet_is_missing(con):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["kode", "x"])
    buf = io.BytesIO()
    wb.save(buf)
    check = check_upload(con, buf.getvalue(), "kosong.xlsx")
    assert [f.message_key for f in check.errors] == ["instrument_sheet_missing"]


def test_a_yaml_upload_is_checked_with_line_numbers(con):
    text = loader.INSTRUMENTS_DIR.joinpath("klasik_berjenjang_2018.yaml").read_text(encoding="utf-8")
    broken = text.replace("weight: 40", "weight: 45", 1)
    check = check_upload(con, broken.encode(), "klasik.yaml")
    assert [f.message_key for f in check.errors] == ["instrument_weights_sum"]
    assert check.errors[0].sheet is None


def test_saving_makes_versions_and_never_rewrites_one(con):
    check = check_upload(con, workbook(), "instrumen-kudus.xlsx")
    assert save_upload(con, PANITIA, check) == "kudus-2025@1"
    # A second click on Simpan with the same check: refused in words, nothing written twice.
    with pytest.raises(BadInput) as twice:
        save_upload(con, PANITIA, check)
    assert twice.value.text().startswith("Instrumen kudus-2025@1 baru saja disimpan")
    # The same content again: recognised, nothing to save.
    again = check_upload(con, workbook(), "instrumen-kudus (1).xlsx")
    assert again.same_as == "kudus-2025@1" and not again.can_save
    # A corrected file with the same code and version: saved as version 2, version 1 untouched.
    fixed = check_upload(con, workbook(kudus_rows_with(6, teks_opsi="1 kali")), "instrumen-kudus-v2.xlsx")
    assert fixed.warnings == [] and fixed.target_id == "kudus-2025@2" and fixed.version_moved_from == 1
    assert save_upload(con, PANITIA, fixed) == "kudus-2025@2"
    v1 = persistence.read_instrument(con, "kudus-2025@1")
    assert [o.text for o in v1.criteria[1].options] == ["3 kali atau lebih", "2 kali", "2 kali", "Tidak ada rapat"]
    assert persistence.read_instrument(con, "kudus-2025@2").criteria[1].options[2].text == "1 kali"
    stored = instruments_in_use(con).filter(instrument_id="kudus-2025@2").row(0, named=True)
    assert (stored["uploaded_by"], stored["source_file"], stored["criteria"]) == (
        "ketua", "instrumen-kudus-v2.xlsx", 4)
    audit = con.sql("SELECT actor, action, entity_key FROM audit_log WHERE entity = 'instrument' "
                    "ORDER BY audit_id").fetchall()
    assert audit == [("ketua", "upload", "kudus-2025@1"), ("ketua", "upload", "kudus-2025@2")]


def test_an_instrument_a_contest_scored_with_cannot_be_replaced(con):
    check = check_upload(con, workbook(), "instrumen-kudus.xlsx")
    save_upload(con, PANITIA, check)
    con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, instrument_id) "
                "VALUES ('K', 'Kudus', 2025, 'kabupaten', '33.19', 'kudus-2025@1')")
    score_rows.add_scores(con, [{"competition_id": "K", "stage": "administrasi", "entrant_id": "E1",
                                 "judge_id": "J1", "criterion_id": "KLB-01", "option_code": "a"}])
    other = check_upload(con, workbook(kudus_rows_with(6, teks_opsi="1 kali")), "x.xlsx")
    with pytest.raises(BadInput) as refused:
        persistence.save_instrument(con, loader.load_instrument_text(other.yaml_text.replace(
            "version: 2", "version: 1")).instrument, other.yaml_text.replace("version: 2", "version: 1"))
    assert refused.value.text() == ("Instrumen kudus-2025@1 sudah dipakai untuk menilai lomba dan tidak dapat "
                                    "diganti. Unggah sebagai versi baru.")
    assert instruments_in_use(con).filter(instrument_id="kudus-2025@1")["scored"].to_list() == [True]


def test_only_panitia_saves_an_instrument(con):
    with pytest.raises(PermissionDenied):
        save_upload(con, User("juri1", "juri", judge_id="J1"), check_upload(con, workbook(), "i.xlsx"))


def test_the_template_reads_back_as_a_valid_instrument(con):
    data = instrument_template("id")
    parse = parse_instrument_sheet(data, "templat.xlsx")
    assert parse.problems == []
    check = check_upload(con, data, "templat.xlsx")
    assert check.errors == [] and check.warnings == []
    assert [s.id for s in check.instrument.sections] == ["kelembagaan", "kesehatan"]
