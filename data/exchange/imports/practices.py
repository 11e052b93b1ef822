"""Import good practices (praktik baik) for the best-practice explorer: what a posyandu does well per SPM field.

A row without an id gets a stable one from posyandu, field and title, so the same list imported twice, or
re-saved by someone else, updates the same practices instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib

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
    read_sheet,
    unknown_posyandu_problems,
)

KIND = "practices"
SHEET = "Praktik"

COLUMNS: tuple[Column, ...] = (
    Column("posyandu_id", required=True, aliases=("id_posyandu",), example="PSY-3602182010-01"),
    Column("bidang", "choice", required=True, aliases=("spm_field",), choices=field_choices(),
           example="pekerjaan_umum"),
    Column("judul", required=True, aliases=("title",), example="Jamban sehat bersama Dinas PUPR"),
    Column("uraian", required=True, aliases=("description", "deskripsi"),
           example="Kader mencatat keluhan sanitasi dan memverifikasinya bersama pemerintah desa."),
    Column("tahun", "int", aliases=("year",), min=2000, max=dt.date.today().year + 1, example=2025),
    Column("foto", aliases=("photo_path",), example=""),
    Column("praktik_id", aliases=("practice_id", "id"), example=""),
)

PRACTICES_WRITE_SCHEMA = {"practice_id": pl.String, "posyandu_id": pl.String, "spm_field": pl.String,
                          "title": pl.String, "description": pl.String, "photo_path": pl.String,
                          "year": pl.Int32}


def practice_id(posyandu_id: str, spm_field: str, title: str) -> str:
    """A stable id from what identifies a practice (title compared without case or extra spaces)."""
    key = "|".join((posyandu_id, spm_field, " ".join(title.lower().split())))
    return "PRK-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str) -> ImportPlan:
    """Check a practices list."""
    plan = ImportPlan(KIND, file_name, file_sha256(data))
    parsed = read_sheet(plan, data, SHEET, COLUMNS)
    if parsed is None:
        return plan
    table, records, labels = parsed.table, parsed.records, parsed.labels
    plan.problems.extend(unknown_posyandu_problems(con, plan, parsed))
    for rec in records:
        if rec.get("praktik_id") is None and all(rec.get(k) for k in ("posyandu_id", "bidang", "judul")):
            rec["praktik_id"] = practice_id(rec["posyandu_id"], rec["bidang"], rec["judul"])
    plan.problems.extend(duplicate_problems(table, records, ["praktik_id"], labels["judul"]))
    if plan.problems:
        return plan
    rows = [{"practice_id": r["praktik_id"], "posyandu_id": r["posyandu_id"], "spm_field": r["bidang"],
             "title": r["judul"], "description": r["uraian"], "photo_path": r.get("foto"), "year": r.get("tahun")}
            for r in records]
    plan.frames = {"practices": frame_from(rows, PRACTICES_WRITE_SCHEMA)}
    plan.keys = {"practices": ("practice_id",)}
    return finish_plan(con, plan)
