"""Provisional results and protests (sanggahan): the protest deadline of a provisional stage, filing a protest
(a pembina of the entrant's region, or the panitia on its behalf, within the window), the panitia's decision
(reject, or uphold: just those criteria reopen for the entrant's judges), and settling an upheld protest once
every judge has submitted again (the stage's snapshot is refreshed). States and deadlines are the pure rules of
`scoring/protests.py`; every step is audited in the same transaction as the write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from data import store
from data.access import in_region, in_region_expr
from data.judging import forms, publication
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.forms import Con, _audit, _now
from present.errors import BadInput
from scoring.protests import can_move, window_open


def stage_result(con: Con, competition_id: str, stage: str) -> tuple | None:
    return con.sql("SELECT provisional_at, protest_deadline, declared_final_at FROM stage_results "
                   "WHERE competition_id = ? AND stage = ?", params=[competition_id, stage]).fetchone()


def set_protest_deadline(con: Con, user: User, competition_id: str, stage: str, deadline: dt.datetime,
                         reason: str) -> None:
    """Move the protest deadline of a provisional stage (extend it, or close the window now); reason audited.
    A deadline in the past is refused."""
    require_role(user, ["panitia"])
    if not reason or not reason.strip():
        raise PermissionDenied("life_reason_required")
    row = stage_result(con, competition_id, stage)
    if row is None or row[2] is not None:
        raise PermissionDenied("life_not_provisional", stage=stage)
    now = _now()
    deadline = max(deadline, now)

    def write() -> None:
        with store.transaction(con):
            con.execute("UPDATE stage_results SET protest_deadline = ? WHERE competition_id = ? AND stage = ?",
                        [deadline, competition_id, stage])
            _audit(con, user.username, "set_protest_deadline", "stage", f"{competition_id}/{stage}",
                   row[1].isoformat(timespec="seconds"), deadline.isoformat(timespec="seconds"), reason.strip())
            store.touch(con, competition_id)
    store.with_retry(write)


def _entrant_region(con: Con, competition_id: str, entrant_id: str) -> str | None:
    row = con.sql("SELECT p.desa_code FROM entrants e JOIN posyandu p USING (posyandu_id) WHERE e.entrant_id = ? "
                  "AND e.competition_id = ?", params=[entrant_id, competition_id]).fetchone()
    return row[0] if row else None


def file_protest(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, criteria: Sequence[str],
                 reason: str, now: dt.datetime | None = None) -> int:
    """File a protest against the provisional results of a stage for one entrant, naming criteria and a reason.
    A pembina of the entrant's region, or the panitia on the entrant's behalf, within the protest window."""
    require_role(user, ["panitia", "pembina"])
    desa = _entrant_region(con, competition_id, entrant_id)
    if desa is None:
        raise BadInput("error_life_not_an_entrant", entrant=entrant_id, competition=competition_id)
    if user.role == "pembina" and not in_region(desa, user.region_code):
        raise PermissionDenied("judging_denied_region", entrant_id=entrant_id)
    if not reason or not reason.strip():
        raise PermissionDenied("life_reason_required")
    crits = sorted(set(criteria))
    if not crits:
        raise PermissionDenied("life_protest_needs_criteria")
    known = {r[0] for r in con.sql("SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic "
                                   "USING (instrument_id) WHERE c.competition_id = ?",
                                   params=[competition_id]).fetchall()}
    unknown = [c for c in crits if c not in known]
    if unknown:
        raise BadInput("error_life_unknown_criteria", criteria=unknown, competition=competition_id)
    row = stage_result(con, competition_id, stage)
    if row is None or row[2] is not None:
        raise PermissionDenied("life_not_provisional", stage=stage)
    now = now or _now()
    if not window_open(now, row[1]):
        raise PermissionDenied("life_window_closed", deadline=row[1])

    def write() -> int:
        with store.transaction(con):
            pid = store.scalar(
                con, "INSERT INTO protests (competition_id, stage, entrant_id, criteria, reason, filed_by, "
                "filed_role, filed_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') RETURNING protest_id",
                params=[competition_id, stage, entrant_id, crits, reason.strip(), user.username, user.role, now])
            _audit(con, user.username, "protest_filed", "protest", f"{competition_id}/{stage}/{entrant_id}/{pid}",
                   None, {"criteria": crits, "status": "open"}, reason.strip())
            store.touch(con, competition_id)
            return int(pid)
    return store.with_retry(write)


def _protest(con: Con, protest_id: int) -> dict:
    df = con.sql("SELECT * FROM protests WHERE protest_id = ?", params=[protest_id]).pl()
    if df.height == 0:
        raise KeyError(protest_id)
    return df.row(0, named=True)


def decide_protest(con: Con, user: User, protest_id: int, decision: str, note: str) -> None:
    """The panitia rejects a protest or upholds it; upholding reopens just the named criteria of that entrant
    for its judges (their forms open again). The note is required and audited."""
    require_role(user, ["panitia"])
    if decision not in ("rejected", "upheld"):
        raise BadInput("error_life_unknown_decision", decision=decision, decisions=("rejected", "upheld"))
    if not note or not note.strip():
        raise PermissionDenied("life_reason_required")
    p = _protest(con, protest_id)
    if not can_move(p["status"], decision):
        raise PermissionDenied("life_protest_state", status=p["status"])
    cid, stage, entrant = p["competition_id"], p["stage"], p["entrant_id"]

    def write() -> None:
        with store.transaction(con):
            now = _now()
            con.execute("UPDATE protests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ? "
                        "WHERE protest_id = ?", [decision, user.username, now, note.strip(), protest_id])
            if decision == "upheld":
                con.executemany("INSERT INTO reopened_criteria (protest_id, competition_id, stage, entrant_id, "
                                "criterion_id, reopened_at) VALUES (?, ?, ?, ?, ?, ?)",
                                [(protest_id, cid, stage, entrant, c, now) for c in p["criteria"]])
                judges = [r[0] for r in con.sql(
                    "SELECT judge_id FROM assignments WHERE competition_id = ? AND stage = ? AND entrant_id = ?",
                    params=[cid, stage, entrant]).fetchall()]
                for j in judges:
                    con.execute("INSERT INTO judging_forms (competition_id, stage, entrant_id, judge_id, status, "
                                "reopened_at, reopen_reason) VALUES (?, ?, ?, ?, 'open', ?, ?) ON CONFLICT "
                                "(entrant_id, stage, judge_id) DO UPDATE SET status = 'open', reopened_at = "
                                "excluded.reopened_at, reopen_reason = excluded.reopen_reason",
                                [cid, stage, entrant, j, now, note.strip()])
                    _audit(con, user.username, "reopen", "form", f"{cid}/{stage}/{entrant}/{j}", "submitted", "open",
                           note.strip())
            _audit(con, user.username, f"protest_{decision}", "protest", f"{cid}/{stage}/{entrant}/{protest_id}",
                   p["status"], {"status": decision, "criteria": list(p["criteria"])}, note.strip())
            store.touch(con, cid)
    store.with_retry(write)


def after_submit(con: Con, user: User, competition_id: str, stage: str, entrant_id: str) -> None:
    """Inside the submitting transaction: once every judge of an entrant has submitted again after an upheld
    protest, close the reopened criteria, mark the protest resolved and freeze the stage's results again."""
    reopened = forms.reopened_criteria(con, competition_id, stage, entrant_id)
    if not reopened:
        return
    waiting = store.scalar(
        con, "SELECT count(*) FROM assignments a LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id "
        "AND f.stage = a.stage AND f.judge_id = a.judge_id WHERE a.competition_id = ? AND a.stage = ? "
        "AND a.entrant_id = ? AND coalesce(f.status, 'open') <> 'submitted'",
        params=[competition_id, stage, entrant_id])
    if waiting:
        return
    now = _now()
    ids = [r[0] for r in con.sql("SELECT DISTINCT protest_id FROM reopened_criteria WHERE competition_id = ? AND "
                                 "stage = ? AND entrant_id = ? AND closed_at IS NULL ORDER BY 1",
                                 params=[competition_id, stage, entrant_id]).fetchall()]
    con.execute("UPDATE reopened_criteria SET closed_at = ? WHERE competition_id = ? AND stage = ? AND entrant_id = ? "
                "AND closed_at IS NULL", [now, competition_id, stage, entrant_id])
    for pid in ids:
        con.execute("UPDATE protests SET status = 'resolved', resolved_at = ? WHERE protest_id = ?", [now, pid])
        _audit(con, user.username, "protest_resolved", "protest", f"{competition_id}/{stage}/{entrant_id}/{pid}",
               "upheld", "resolved", None)
    publication.refresh_snapshots(con, user, competition_id, stage)


