"""Import six-field service records (pendataan): complaints and cases a posyandu recorded, with date and status.

Dates come as people type them ("24 November 2025", "24/11/2025", Excel dates); a date in the future or an
impossible one (31/02/2025) is refused. A row without an id gets a stable one from its content.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import polars as pl

from data.exchange.imports.common import (
    Column,
    ImportPlan,
    choice_map,
    duplicate_problems,
    field_choices,
    file_sha256,
    finish_plan,
    frame_from,
    read_sheet,
    unknown_posyandu_problems,
)
from data.exchange.problems import Problem

KIND = "service_records"
SHEET = "Pendataan"
STATUSES = ("recorded", "verified", "referred", "resolved")

COLUMNS: tuple[Column, ...] = (
    Column("posyandu_id", required=True, aliases=("id_posyandu",), example="PSY-3602182010-01"),
    Column("bidang", "choice", required=True, aliases=("spm_field",), choices=field_choices(),
           example="perumahan_rakyat"),
    Column("jenis_kasus", required=True, aliases=("case_type", "jenis"), example="RTLH"),
    Column("tanggal", "date", required=True, aliases=("recorded_on", "tanggal_catat"), example="24 November 2025"),
    Column("status", "choice", required=True, example="terverifikasi", choices=choice_map(STATUSES, {
        "recorded": ["tercatat", "dicatat"], "verified": ["terverifikasi", "diverifikasi"],
        "referred": ["dirujuk", "rujukan"], "resolved": ["selesai", "tuntas"]})),
    Column("catatan_id", aliases=("record_id", "id"), example=""),
)

RECORDS_WRITE_SCHEMA = {"record_id": pl.String, "posyandu_id": pl.String, "spm_field": pl.String,
                        "case_type": pl.String, "recorded_on": pl.Date, "status": pl.String}


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, today: dt.date | None = None
             ) -> ImportPlan:
    """Check a service-records list; `today` bounds the dates (tests pass a fixed day)."""
    today = today or dt.date.today()
    plan = ImportPlan(KIND, file_name, file_sha256(data))
    parsed = read_sheet(plan, data, SHEET, COLUMNS)
    if parsed is None:
        return plan
    table, records, labels = parsed.table, parsed.records, parsed.labels
    plan.problems.extend(unknown_posyandu_problems(con, plan, parsed))
    for rec in records:
        if rec.get("tanggal") and rec["tanggal"] > today:
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels["tanggal"],
                                         "exchange_date_in_future", {"value": rec["tanggal"]}))
        if rec.get("catatan_id") is None and all(rec.get(k) for k in ("posyandu_id", "bidang", "jenis_kasus",
                                                                      "tanggal")):
            key = "|".join(str(rec[k]) for k in ("posyandu_id", "bidang", "jenis_kasus", "tanggal"))
            rec["catatan_id"] = "REC-" + hashlib.sha1(key.lower().encode()).hexdigest()[:12]
    plan.problems.extend(duplicate_problems(table, records, ["catatan_id"], labels["jenis_kasus"]))
    if plan.problems:
        return plan
    rows = [{"record_id": r["catatan_id"], "posyandu_id": r["posyandu_id"], "spm_field": r["bidang"],
             "case_type": r["jenis_kasus"], "recorded_on": r["tanggal"], "status": r["status"]} for r in records]
    plan.frames = {"service_records": frame_from(rows, RECORDS_WRITE_SCHEMA)}
    plan.keys = {"service_records": ("record_id",)}
    return finish_plan(con, plan)
