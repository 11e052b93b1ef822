"""Import the entrants of one competition: which registered posyandu take part, and the stage they reached.

The posyandu must already be in the registry and inside the competition's region. An entrant already in
the competition keeps its id (upsert on competition + posyandu), so the same list imported twice adds no one.
"""

from __future__ import annotations

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
    read_sheet,
)
from data.exchange.problems import Problem
from present.i18n import LANGUAGES, t
from present.region_codes import in_region
from scoring.fields import STAGES

KIND = "entrants"
SHEET = "Peserta"

COLUMNS: tuple[Column, ...] = (
    Column("posyandu_id", required=True, aliases=("id_posyandu",), example="PSY-3602182010-01"),
    Column("entrant_id", aliases=("id_peserta",), example=""),
    Column("tahap", "choice", aliases=("stage", "tahap_dicapai"),
           choices=choice_map(STAGES, {s: [t(f"stage_{s}", lang) for lang in LANGUAGES] for s in STAGES}),
           example="administrasi"),
)

ENTRANTS_WRITE_SCHEMA = {"entrant_id": pl.String, "competition_id": pl.String, "posyandu_id": pl.String,
                         "stage_reached": pl.String}


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, competition_id: str) -> ImportPlan:
    """Check an entrants list for one competition."""
    plan = ImportPlan(KIND, file_name, file_sha256(data), scope=competition_id)
    comp = con.sql("SELECT scope_code FROM competitions WHERE competition_id = ?",
                   params=[competition_id]).fetchone()
    if comp is None:
        plan.problems.append(Problem(file_name, None, None, None, "exchange_unknown_competition_stage",
                                     {"competition": competition_id, "stage": "–"}))
        return plan
    scope_code = comp[0]
    stages = [r[0] for r in con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? ORDER BY ord",
                                    params=[competition_id]).fetchall()]
    parsed = read_sheet(plan, data, SHEET, COLUMNS, known_extra=("nama_posyandu", "desa", "nama"))
    if parsed is None:
        return plan
    table, records, labels = parsed.table, parsed.records, parsed.labels
    plan.problems.extend(duplicate_problems(table, records, ["posyandu_id"], labels["posyandu_id"]))
    plan.problems.extend(duplicate_problems(table, records, ["entrant_id"], labels.get("entrant_id", "")))
    desa_of = dict(con.sql("SELECT posyandu_id, desa_code FROM posyandu").fetchall())
    existing = dict(con.sql("SELECT posyandu_id, entrant_id FROM entrants WHERE competition_id = ?",
                            params=[competition_id]).fetchall())
    taken = dict(con.sql("SELECT entrant_id, competition_id || '/' || posyandu_id FROM entrants").fetchall())
    rows = []
    for rec in records:
        pid = rec.get("posyandu_id")
        if pid is None:
            continue
        if pid not in desa_of:
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels["posyandu_id"],
                                         "exchange_unknown_posyandu", {"value": pid}))
            continue
        if not in_region(desa_of[pid], scope_code):
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels["posyandu_id"],
                                         "exchange_outside_scope", {"value": pid, "scope": scope_code}))
        stage = rec.get("tahap") or (stages[0] if stages else STAGES[0])
        if stages and stage not in stages:
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels.get("tahap"),
                                         "exchange_not_a_choice", {"value": stage, "allowed": stages}))
        eid = existing.get(pid) or rec.get("entrant_id") or f"{competition_id}:{pid}"
        if eid in taken and taken[eid] != f"{competition_id}/{pid}":
            plan.problems.append(Problem(file_name, table.sheet, rec["_row"], labels.get("entrant_id"),
                                         "exchange_id_taken", {"value": eid}))
        rows.append({"entrant_id": eid, "competition_id": competition_id, "posyandu_id": pid,
                     "stage_reached": stage})
    if plan.problems:
        return plan
    plan.frames = {"entrants": frame_from(rows, ENTRANTS_WRITE_SCHEMA)}
    plan.keys = {"entrants": ("entrant_id",)}
    return finish_plan(con, plan)
