"""Import judges (tim penilai): id, name, institution (OPD), field of expertise, phone, home desa.

The home desa feeds the conflict-of-interest rule, so its code must exist. Upserts on juri_id.
"""

from __future__ import annotations

import duckdb
import polars as pl

from data.exchange.imports.common import (
    Column,
    ImportPlan,
    duplicate_problems,
    field_choices,
    file_sha256,
    finish_plan,
    frame_from,
    keep_present,
    read_sheet,
)
from data.exchange.parse_indonesian import load_region_index
from data.exchange.problems import Problem

KIND = "judges"
SHEET = "Juri"

COLUMNS: tuple[Column, ...] = (
    Column("juri_id", required=True, aliases=("judge_id", "id_juri"), example="J-001"),
    Column("nama", required=True, aliases=("nama_juri", "name"), example="dr. Ratna Dewi"),
    Column("instansi", aliases=("institution", "opd"), example="Dinas Kesehatan"),
    Column("bidang", "choice", aliases=("spm_field", "bidang_spm"), choices=field_choices(), example="kesehatan"),
    Column("telepon", "phone", aliases=("no_hp", "hp"), example="081234567890"),
    Column("kode_desa_domisili", "region", aliases=("home_desa_code", "desa_domisili"), example="36.02.18.2010"),
)

JUDGES_WRITE_SCHEMA = {"judge_id": pl.String, "name": pl.String, "institution": pl.String,
                       "spm_field": pl.String, "phone": pl.String, "home_desa_code": pl.String}


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> ImportPlan:
    """Check a judges list."""
    plan = ImportPlan(KIND, file_name, file_sha256(data))
    parsed = read_sheet(plan, data, SHEET, COLUMNS)
    if parsed is None:
        return plan
    table, mapped, records, labels = parsed.table, parsed.mapped, parsed.records, parsed.labels
    plan.problems.extend(duplicate_problems(table, records, ["juri_id"], labels["juri_id"]))
    regions = load_region_index(con)
    for rec in records:
        code = rec.get("kode_desa_domisili")
        if code is not None and (code not in regions or regions.levels[code] != 4):
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels["kode_desa_domisili"],
                                         "exchange_unknown_region", {"value": code}))
    if plan.problems:
        return plan
    rows = [{"judge_id": r["juri_id"], "name": r["nama"], "institution": r.get("instansi"),
             "spm_field": r.get("bidang"), "phone": r.get("telepon"),
             "home_desa_code": r.get("kode_desa_domisili")} for r in records]
    sources = {"judge_id": None, "name": None, "institution": "instansi", "spm_field": "bidang",
               "phone": "telepon", "home_desa_code": "kode_desa_domisili"}
    plan.frames = {"judges": keep_present(frame_from(rows, JUDGES_WRITE_SCHEMA), sources, mapped)}
    plan.keys = {"judges": ("judge_id",)}
    return finish_plan(con, plan)
