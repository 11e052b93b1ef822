"""Import the posyandu registry: one row per posyandu with its desa, profile and kader per SPM field.

The desa is given by its Kemendagri code, or by desa/kecamatan/kabupaten names resolved against the regions
table (tolerant of "Kab."/"Kabupaten", case and spacing; near misses get "did you mean" suggestions).
Upserts on posyandu_id, so re-importing an updated registry updates rows instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import polars as pl

from data.exchange.imports.common import (
    Column,
    ImportPlan,
    choice_map,
    duplicate_problems,
    file_sha256,
    finish_plan,
    frame_from,
    keep_present,
    read_sheet,
)
from data.exchange.problems import Problem
from data.exchange.region_names import RegionIndex, load_region_index
from data.regions import variant_key
from scoring.fields import SPM_FIELDS, STRATA

KIND = "posyandu"
SHEET = "Posyandu"

COLUMNS: tuple[Column, ...] = (
    Column("posyandu_id", required=True, aliases=("id_posyandu", "id"), example="PSY-3602182010-01"),
    Column("nama", required=True, aliases=("nama_posyandu", "name"), example="Posyandu Jeruk"),
    Column("kode_desa", "region", aliases=("kode_wilayah", "desa_code"), example="36.02.18.2010"),
    Column("desa", aliases=("desa_kelurahan", "kelurahan"), example="Pasar Keong"),
    Column("kecamatan", example="Cibadak"),
    Column("kabupaten", aliases=("kabupaten_kota", "kota"), example="Kab. Lebak"),
    Column("no_registrasi", aliases=("nomor_registrasi", "reg_number"), example=""),
    Column("alamat", example="Kp. Pasar Keong RT 01/RW 02"),
    Column("lat", "number", aliases=("lintang", "latitude"), min=-11.5, max=6.5, example=-6.62),
    Column("lon", "number", aliases=("bujur", "longitude"), min=94.5, max=141.5, example=106.25),
    Column("jumlah_pengurus", "int", min=0, max=100, example=5),
    Column("gedung_sendiri", "bool", example="Ya"),
    Column("alat_lengkap", "bool", example="Tidak"),
    Column("hari_buka_per_tahun", "int", min=0, max=366, example=12),
    Column("strata", "choice", choices=choice_map(STRATA), example="purnama"),
    Column("nama_kontak", example="Ibu Siti"),
    Column("telepon", "phone", aliases=("no_hp", "hp"), example="081234567890"),
    Column("tahun_berdiri", "int", min=1945, max=dt.date.today().year, example=1986),
    *(Column(f"kader_{f}", "int", min=0, max=200, example=2) for f in SPM_FIELDS),
)

POSYANDU_SCHEMA = {
    "posyandu_id": pl.String, "reg_number": pl.String, "name": pl.String, "desa_code": pl.String,
    "address": pl.String, "lat": pl.Float64, "lon": pl.Float64, "pengurus_count": pl.Int32,
    "own_building": pl.Boolean, "equipment_complete": pl.Boolean, "opening_days_per_year": pl.Int32,
    "strata": pl.String, "contact_name": pl.String, "contact_phone": pl.String, "founded_year": pl.Int32,
}
KADER_SCHEMA = {"posyandu_id": pl.String, "spm_field": pl.String, "kader_count": pl.Int32}


def _resolve_desa(rec: dict[str, Any], regions: RegionIndex, file: str, sheet: str | None,
                  labels: dict[str, str]) -> tuple[str | None, list[Problem]]:
    """The desa code of a row: the code column when given, else the names, resolved top-down."""
    row = rec["_row"]
    code = rec.get("kode_desa")
    if code is not None:
        if code not in regions or regions.levels[code] != 4:
            return None, [Problem(file, sheet, row, labels.get("kode_desa"), "exchange_unknown_region",
                                  {"value": code})]
        return code, []
    if not rec.get("desa"):
        return None, [Problem(file, sheet, row, labels.get("kode_desa", "kode_desa"), "exchange_region_missing", {})]
    parent = None
    for column, level in (("kabupaten", 2), ("kecamatan", 3), ("desa", 4)):
        name = rec.get(column)
        if not name:
            if level == 4:
                break
            continue
        match = regions.resolve(name, level, parent)
        if match.code is None:
            key = "exchange_region_ambiguous" if match.ambiguous else "exchange_unknown_region_name"
            return None, [Problem(file, sheet, row, labels.get(column, column), key,
                                  {"value": name, "suggestions": list(match.suggestions) or "–"})]
        parent = match.code
    return parent, []


def _likely_duplicates(con: duckdb.DuckDBPyConnection, plan: ImportPlan, sheet: Any) -> list[Problem]:
    """Rows naming, in the same desa, a posyandu whose name differs only in spelling ("Kelampangan" and
    "Kalampangan") from another row's or from one already registered under another id: likely the same one."""
    rows = [r for r in sheet.records if r.get("desa_code") and r.get("nama")]
    codes = sorted({r["desa_code"] for r in rows})
    seen: dict[tuple[str, str], tuple[str, str]] = {}   # (desa, key) → (posyandu id, name as written)
    if codes:
        for pid, name, desa in con.sql("SELECT posyandu_id, name, desa_code FROM posyandu "
                                       "WHERE list_contains(?, desa_code)", params=[codes]).fetchall():
            seen.setdefault((desa, variant_key(name)), (pid, name))
    out: list[Problem] = []
    for r in rows:
        key = (r["desa_code"], variant_key(r["nama"]))
        other = seen.get(key)
        if other is not None and other[0] != r["posyandu_id"]:
            out.append(Problem(plan.file_name, sheet.table.sheet, r["_row"], sheet.labels.get("nama", "nama"),
                               "exchange_possible_duplicate_posyandu",
                               {"name": r["nama"], "other": other[1], "other_id": other[0]}))
        else:
            seen[key] = (r["posyandu_id"], r["nama"])
    return out


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> ImportPlan:
    """Read and check a registry file; the plan holds every problem, or the rows to write."""
    plan = ImportPlan(KIND, file_name, file_sha256(data))
    parsed = read_sheet(plan, data, SHEET, COLUMNS, one_of=("kode_desa", "desa"))
    if parsed is None:
        return plan
    table, mapped, records, labels = parsed.table, parsed.mapped, parsed.records, parsed.labels
    plan.problems.extend(duplicate_problems(table, records, ["posyandu_id"], labels["posyandu_id"]))
    plan.problems.extend(duplicate_problems(table, records, ["no_registrasi"], labels.get("no_registrasi", "")))
    regions = load_region_index(con)
    for rec in records:
        rec["desa_code"], problems = _resolve_desa(rec, regions, file_name, table.sheet, labels)
        plan.problems.extend(problems)
    plan.warnings.extend(_likely_duplicates(con, plan, parsed))
    if plan.problems:
        return plan
    posyandu = [{"posyandu_id": r["posyandu_id"], "reg_number": r.get("no_registrasi"), "name": r["nama"],
                 "desa_code": r["desa_code"], "address": r.get("alamat"), "lat": r.get("lat"),
                 "lon": r.get("lon"), "pengurus_count": r.get("jumlah_pengurus"),
                 "own_building": r.get("gedung_sendiri"), "equipment_complete": r.get("alat_lengkap"),
                 "opening_days_per_year": r.get("hari_buka_per_tahun"), "strata": r.get("strata"),
                 "contact_name": r.get("nama_kontak"), "contact_phone": r.get("telepon"),
                 "founded_year": r.get("tahun_berdiri")} for r in records]
    kader = [{"posyandu_id": r["posyandu_id"], "spm_field": f, "kader_count": r[f"kader_{f}"]}
             for r in records for f in SPM_FIELDS if r.get(f"kader_{f}") is not None]
    sources = {"reg_number": "no_registrasi", "address": "alamat", "lat": "lat", "lon": "lon",
               "pengurus_count": "jumlah_pengurus", "own_building": "gedung_sendiri",
               "equipment_complete": "alat_lengkap", "opening_days_per_year": "hari_buka_per_tahun",
               "strata": "strata", "contact_name": "nama_kontak", "contact_phone": "telepon",
               "founded_year": "tahun_berdiri"}
    plan.frames = {"posyandu": keep_present(frame_from(posyandu, POSYANDU_SCHEMA), sources, mapped)}
    plan.keys = {"posyandu": ("posyandu_id",)}
    if kader:
        plan.frames["posyandu_kader"] = frame_from(kader, KADER_SCHEMA)
        plan.keys["posyandu_kader"] = ("posyandu_id", "spm_field")
    return finish_plan(con, plan)
