"""Administrasi → finalists: after the desk stage is finalised the panitia cuts its published results (top N or
a minimum score on the printed total, ties at the cut kept in; the rule is `scoring/finalists.py`); only the
finalists can then be assigned and scored at the next stage (`data/judging/forms.py` and `assignments.py`
refuse anyone else). Every cut is audited."""

from __future__ import annotations

import datetime as dt

import polars as pl

from data import store
from data.judging import forms, publication
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.forms import Con, _audit, _now
from present.errors import BadInput
from scoring.finalists import CUT_RULES, finalist_cut


def _stages(con: Con, competition_id: str) -> list[tuple[str, dt.datetime | None]]:
    return con.sql("SELECT stage, finalized_at FROM competition_stages WHERE competition_id = ? ORDER BY ord",
                   params=[competition_id]).fetchall()


def previous_stage(con: Con, competition_id: str, stage: str) -> str | None:
    names = [s for s, _ in _stages(con, competition_id)]
    i = names.index(stage) if stage in names else -1
    return names[i - 1] if i > 0 else None


def finalist_preview(con: Con, user: User, competition_id: str, stage: str, rule: str,
                     value: float) -> pl.DataFrame:
    """The published results of the stage before `stage` with who would be a finalist under the cut."""
    require_role(user, ["panitia"])
    source = previous_stage(con, competition_id, stage)
    if source is None:
        raise BadInput("error_life_no_previous_stage", stage=stage, competition=competition_id)
    if dict(_stages(con, competition_id))[source] is None:
        raise PermissionDenied("life_finalists_need_final", stage=source)
    table = publication.published_results(con, competition_id, source)
    if table.height == 0:
        raise PermissionDenied("life_finalists_need_final", stage=source)
    out = finalist_cut(table, rule, value)
    keep = [c for c in ("entrant_id", "posyandu_name", "desa_name", "kecamatan_name", "total", "cut_place",
                        "finalist") if c in out.columns]
    return out.select(keep).sort(["cut_place", "posyandu_name"], nulls_last=True)


def pick_finalists(con: Con, user: User, competition_id: str, stage: str, rule: str, value: float) -> list[str]:
    """Make the finalists of `stage` from the published results of the stage before it (top N or a minimum
    score, ties at the cut kept in). Assignments of others at `stage` are removed; refused when any of them
    already has scores there. Picking again replaces the cut. Returns the finalists' entrant ids."""
    if rule not in CUT_RULES:
        raise BadInput("error_life_unknown_cut_rule", rule=rule, rules=CUT_RULES)
    preview = finalist_preview(con, user, competition_id, stage, rule, value)
    chosen = preview.filter(pl.col("finalist"))["entrant_id"].to_list()
    scored = [r[0] for r in con.sql(
        "SELECT DISTINCT entrant_id FROM scores WHERE competition_id = ? AND stage = ? "
        "AND NOT list_contains(?, entrant_id) ORDER BY 1", params=[competition_id, stage, chosen]).fetchall()]
    if scored:
        raise PermissionDenied("life_finalists_scored", n=len(scored), stage=stage)
    source = previous_stage(con, competition_id, stage)

    def write() -> None:
        with store.transaction(con):
            old = sorted(r[0] for r in con.sql("SELECT entrant_id FROM finalists WHERE competition_id = ? AND "
                                               "stage = ?", params=[competition_id, stage]).fetchall())
            con.execute("DELETE FROM finalists WHERE competition_id = ? AND stage = ?", [competition_id, stage])
            con.execute("INSERT INTO finalist_cuts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (competition_id, stage) "
                        "DO UPDATE SET from_stage = excluded.from_stage, rule = excluded.rule, value = excluded.value, "
                        "picked_at = excluded.picked_at, picked_by = excluded.picked_by",
                        [competition_id, stage, source, rule, float(value), _now(), user.username])
            if chosen:
                con.executemany("INSERT INTO finalists VALUES (?, ?, ?)",
                                [(competition_id, stage, e) for e in chosen])
            dropped = con.sql("DELETE FROM assignments WHERE competition_id = ? AND stage = ? AND NOT "
                              "list_contains(?, entrant_id) RETURNING judge_id, entrant_id",
                              params=[competition_id, stage, chosen]).fetchall()
            for judge_id, entrant_id in dropped:
                _audit(con, user.username, "unassign", "assignment",
                       f"{competition_id}/{stage}/{entrant_id}/{judge_id}", judge_id, None, "life_not_finalist")
            con.execute("UPDATE entrants SET stage_reached = CASE WHEN list_contains(?, entrant_id) THEN ? ELSE ? END "
                        "WHERE competition_id = ?", [chosen, stage, source, competition_id])
            _audit(con, user.username, "pick_finalists", "stage", f"{competition_id}/{stage}", old,
                   {"rule": rule, "value": value, "finalists": sorted(chosen)}, None)
            store.touch(con, competition_id)
    store.with_retry(write)
    return chosen


def finalist_cut_of(con: Con, competition_id: str, stage: str) -> dict | None:
    """The cut made for a stage (rule, value, from_stage, picked_at, picked_by, finalists), or None."""
    row = con.sql("SELECT from_stage, rule, value, picked_at, picked_by FROM finalist_cuts WHERE competition_id = ? "
                  "AND stage = ?", params=[competition_id, stage]).fetchone()
    if row is None:
        return None
    return {"from_stage": row[0], "rule": row[1], "value": row[2], "picked_at": row[3], "picked_by": row[4],
            "finalists": sorted(forms.finalists_of(con, competition_id, stage) or ())}
