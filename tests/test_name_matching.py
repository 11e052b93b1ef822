"""Region and posyandu names as a real entrant list spells them (Kab. Kudus 2025, Tanah Bumbu, Palangka Raya):
matched on the normalised name inside the enclosing region, best candidates offered, likely duplicates flagged."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from data import store
from data.exchange.imports import import_file, validate_file
from data.exchange.region_names import RegionIndex
from data.regions import compact_key, load_regions, region_frame, variant_key
from present.previews import cell_text, coded_text, import_preview

KUDUS, KOTA_KUDUS = "33.19", "33.19.02"
TANAH_BUMBU, BATU_LICIN = "63.10", "63.10.01"
SEBANGAU, KALAMPANGAN = "62.71.04", "62.71.04.1002"


@pytest.fixture(scope="module")
def regions() -> RegionIndex:
    """The real Kemendagri regions of Jawa Tengah, Kalimantan Selatan and Kalimantan Tengah."""
    f = region_frame().filter(pl.col("code").str.slice(0, 2).is_in(["33", "62", "63"]))
    return RegionIndex(names=dict(zip(f["code"], f["name"], strict=True)),
                       levels=dict(zip(f["code"], f["level"], strict=True)),
                       kinds=dict(zip(f["code"], f["kind"], strict=True)),
                       parents=dict(zip(f["code"], f["parent_code"], strict=True)))


def test_kecamatan_written_kota_is_kota_kudus_in_kab_kudus(regions):
    kab = regions.resolve("Kab. Kudus", 2)
    assert kab.code == KUDUS
    assert regions.resolve("Kota", 3, KUDUS).code == KOTA_KUDUS
    assert regions.resolve("Kec. Kota", 3, KUDUS).code == KOTA_KUDUS
    assert regions.resolve("Kota Kudus", 3, KUDUS).code == KOTA_KUDUS


def test_a_kecamatan_whose_name_begins_with_kota_is_found_with_and_without_kec():
    """Kab. Kutai Kartanegara has the kecamatan Kota Bangun and Kota Bangun Darat: a BPS table writes
    "Kec. Kota Bangun Darat" or "KOTA BANGUN DARAT"; neither may miss, nor pick the other one."""
    f = region_frame().filter(pl.col("code").str.starts_with("64.02"))
    kukar = RegionIndex(names=dict(zip(f["code"], f["name"], strict=True)),
                        levels=dict(zip(f["code"], f["level"], strict=True)),
                        kinds=dict(zip(f["code"], f["kind"], strict=True)),
                        parents=dict(zip(f["code"], f["parent_code"], strict=True)))
    darat = next(c for c, n in kukar.names.items() if n == "Kota Bangun Darat")
    bangun = next(c for c, n in kukar.names.items() if n == "Kota Bangun")
    for typed, want in (("Kec. Kota Bangun Darat", darat), ("KOTA BANGUN DARAT", darat), ("Kota Bangun Darat", darat),
                        ("Kec. Kota Bangun", bangun), ("kota bangun", bangun)):
        assert kukar.resolve(typed, 3, "64.02").code == want, typed


def test_batulicin_is_batu_licin_and_the_other_way_round(regions):
    assert regions.resolve("Batulicin", 3, TANAH_BUMBU).code == BATU_LICIN
    assert regions.resolve("Batu-Licin", 3, TANAH_BUMBU).code == BATU_LICIN
    assert regions.resolve("Batu Licin", 4, BATU_LICIN).code == "63.10.01.1007"   # Kel. Batulicin


def test_a_desa_with_a_blank_kecamatan_is_found_in_its_kabupaten(regions):
    # Desa Pasuruhan Lor is in Kec. Jati, Kab. Kudus; the row left the kecamatan blank.
    got = regions.resolve("Pasuruhan Lor", 4, KUDUS)
    assert got.code is not None and got.code.startswith(KUDUS + ".03.")


def test_kelampangan_is_kalampangan_inside_its_kecamatan(regions):
    assert regions.resolve("Kelampangan", 4, SEBANGAU).code == KALAMPANGAN
    assert variant_key("Kelampangan") == variant_key("Kalampangan")
    assert compact_key("Kec. Batu-Licin") == compact_key("Batulicin")


def test_a_name_not_found_gets_the_closest_names_of_its_region_as_suggestions(regions):
    got = regions.resolve("Kota Kuds", 3, KUDUS)
    assert got.code is None and got.suggestions and got.suggestions[0] == f"Kota Kudus ({KOTA_KUDUS})"
    # Nothing from another kabupaten is offered.
    assert all(s.endswith(")") and f"({KUDUS}." in s for s in got.suggestions)


def test_a_folded_spelling_never_matches_outside_the_enclosing_region(regions):
    # "Kelampangan" under Kab. Kudus: no such desa there, so no code (and no guess from Kalimantan).
    got = regions.resolve("Kelampangan", 4, KUDUS)
    assert got.code is None and not any("62." in s for s in got.suggestions)


# --- through the posyandu import --------------------------------------------------------------------------------

HEADER = ["posyandu_id", "nama", "desa", "kecamatan", "kabupaten"]


def _sheet(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Posyandu"
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def regions_store(tmp_path_factory) -> Path:
    """A store file holding every Kemendagri region, built once for this module."""
    path = tmp_path_factory.mktemp("regions") / "regions.duckdb"
    con = store.connect(path)
    load_regions(con)
    con.close()
    return path


@pytest.fixture
def store_with_regions(regions_store: Path, tmp_path: Path):
    target = tmp_path / "store.duckdb"
    shutil.copyfile(regions_store, target)
    con = store.connect(target)
    yield con
    con.close()


def test_an_entrant_list_with_kota_batulicin_and_a_blank_kecamatan_imports(store_with_regions):
    con = store_with_regions
    data = _sheet([["P1", "Posyandu Melati", "Pasuruhan Lor", None, "Kab. Kudus"],
                   ["P2", "Posyandu Mawar", "Batulicin", "Batulicin", "Kab. Tanah Bumbu"],
                   ["P3", "Posyandu Anggrek", "Purwosari", "Kota", "Kabupaten Kudus"]])
    plan, result = import_file(con, "posyandu", data, "peserta-kudus-2025.xlsx")
    assert plan.ok and result.written, [p.text("en") for p in plan.problems]
    codes = dict(con.sql("SELECT posyandu_id, desa_code FROM posyandu ORDER BY 1").fetchall())
    assert codes["P1"].startswith("33.19.03.") and codes["P2"] == "63.10.01.1007"
    assert codes["P3"].startswith(KOTA_KUDUS + ".")


def test_kelampangan_and_kalampangan_in_one_desa_are_flagged_as_a_likely_duplicate(store_with_regions):
    con = store_with_regions
    data = _sheet([["K1", "Posyandu Kelampangan", "Kalampangan", "Sebangau", "Kota Palangka Raya"],
                   ["K2", "Posyandu Kalampangan", "Kelampangan", "Sebangau", "Kota Palangka Raya"]])
    plan = validate_file(con, "posyandu", data, "daftar.xlsx")
    assert plan.ok   # a warning, not a refusal: the organiser decides
    assert [(w.row, w.message_key) for w in plan.warnings] == [(3, "exchange_possible_duplicate_posyandu")]
    text = plan.warnings[0].text("id")
    assert "Posyandu Kelampangan" in text and "K1" in text


def test_a_respelt_posyandu_already_registered_is_flagged_too(store_with_regions):
    con = store_with_regions
    import_file(con, "posyandu", _sheet([["K1", "Posyandu Kelampangan", "Kalampangan", "Sebangau",
                                          "Kota Palangka Raya"]]), "a.xlsx")
    plan = validate_file(con, "posyandu", _sheet([["K9", "Posyandu Kalampangan", "Kalampangan", "Sebangau",
                                                   "Kota Palangka Raya"]]), "b.xlsx")
    assert [w.detail["other_id"] for w in plan.warnings] == ["K1"]
    # the same posyandu re-imported under its own id is no duplicate
    again = validate_file(con, "posyandu", _sheet([["K1", "Posyandu Kalampangan", "Kalampangan", "Sebangau",
                                                    "Kota Palangka Raya"]]), "c.xlsx")
    assert again.warnings == []


def test_an_import_preview_shows_translated_headers_and_blanks_not_none(store_with_regions):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Posyandu"
    ws.append(["posyandu_id", "nama", "kode_desa", "no_registrasi", "gedung_sendiri"])
    ws.append(["P1", "Posyandu Melati", "33.19.03.2001", None, "Ya"])
    out = io.BytesIO()
    wb.save(out)
    plan = validate_file(store_with_regions, "posyandu", out.getvalue(), "p.xlsx")
    assert plan.ok, [p.text("en") for p in plan.problems]
    shown = import_preview(plan.preview(), "id")
    assert list(shown.columns)[:4] == ["ID posyandu", "No. registrasi", "Nama", "Kode desa"]
    assert "None" not in shown.to_string() and shown.iloc[0]["No. registrasi"] == ""
    assert shown.iloc[0]["Gedung sendiri"] == "Ya"


@pytest.mark.parametrize(("column", "value", "lang", "text"), [
    ("stage", "lapangan", "id", "Lapangan"), ("stage_reached", "administrasi", "en", "Desk review"),
    ("spm_field", "pekerjaan_umum", "id", "Pekerjaan Umum"), ("stage", "unknown-stage", "id", "unknown-stage"),
    ("criterion_id", "lapangan", "id", "lapangan"),
])
def test_a_score_import_preview_names_the_stage_not_its_code(column, value, lang, text):
    assert coded_text(column, value, lang) == text


@pytest.mark.parametrize(("value", "lang", "text"), [
    (None, "id", ""), (float("nan"), "id", ""), (True, "id", "Ya"), (False, "en", "No"),
    (-6.62, "id", "-6,62"), (106.25, "en", "106.25"), (12, "id", "12"), (12500, "id", "12.500"),
])
def test_preview_cells_read_the_indonesian_way(value, lang, text):
    assert cell_text(value, lang) == text
