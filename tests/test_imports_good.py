"""Good files import exactly: row counts and values, Indonesian formats, and no duplicates on a second import."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from data.exchange.imports import import_file, validate_file
from data.exchange.templates import import_template, score_template
from tests.fixtures.malformed.make_corpus import (
    POSYANDU_HEADER,
    csv_bytes,
    posyandu_rows,
    score_header,
    score_rows,
    xlsx,
)
from tests.fixtures.malformed.world import COMPETITION, seed_world

SCOPE = {"competition_id": COMPETITION, "stage": "lapangan"}


@pytest.fixture
def world(con):
    w = seed_world(con)
    w["con"] = con
    return w


def _count(con, table: str) -> int:
    return con.sql(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_registry_rows_land_with_their_indonesian_values(world):
    con = world["con"]
    data = xlsx(POSYANDU_HEADER, posyandu_rows(3), "Posyandu")
    plan, result = import_file(con, "posyandu", data, "registri.xlsx")
    assert plan.ok and result.written and (plan.rows_new, plan.rows_updated) == (3, 0)
    row = con.sql("SELECT name, desa_code, pengurus_count, own_building, opening_days_per_year, strata, "
                  "contact_phone, lat, lon FROM posyandu WHERE posyandu_id = 'NEW-002'").fetchone()
    # "12" → 12 days; "-6,62" → -6.62; "0812 3456 7802" → 081234567802; "Ya" → True
    assert row == ("Posyandu Mawar 2", "36.02.18.1001", 5, True, 12, "purnama", "081234567802", -6.62, 106.25)
    codes = dict(con.sql("SELECT posyandu_id, desa_code FROM posyandu WHERE posyandu_id LIKE 'NEW-%'").fetchall())
    assert codes == {"NEW-001": "36.02.18.2011", "NEW-002": "36.02.18.1001", "NEW-003": "36.02.18.2010"}
    assert con.sql("SELECT kader_count FROM posyandu_kader WHERE posyandu_id = 'NEW-001' "
                   "AND spm_field = 'kesehatan'").fetchone() == (3,)


def test_the_same_file_twice_creates_no_duplicates(world):
    con = world["con"]
    data = xlsx(POSYANDU_HEADER, posyandu_rows(3), "Posyandu")
    import_file(con, "posyandu", data, "registri.xlsx")
    n = _count(con, "posyandu")
    plan, result = import_file(con, "posyandu", data, "registri.xlsx")
    assert plan.already_imported and not result.written
    assert _count(con, "posyandu") == n and _count(con, "import_batches") == 1


def test_a_resaved_copy_as_csv_is_recognised_as_unchanged(world):
    con = world["con"]
    import_file(con, "posyandu", xlsx(POSYANDU_HEADER, posyandu_rows(3), "Posyandu"), "registri.xlsx")
    n = _count(con, "posyandu")
    # Excel in an Indonesian locale saves CSV with semicolons and decimal commas
    plan, result = import_file(con, "posyandu", csv_bytes(POSYANDU_HEADER, posyandu_rows(3)), "registri.csv")
    assert plan.ok and (plan.rows_new, plan.rows_updated, plan.rows_unchanged) == (0, 0, 3)
    assert _count(con, "posyandu") == n


def test_desa_given_by_names_with_variants_resolves_to_its_code(world):
    con = world["con"]
    data = xlsx(["posyandu_id", "nama", "desa", "kecamatan", "kabupaten"],
                [["NM-1", "Posyandu Jeruk", "PASAR KEONG", "Kec. Cibadak", "Kabupaten Lebak"],
                 ["NM-2", "Posyandu Kenari", "Kel. Batutulis", "bogor selatan", "Kota Bogor"]], "Posyandu")
    plan, result = import_file(con, "posyandu", data, "nama.xlsx")
    assert plan.ok, plan.problems
    assert dict(con.sql("SELECT posyandu_id, desa_code FROM posyandu WHERE posyandu_id LIKE 'NM-%'").fetchall()) == {
        "NM-1": "36.02.18.2010", "NM-2": "32.71.01.1001"}


def test_a_file_without_a_column_leaves_that_column_alone(world):
    con = world["con"]
    import_file(con, "judges", xlsx(["juri_id", "nama", "telepon"], [["J-001", "Juri Satu", "081111111111"]], "Juri"),
                "a.xlsx")
    plan, _ = import_file(con, "judges", xlsx(["juri_id", "nama", "instansi"],
                                              [["J-001", "Juri Satu", "Bappeda"]], "Juri"), "b.xlsx")
    assert plan.rows_updated == 1
    assert con.sql("SELECT phone, institution FROM judges WHERE judge_id = 'J-001'").fetchone() == (
        "081111111111", "Bappeda")


def test_scores_from_the_generated_template_import_exactly(world):
    con = world["con"]
    template = score_template(con, COMPETITION, "lapangan")
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["Nilai"]
    header = [c.value for c in ws[1]]
    assert header == score_header(world["instrument"])
    assert wb["Info"]["B1"].value == world["instrument"].instrument_id
    ws.delete_rows(2, ws.max_row)
    rows = score_rows(world["instrument"], world["entrants"], world["judges"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    progress: list[tuple[int, int]] = []
    plan, result = import_file(con, "scores", buf.getvalue(), "nilai.xlsx", progress=lambda d, t: progress.append((d, t)),
                               **SCOPE)
    assert plan.ok, plan.problems[:5]
    n_criteria = len(world["instrument"].criteria)
    expected = len(world["entrants"]) * len(world["judges"]) * n_criteria   # 6 × 3 × 19 = 342
    assert _count(con, "scores") == expected == plan.rows_new
    assert progress[-1] == (expected, expected)
    # row for entrant 0, judge 0: choice = "abcd"[ci % 4]; coverage "50,5" → 50.5
    got = dict(con.sql("SELECT criterion_id, coalesce(option_code, CAST(real_value AS VARCHAR)) FROM scores "
                       "WHERE entrant_id = ? AND judge_id = ?", params=[world["entrants"][0], "J-001"]).fetchall())
    for ci, c in enumerate(world["instrument"].criteria):
        assert got[c.id] == ("abcd"[ci % 4] if c.kind == "choice" else "50.5")
    again, result2 = import_file(con, "scores", buf.getvalue(), "nilai.xlsx", **SCOPE)
    assert again.already_imported and not result2.written and _count(con, "scores") == expected


def test_blank_score_cells_are_not_scored_and_keep_earlier_values(world):
    con = world["con"]
    header = score_header(world["instrument"])
    rows = score_rows(world["instrument"], world["entrants"][:1], ["J-001"])
    import_file(con, "scores", xlsx(header, rows, "Nilai"), "satu.xlsx", **SCOPE)
    blanked = [rows[0][:4] + [None] * (len(header) - 4)]
    blanked[0][4] = "d"
    plan, _ = import_file(con, "scores", xlsx(header, blanked, "Nilai"), "dua.xlsx", **SCOPE)
    assert (plan.rows_new, plan.rows_updated) == (0, 1)
    assert _count(con, "scores") == len(world["instrument"].criteria)


def test_entrants_judges_practices_and_records_import(world):
    con = world["con"]
    import_file(con, "posyandu", xlsx(POSYANDU_HEADER, posyandu_rows(2), "Posyandu"), "p.xlsx")
    plan, _ = import_file(con, "entrants", xlsx(["posyandu_id", "tahap"], [["NEW-001", "Administrasi"],
                                                                          ["NEW-002", None]], "Peserta"),
                          "peserta.xlsx", competition_id=COMPETITION)
    assert plan.ok and plan.rows_new == 2
    assert con.sql("SELECT entrant_id, stage_reached FROM entrants WHERE posyandu_id = 'NEW-001'").fetchone() == (
        f"{COMPETITION}:NEW-001", "administrasi")
    plan, _ = import_file(con, "judges", xlsx(["juri_id", "nama", "bidang", "kode_desa_domisili"],
                                              [["J-050", "Ir. Bambang", "Pekerjaan Umum", "3602182010"]], "Juri"),
                          "juri.xlsx")
    assert plan.ok and con.sql("SELECT spm_field, home_desa_code FROM judges WHERE judge_id = 'J-050'").fetchone() == (
        "pekerjaan_umum", "36.02.18.2010")
    practices = xlsx(["posyandu_id", "bidang", "judul", "uraian", "tahun"],
                     [["PSY-0001", "Kesehatan", "Penjemputan sasaran", "Kader menjemput balita.", "2.025"]], "Praktik")
    plan, _ = import_file(con, "practices", practices, "praktik.xlsx")
    assert plan.ok and con.sql("SELECT spm_field, year FROM practices").fetchone() == ("kesehatan", 2025)
    plan, _ = import_file(con, "practices", practices[:-1] + practices[-1:], "praktik-lagi.xlsx")
    assert _count(con, "practices") == 1
    records = xlsx(["posyandu_id", "bidang", "jenis_kasus", "tanggal", "status"],
                   [["PSY-0001", "perumahan_rakyat", "RTLH", "24 November 2025", "terverifikasi"],
                    ["PSY-0002", "sosial", "Disabilitas", 45985, "selesai"],
                    ["PSY-0003", "trantibumlinmas", "KDRT", "2025-11-20", "dirujuk"]], "Pendataan")
    plan, _ = import_file(con, "service_records", records, "pendataan.xlsx")
    assert plan.ok, plan.problems
    assert con.sql("SELECT recorded_on, status FROM service_records ORDER BY recorded_on DESC").fetchall() == [
        (dt.date(2025, 11, 24), "verified"), (dt.date(2025, 11, 24), "resolved"), (dt.date(2025, 11, 20), "referred")]


@pytest.mark.parametrize("kind", ["posyandu", "entrants", "judges", "practices", "service_records"])
def test_every_import_template_is_accepted_back_by_its_importer(world, kind):
    """An untouched template is an empty sheet (refused as such), never a column mismatch."""
    scope = {"competition_id": COMPETITION} if kind == "entrants" else {}
    plan = validate_file(world["con"], kind, import_template(kind), f"{kind}.xlsx", **scope)
    assert {p.message_key for p in plan.problems} == {"exchange_sheet_empty"}
