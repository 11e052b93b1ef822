"""Import judges' scores from the Excel template generated from the competition's instrument.

The sheet "Nilai" has one row per entrant × judge and one column per criterion (its id as header): a choice
criterion takes the option letter, a nilai-riil criterion a number in Indonesian notation. Competition and
stage are chosen in the wizard; the template's "Info" sheet names the instrument it was made for, and a file
made for another instrument is refused. Blank cells are "not scored" and leave the store's value alone.
Upserts on (entrant, stage, judge, criterion): importing the same file twice changes nothing.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from data.exchange.imports.common import (
    Column,
    ImportPlan,
    duplicate_problems,
    file_sha256,
    finish_plan,
    map_headers,
    parse_table,
)
from data.exchange.imports.reader import Table, read_key_values, read_table
from data.exchange.parse_indonesian import Bad, is_blank, parse_number, parse_text
from data.exchange.problems import Problem
from data.instruments.persistence import read_instrument
from scoring.instrument import NO_CASE, Criterion, Instrument, is_no_case

KIND = "scores"
SHEET = "Nilai"
INFO_SHEET = "Info"
ID_COLUMNS: tuple[Column, ...] = (
    Column("entrant_id", required=True, aliases=("id_peserta", "peserta_id")),
    Column("juri_id", required=True, aliases=("judge_id", "id_juri")),
)
INFO_COLUMNS: tuple[str, ...] = ("nama_posyandu", "desa", "nama_juri")   # shown to the judge, ignored on import

SCORES_WRITE_SCHEMA = {
    "competition_id": pl.String, "stage": pl.String, "entrant_id": pl.String, "judge_id": pl.String,
    "criterion_id": pl.String, "option_code": pl.String, "real_value": pl.Float64,
}   # no note column: an import must not blank the notes a judge typed in the scoring form


def criterion_columns(instrument: Instrument) -> tuple[Column, ...]:
    """One optional column per criterion, headed by its id (the template's header)."""
    return tuple(Column(c.id) for c in instrument.criteria)


def _real_range(c: Criterion) -> tuple[float, float | None]:
    """Allowed nilai-riil values: never negative; a percentage at most 100."""
    unit = (c.unit or "").strip().lower()
    return 0.0, 100.0 if unit in ("%", "persen", "percent") else None


def _read_score(c: Criterion, raw: object) -> tuple[str | None, float | None] | Bad:
    if is_no_case(raw):      # "tidak ada kasus / tidak berlaku": only where the instrument allows it
        if not c.no_case_allowed:
            return Bad("exchange_no_case_not_allowed", {"value": raw, "criterion": c.id})
        return NO_CASE, None
    if c.kind == "choice":
        text = parse_text(raw)
        code = (text or "").strip().lower().rstrip(".").strip("()")
        allowed = [o.code for o in c.options]
        if code not in allowed:
            return Bad("exchange_option_not_in_instrument",
                       {"value": text, "criterion": c.id, "allowed": allowed})
        return code, None
    value = parse_number(raw)
    if isinstance(value, Bad) or value is None:
        return value or Bad("exchange_not_a_number", {"value": raw})
    lo, hi = _real_range(c)
    if value < lo or (hi is not None and value > hi):
        return Bad("exchange_value_out_of_range", {"value": raw, "min": int(lo), "max": "–" if hi is None else int(hi)})
    return None, value


def _context(con: duckdb.DuckDBPyConnection, competition_id: str, stage: str
             ) -> tuple[dict[str, Any] | None, str | None]:
    row = con.sql("SELECT c.instrument_id, s.finalized_at FROM competitions c JOIN competition_stages s "
                  "ON s.competition_id = c.competition_id WHERE c.competition_id = ? AND s.stage = ?",
                  params=[competition_id, stage]).fetchone()
    if row is None:
        return None, "exchange_unknown_competition_stage"
    if row[1] is not None:
        return None, "exchange_stage_finalized"
    return {"instrument_id": row[0]}, None


def validate(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, competition_id: str,
             stage: str) -> ImportPlan:
    """Check a filled score template for one competition and stage; every bad cell is a problem."""
    plan = ImportPlan(KIND, file_name, file_sha256(data), scope=f"{competition_id}/{stage}")
    ctx, err = _context(con, competition_id, stage)
    if ctx is None:
        plan.problems.append(Problem(file_name, None, None, None, err or "", {"competition": competition_id,
                                                                               "stage": stage}))
        return plan
    instrument = read_instrument(con, ctx["instrument_id"])
    info = read_key_values(data, INFO_SHEET)
    if info.get("instrument_id") and info["instrument_id"] != instrument.instrument_id:
        plan.problems.append(Problem(file_name, INFO_SHEET, None, None, "exchange_template_wrong_instrument",
                                     {"found": info["instrument_id"], "expected": instrument.instrument_id}))
    table, problems = read_table(data, file_name, SHEET)
    plan.problems.extend(problems)
    if table is None:
        return plan
    criteria = criterion_columns(instrument)
    mapped, problems = map_headers(table, (*ID_COLUMNS, *criteria), known_extra=INFO_COLUMNS)
    plan.problems.extend(problems)
    if plan.problems:
        return plan
    # A pre-filled row nobody scored (no criterion filled) is not an error: the judge has not scored yet.
    crit_idx = [i for name, i in mapped.index.items() if name not in ("entrant_id", "juri_id")]
    table.rows = [(n, cells) for n, cells in table.rows
                  if any(i < len(cells) and not is_blank(cells[i]) for i in crit_idx)]
    records, problems = parse_table(table, ID_COLUMNS, mapped)
    plan.problems.extend(problems)
    labels = {name: table.column_label(i) for name, i in mapped.index.items()}
    plan.problems.extend(duplicate_problems(table, records, ["entrant_id", "juri_id"], labels["juri_id"]))
    plan.problems.extend(_reference_problems(con, table, records, labels, competition_id, stage))
    rows = _score_rows(table, instrument, mapped.index, competition_id, stage, plan.problems)
    if plan.problems:
        return plan
    plan.frames = {"scores": pl.DataFrame(rows, schema=SCORES_WRITE_SCHEMA, orient="row")}
    plan.keys = {"scores": ("entrant_id", "stage", "judge_id", "criterion_id")}
    return finish_plan(con, plan)


def _score_rows(table: Table, instrument: Instrument, index: dict[str, int], competition_id: str, stage: str,
                problems: list[Problem]) -> list[tuple]:
    """(competition, stage, entrant, judge, criterion, option, value) for every filled criterion cell."""
    by_id = {c.id: c for c in instrument.criteria}
    crit_cols = [(by_id[name], i, table.column_label(i)) for name, i in index.items() if name in by_id]
    e_i, j_i = index["entrant_id"], index["juri_id"]
    rows: list[tuple] = []
    for number, cells in table.rows:
        entrant, judge = parse_text(cells[e_i] if e_i < len(cells) else None), \
            parse_text(cells[j_i] if j_i < len(cells) else None)
        for c, i, label in crit_cols:
            raw = cells[i] if i < len(cells) else None
            if is_blank(raw):
                continue
            got = _read_score(c, raw)
            if isinstance(got, Bad):
                problems.append(Problem(table.file, table.sheet, number, label, got.key, got.detail))
                continue
            rows.append((competition_id, stage, entrant, judge, c.id, got[0], got[1]))
    return rows


def _reference_problems(con: duckdb.DuckDBPyConnection, table: Table, records: list[dict[str, Any]],
                        labels: dict[str, str], competition_id: str, stage: str) -> list[Problem]:
    """Entrants must be in this competition, judges known, and assigned when the stage has assignments."""
    entrants = {r[0] for r in con.sql("SELECT entrant_id FROM entrants WHERE competition_id = ?",
                                      params=[competition_id]).fetchall()}
    judges = {r[0] for r in con.sql("SELECT judge_id FROM judges").fetchall()}
    assigned = {(r[0], r[1]) for r in con.sql(
        "SELECT entrant_id, judge_id FROM assignments WHERE competition_id = ? AND stage = ?",
        params=[competition_id, stage]).fetchall()}
    # A form the judge submitted is locked (reopening it is the organisers' call, with a reason).
    submitted = {(r[0], r[1]) for r in con.sql(
        "SELECT entrant_id, judge_id FROM judging_forms WHERE competition_id = ? AND stage = ? "
        "AND status = 'submitted'", params=[competition_id, stage]).fetchall()}
    out: list[Problem] = []
    for rec in records:
        e, j = rec.get("entrant_id"), rec.get("juri_id")
        if e is not None and e not in entrants:
            out.append(Problem(table.file, table.sheet, rec["_row"], labels["entrant_id"],
                               "exchange_unknown_entrant", {"value": e, "competition": competition_id}))
        if j is not None and j not in judges:
            out.append(Problem(table.file, table.sheet, rec["_row"], labels["juri_id"], "exchange_unknown_judge",
                               {"value": j}))
        elif assigned and e in entrants and (e, j) not in assigned:
            out.append(Problem(table.file, table.sheet, rec["_row"], labels["juri_id"],
                               "exchange_judge_not_assigned", {"judge": j, "entrant": e}))
        if (e, j) in submitted:
            out.append(Problem(table.file, table.sheet, rec["_row"], labels["juri_id"],
                               "exchange_form_submitted", {"judge": j, "entrant": e}))
    return out


def header_for(instrument: Instrument) -> list[str]:
    """The template's header row: ids, informational names, then one column per criterion."""
    return ["entrant_id", "nama_posyandu", "juri_id", "nama_juri", *(c.id for c in instrument.criteria)]