def protests_frame(con: Con, user: User, competition_id: str, stage: str | None = None,
                   entrant_id: str | None = None) -> pl.DataFrame:
    """Protests with the posyandu name, newest first: the panitia see all, a pembina those in their region, and
    anyone the protests of final results (who filed them shown by role only)."""
    df = con.sql(
        "SELECT pr.protest_id, pr.stage, pr.entrant_id, p.name AS posyandu_name, p.desa_code, pr.criteria, "
        "  pr.reason, pr.filed_by, pr.filed_role, pr.filed_at, pr.status, pr.decided_by, pr.decided_at, "
        "  pr.decision_note, pr.resolved_at FROM protests pr JOIN entrants e USING (entrant_id) "
        "JOIN posyandu p USING (posyandu_id) WHERE pr.competition_id = ? AND (? IS NULL OR pr.stage = ?) "
        "AND (? IS NULL OR pr.entrant_id = ?) ORDER BY pr.protest_id DESC",
        params=[competition_id, stage, stage, entrant_id, entrant_id]).pl()
    if user.role == "panitia":
        return df
    if user.role == "pembina":
        return df.filter(in_region_expr("desa_code", user.region_code or "\x00"))
    if publication.is_final(con, competition_id):
        return df.with_columns(pl.col("filed_role").alias("filed_by"), pl.col("decided_by").is_not_null()
                               .replace_strict({True: "panitia", False: None}, return_dtype=pl.String)
                               .alias("decided_by"))
    return df.clear()
