"""Import judges (tim penilai): id, name, institution (OPD), field of expertise, phone, home desa, and the
username of the juri account each gets (Akun page).

The home desa feeds the conflict-of-interest rule, so its code must exist. A username (optional; blank: made from
the name) follows the account rule, appears once in the file and is not another account's; any bad one stops
the whole file, each named with its row and column. Upserts on juri_id.
"""

from __future__ import annotations

from typing import Any

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
from data.exchange.problems import Problem
from data.exchange.region_names import load_region_index

KIND = "judges"
SHEET = "Juri"

COLUMNS: tuple[Column, ...] = (
    Column("juri_id", required=True, aliases=("judge_id", "id_juri"), example="J-001"),
    Column("nama", required=True, aliases=("nama_juri", "name"), example="dr. Ratna Dewi"),
    Column("instansi", aliases=("institution", "opd"), example="Dinas Kesehatan"),
    Column("bidang", "choice", aliases=("spm_field", "bidang_spm"), choices=field_choices(), example="kesehatan"),
    Column("telepon", "phone", aliases=("no_hp", "hp"), example="081234567890"),
    Column("kode_desa_domisili", "region", aliases=("home_desa_code", "desa_domisili"), example="36.02.18.2010"),
    Column("nama_pengguna", "username", aliases=("username", "akun", "user_name"), example="juri.dinkes"),
)

JUDGES_WRITE_SCHEMA = {"judge_id": pl.String, "name": pl.String, "institution": pl.String,
                       "spm_field": pl.String, "phone": pl.String, "home_desa_code": pl.String}


def _username_problems(con: duckdb.DuckDBPyConnection, plan: ImportPlan, table: Any, records: list[dict],
                       labels: dict[str, str]) -> list[Problem]:
    """Usernames repeated in the file or held by another account are problems; a judge who already has an
    account keeps it (a warning names the username the file is ignored for)."""
    if "nama_pengguna" not in labels:
        return []
    col = labels["nama_pengguna"]
    out = duplicate_problems(table, records, ["nama_pengguna"], col)
    wanted = [r["nama_pengguna"] for r in records if r.get("nama_pengguna")]
    holders = dict(con.sql("SELECT username, judge_id FROM users WHERE list_contains(?, username)",
                           params=[wanted]).fetchall())
    have = dict(con.sql("SELECT judge_id, username FROM users WHERE active AND list_contains(?, judge_id)",
                        params=[[r["juri_id"] for r in records]]).fetchall())
    for rec in records:
        name = rec.get("nama_pengguna")
        if not name:
            continue
        if name in holders and holders[name] != rec["juri_id"]:
            out.append(Problem(plan.file_name, table.sheet, rec["_row"], col, "exchange_username_taken",
                               {"value": name}))
        elif rec["juri_id"] in have and have[rec["juri_id"]] != name:
            plan.warnings.append(Problem(plan.file_name, table.sheet, rec["_row"], col, "exchange_judge_has_account",
                                         {"judge": rec["juri_id"], "username": have[rec["juri_id"]], "value": name}))
    return out


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
    plan.problems.extend(_username_problems(con, plan, table, records, labels))
    if plan.problems:
        return plan
    plan.usernames = {r["juri_id"]: r["nama_pengguna"] for r in records if r.get("nama_pengguna")}
    rows = [{"judge_id": r["juri_id"], "name": r["nama"], "institution": r.get("instansi"),
             "spm_field": r.get("bidang"), "phone": r.get("telepon"),
             "home_desa_code": r.get("kode_desa_domisili")} for r in records]
    sources = {"judge_id": None, "name": None, "institution": "instansi", "spm_field": "bidang",
               "phone": "telepon", "home_desa_code": "kode_desa_domisili"}
    plan.frames = {"judges": keep_present(frame_from(rows, JUDGES_WRITE_SCHEMA), sources, mapped)}
    plan.keys = {"judges": ("judge_id",)}
    return finish_plan(con, plan)
