"""Past rounds from published results (#17): a committee holds earlier years only as the published list of
totals and awards (posyandu, desa, total with Indonesian thousands separators, award, year, level). Importing
it makes a FINAL, totals-only contest, so history and "change since the last round" work from the first year
the product is used. Such a contest has no criterion detail; its name says so ("hasil impor, hanya nilai
akhir") wherever it appears, and `is_imported` lets a page say it too.

Validated before anything is written, all or nothing: every problem names the file, row, column and reason in
the user's language. Ranks are the places of the published totals (equal totals share a place).
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl

from data import store
from data.exchange.imports.common import (
    Column,
    ImportPlan,
    choice_map,
    duplicate_problems,
    file_sha256,
    read_sheet,
)
from data.exchange.problems import Problem
from data.exchange.region_names import clean_region_name
from data.judging import audit
from data.judging.auth import User, require_role
from data.judging.forms import COMBINED
from present.errors import BadInput
from present.i18n import LANGUAGES, t
from scoring.fields import LEVELS
from scoring.rank import rank_entrants

Con = duckdb.DuckDBPyConnection
KIND = "past_round"
SHEET = "Hasil"
STAGE = "administrasi"          # the one stage of an imported round: the published result

COLUMNS: tuple[Column, ...] = (
    Column("posyandu", required=True, aliases=("nama_posyandu",), example="Jeruk"),
    Column("desa", required=True, aliases=("desa_kelurahan", "kelurahan", "nama_desa"), example="Pasar Keong"),
    Column("total", "number", required=True, aliases=("nilai", "nilai_akhir", "jumlah_nilai"), min=0,
           example="1.245,50"),
    Column("award", aliases=("penghargaan", "juara", "predikat"), example="Juara I"),
    Column("year", "int", required=True, aliases=("tahun",), min=2000, max=2100, example=2024),
    Column("level", "choice", required=True, aliases=("tingkat",),
           choices=choice_map(LEVELS, {v: [t(f"level_{v}", lang) for lang in LANGUAGES] for v in LEVELS}),
           example="kabupaten"),
)


def _bare(name: str, prefixes: tuple[str, ...]) -> str:
    text, _ = clean_region_name(name)
    for p in prefixes:
        if text.startswith(p + " "):
            text = text[len(p) + 1:]
    return text


def _majority(records: list[dict]) -> dict | None:
    """The first row holding the most common (year, level) of the file, or None when no row has both."""
    full = [r for r in records if r.get("year") is not None and r.get("level") is not None]
    if not full:
        return None
    counts: dict[tuple, int] = {}
    for r in full:
        counts[(r["year"], r["level"])] = counts.get((r["year"], r["level"]), 0) + 1
    best = max(counts.values())
    return next(r for r in full if counts[(r["year"], r["level"])] == best)


def validate(con: Con, data: bytes, file_name: str, scope_code: str, category: str = "umum",
             level: str | None = None) -> ImportPlan:
    """Check a published results list for the contest of `scope_code` and `category` (and `level`, when the
    page asked for it: a file of another level is refused); the plan's frame `results` holds posyandu_id,
    posyandu_name, desa_name, total, award, rank_final when there is no problem."""
    plan = ImportPlan(KIND, file_name, file_sha256(data), scope=scope_code)
    parsed = read_sheet(plan, data, SHEET, COLUMNS)
    if parsed is None:
        return plan
    table, records, labels = parsed.table, parsed.records, parsed.labels
    sheet = table.sheet
    # one round per file: the year and level most rows give (the first such row on a tie); a row that differs
    # is named with the row it differs from
    first = _majority(records)
    for rec in records:
        for col in ("year", "level"):
            if first is not None and rec.get(col) is not None and rec[col] != first[col]:
                plan.problems.append(Problem(file_name, sheet, rec["_row"], labels[col], "exchange_share_one_round",
                                             {"value": rec[col], "first": first[col], "first_row": first["_row"]}))
    if level is not None and first is not None and first.get("level") is not None and first["level"] != level:
        plan.problems.append(Problem(file_name, sheet, first["_row"], labels["level"], "exchange_share_level_differs",
                                     {"value": first["level"], "level": level}))
    plan.problems.extend(duplicate_problems(table, records, ["posyandu", "desa"], labels["posyandu"]))
    # desa by name inside the region, then the posyandu by name inside the desa
    desa = con.sql("SELECT code, name FROM regions WHERE level = 4 AND (code = ? OR starts_with(code, ? || '.'))",
                   params=[scope_code, scope_code]).fetchall()
    desa_by: dict[str, list[tuple[str, str]]] = {}
    for code, name in desa:
        desa_by.setdefault(_bare(name, ("desa", "kelurahan")), []).append((code, name))
    posyandu = con.sql("SELECT posyandu_id, name, desa_code FROM posyandu WHERE starts_with(desa_code, ? || '.')",
                       params=[scope_code]).fetchall()
    posy_by: dict[tuple[str, str], list[str]] = {}
    for pid, name, code in posyandu:
        posy_by.setdefault((code, _bare(name, ("posyandu",))), []).append(pid)
    rows = []
    for rec in records:
        if rec.get("desa") is None or rec.get("posyandu") is None:
            continue
        hits = desa_by.get(_bare(str(rec["desa"]), ("desa", "kelurahan")), [])
        if not hits:
            plan.problems.append(Problem(file_name, sheet, rec["_row"], labels["desa"], "exchange_share_unknown_desa",
                                         {"value": rec["desa"], "scope": scope_code}))
            continue
        found = [(pid, code, dname) for code, dname in hits
                 for pid in posy_by.get((code, _bare(str(rec["posyandu"]), ("posyandu",))), [])]
        if not found:
            plan.problems.append(Problem(file_name, sheet, rec["_row"], labels["posyandu"],
                                         "exchange_share_unknown_posyandu",
                                         {"value": rec["posyandu"], "desa": rec["desa"]}))
            continue
        if len(found) > 1:
            plan.problems.append(Problem(file_name, sheet, rec["_row"], labels["posyandu"],
                                         "exchange_share_ambiguous_posyandu",
                                         {"value": rec["posyandu"], "desa": rec["desa"],
                                          "ids": [f[0] for f in found]}))
            continue
        pid, _, dname = found[0]
        rows.append({"posyandu_id": pid, "posyandu_name": str(rec["posyandu"]).strip(), "desa_name": dname,
                     "total": rec.get("total"), "award": rec.get("award"), "file_row": rec["_row"]})
    if first is not None and not plan.problems:
        taken = con.sql("SELECT competition_id FROM competitions WHERE year = ? AND level = ? AND scope_code = ? "
                        "AND category = ?", params=[first["year"], first["level"], scope_code, category]).fetchone()
        if taken:
            plan.problems.append(Problem(file_name, sheet, first["_row"], labels["year"], "exchange_share_round_exists",
                                         {"year": first["year"], "competition": taken[0]}))
    if not records:
        plan.problems.append(Problem(file_name, sheet, None, None, "exchange_sheet_empty", {"sheet": sheet or ""}))
    if plan.problems or first is None:
        return plan
    results = pl.DataFrame(rows, schema={"posyandu_id": pl.String, "posyandu_name": pl.String,
                                         "desa_name": pl.String, "total": pl.Float64, "award": pl.String,
                                         "file_row": pl.Int64})
    plan.frames = {"results": rank_entrants(results.with_columns(pl.col("posyandu_id").alias("entrant_id")),
                                            decimals=2).drop("entrant_id")}
    plan.rows_total = plan.rows_new = results.height
    plan.scope = json.dumps({"scope": scope_code, "category": category, "year": int(first["year"]),
                             "level": first["level"]})
    return plan


def competition_id_for(year: int, level: str, scope_code: str, category: str) -> str:
    """The id of an imported round: LP2024-KAB-36.02-IMPOR (with the category when it is not "umum")."""
    tail = "" if category == "umum" else f"-{category.upper()}"
    return f"LP{year}-{level[:3].upper()}-{scope_code}{tail}-IMPOR"


def write(con: Con, user: User, plan: ImportPlan, lang: str = "id") -> str:
    """Write a valid plan as a final, totals-only contest in one transaction; returns its competition id."""
    from data.results import competition_results

    require_role(user, ["panitia"])
    if not plan.ok or "results" not in plan.frames:
        raise BadInput("error_import_has_problems", n=len(plan.problems))
    meta = json.loads(plan.scope)
    scope, category, year, level = meta["scope"], meta["category"], meta["year"], meta["level"]
    cid = competition_id_for(year, level, scope, category)
    region = con.sql("SELECT name FROM regions WHERE code = ?", params=[scope]).fetchone()
    name = t("share_imported_name", lang, level=t(f"level_{level}", lang), region=region[0] if region else scope,
             year=year)
    instrument = con.sql(
        "SELECT instrument_id FROM competitions WHERE scope_code = ? ORDER BY year DESC LIMIT 1",
        params=[scope]).fetchone() or con.sql("SELECT instrument_id FROM instruments ORDER BY 1 LIMIT 1").fetchone()
    if instrument is None:      # every store holds the shipped instruments (migrations and first start load them)
        raise LookupError("the store holds no instrument")
    results = plan.frames["results"]
    now = dt.datetime.now()

    def run() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO competitions (competition_id, name, year, level, scope_code, category, "
                        "instrument_id, status, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'final', ?, ?)",
                        [cid, name, year, level, scope, category, instrument[0], user.username, now])
            con.execute("INSERT INTO competition_stages (competition_id, stage, ord, weight, finalized_at) "
                        "VALUES (?, ?, 0, 1.0, ?)", [cid, STAGE, now])
            for pid in results["posyandu_id"]:
                con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached) "
                            "VALUES (?, ?, ?, ?)", [f"{cid}:{pid}", cid, pid, STAGE])
            # the engine's league table of the entrants (no scores, so no field or criterion figures), with the
            # published totals, places and awards: the snapshot every page and document shows
            shell = competition_results(con, cid).table.drop("total", "rank", "rank_final", "award", strict=False)
            published = results.select(pl.format("{}:{}", pl.lit(cid), "posyandu_id").alias("entrant_id"),
                                       "total", pl.col("rank_final").alias("rank"), "rank_final", "award")
            table = shell.join(published, on="entrant_id", how="left").sort("rank_final", nulls_last=True)
            payload = json.dumps(table.to_dicts(), default=str, ensure_ascii=False)
            for stage in (STAGE, COMBINED):
                con.execute("INSERT INTO result_snapshots (competition_id, stage, engine_version, finalized_at, "
                            "finalized_by, results_json) VALUES (?, ?, 'imported', ?, ?, ?)",
                            [cid, stage, now, user.username, payload])
            con.execute("INSERT INTO imported_rounds VALUES (?, ?, ?, ?, ?)",
                        [cid, plan.file_name, results.height, user.username, now])
            audit.record(con, user.username, "import_past_round", "competition", cid, None,
                         {"file": plan.file_name, "entrants": results.height}, None, source="import")
            store.touch(con, cid)
    store.with_retry(run)
    return cid


def is_imported(con: Con, competition_id: str) -> bool:
    """Whether the contest is a past round imported from published totals (no criterion detail)."""
    return con.sql("SELECT 1 FROM imported_rounds WHERE competition_id = ?", params=[competition_id]).fetchone() \
        is not None
