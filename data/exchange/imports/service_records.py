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

STEPS_WRITE_SCHEMA = {"record_id": pl.String, "step_no": pl.Int32, "status": pl.String, "on_date": pl.Date,
                      "actor": pl.String}
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
    # A case followed up on the Pendataan page keeps its history: the file may not overwrite where it stands.
    followed = dict(con.sql("SELECT r.record_id, r.status FROM service_records r JOIN service_record_steps s "
                            "USING (record_id) GROUP BY ALL HAVING count(*) > 1").fetchall())
    for rec in records:
        rid = rec.get("catatan_id")
        if rid in followed and rec.get("status") and rec["status"] != followed[rid]:
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels["status"],
                                         "pendataan_import_followed_up", {"record": rid}))
    if plan.problems:
        return plan
    rows = [{"record_id": r["catatan_id"], "posyandu_id": r["posyandu_id"], "spm_field": r["bidang"],
             "case_type": r["jenis_kasus"], "recorded_on": r["tanggal"], "status": r["status"]} for r in records]
    # The first step of each case's history is what the file says; later steps come from the Pendataan page.
    steps = [{"record_id": r["record_id"], "step_no": 1, "status": r["status"], "on_date": r["recorded_on"],
              "actor": "impor"} for r in rows if r["record_id"] not in followed]
    plan.frames = {"service_records": frame_from(rows, RECORDS_WRITE_SCHEMA),
                   "service_record_steps": frame_from(steps, STEPS_WRITE_SCHEMA)}
    plan.keys = {"service_records": ("record_id",), "service_record_steps": ("record_id", "step_no")}
    return finish_plan(con, plan)
