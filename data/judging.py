"""The judging workflow in the store: assignments, conflict of interest, scores with audit, forms, publication.

Every function takes the acting `User` and checks permission here, not only in the page, so a juri cannot
read or write another judge's scores or an entrant not assigned to them through any caller (page, import, CLI).
Refusals raise `PermissionDenied` with a message key. Every change to a score is written to `audit_log` in the
same transaction (who, when, old, new, reason). Conflicting concurrent writes are retried with backoff.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb
import polars as pl

from data import store
from data.auth import PermissionDenied, User, require_role

Con = duckdb.DuckDBPyConnection
T = TypeVar("T")

COI_RULES: tuple[str, ...] = ("none", "same_desa", "same_kecamatan")
DEFAULT_COI_RULE = "same_desa"
COMBINED = "gabungan"   # the snapshot of all stages combined (as ui.context.COMBINED)
MAX_RETRIES = 40


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()   # "leave this part of the score as it is" in save_score


@dataclass(frozen=True)
class Conflict:
    """Why a judge may not judge an entrant: a message key and the places that clash."""
    judge_id: str
    entrant_id: str
    rule: str
    message_key: str
    detail: dict[str, str]


# --- helpers -------------------------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now()


# Every write transaction bumps meta.data_version, so two concurrent writers always conflict in DuckDB's
# optimistic concurrency. Serialising this process's judging writes turns 20 browsers saving at once from a
# storm of conflicts and retries into a short queue; the retry stays for writers outside this lock.
_WRITE_LOCK = threading.Lock()


def with_retry(fn: Callable[[], T], attempts: int = MAX_RETRIES) -> T:
    """Run a write; on a DuckDB write-write conflict wait (exponential backoff with jitter) and try again."""
    for i in range(attempts):
        try:
            with _WRITE_LOCK:
                return fn()
        except duckdb.TransactionException:
            if i == attempts - 1:
                raise
            time.sleep(min(0.2, 0.002 * 2 ** min(i, 7)) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def _in_region(code: str | None, region: str | None) -> bool:
    return bool(code and region and (code == region or code.startswith(region + ".")))


def _entrant_place(con: Con, entrant_id: str) -> tuple[str, str] | None:
    """(competition_id, desa_code) of an entrant."""
    row = con.sql("SELECT e.competition_id, p.desa_code FROM entrants e JOIN posyandu p USING (posyandu_id) "
                  "WHERE e.entrant_id = ?", params=[entrant_id]).fetchone()
    return (row[0], row[1]) if row else None


def _is_assigned(con: Con, competition_id: str, stage: str, judge_id: str, entrant_id: str) -> bool:
    return con.sql("SELECT 1 FROM assignments WHERE competition_id = ? AND stage = ? AND judge_id = ? "
                   "AND entrant_id = ?", params=[competition_id, stage, judge_id, entrant_id]).fetchone() is not None


def _acting_judge(user: User, judge_id: str | None) -> str:
    """The judge whose scores are meant: a juri always acts as their own judge; panitia names one."""
    if user.role == "juri":
        if judge_id is not None and judge_id != user.judge_id:
            raise PermissionDenied("judging_denied_other_judge", judge_id=judge_id)
        if not user.judge_id:
            raise PermissionDenied("judging_denied_role", role=user.role, allowed="juri")
        return user.judge_id
    if user.role == "panitia":
        if not judge_id:
            raise ValueError("panitia must name the judge whose scores are meant")
        return judge_id
    raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri")


def check_can_read(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                   judge_id: str | None = None) -> None:
    """Raise unless `user` may read the scores of `entrant_id` (and of `judge_id`, when named)."""
    if user.role == "panitia":
        return
    if user.role == "juri":
        own = _acting_judge(user, judge_id)
        if not _is_assigned(con, competition_id, stage, own, entrant_id):
            raise PermissionDenied("judging_denied_not_assigned", entrant_id=entrant_id)
        return
    if user.role == "pembina":
        place = _entrant_place(con, entrant_id)
        if place is None or not _in_region(place[1], user.region_code):
            raise PermissionDenied("judging_denied_region", entrant_id=entrant_id)
        return
    raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri, pembina")


# --- conflict of interest and assignments -------------------------------------------------------------------

def coi_rule(con: Con, competition_id: str) -> str:
    row = con.sql("SELECT coi_rule FROM judging_settings WHERE competition_id = ?", params=[competition_id]).fetchone()
    return row[0] if row else DEFAULT_COI_RULE


def set_coi_rule(con: Con, user: User, competition_id: str, rule: str) -> None:
    """Choose the conflict-of-interest rule of a competition (none, same_desa, same_kecamatan)."""
    require_role(user, ["panitia"])
    if rule not in COI_RULES:
        raise ValueError(f"rule must be one of {COI_RULES}")
    old = coi_rule(con, competition_id)

    def write() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO judging_settings VALUES (?, ?) ON CONFLICT (competition_id) "
                        "DO UPDATE SET coi_rule = excluded.coi_rule", [competition_id, rule])
            _audit(con, user.username, "set_coi_rule", "competition", competition_id, old, rule, None)
    with_retry(write)


_PLACE_SQL = (
    "SELECT e.entrant_id, p.desa_code, pd.name AS desa_name, rk.name AS kecamatan_name FROM entrants e "
    "JOIN posyandu p USING (posyandu_id) LEFT JOIN regions pd ON pd.code = p.desa_code "
    "LEFT JOIN regions rk ON rk.code = substr(p.desa_code, 1, 8) WHERE e.entrant_id = ?")


def _clash(rule: str, judge_id: str, entrant_id: str, home: str | None, home_name: str | None,
           desa: str | None, desa_name: str | None, kecamatan_name: str | None) -> Conflict | None:
    """The conflict rule itself, on codes already read (kecamatan = the first 8 characters of a desa code)."""
    if rule == "none" or not home or not desa:
        return None
    detail = {"home": home_name or home, "desa": desa_name or desa, "kecamatan": kecamatan_name or desa[:8]}
    if home == desa:
        return Conflict(judge_id, entrant_id, rule, "judging_coi_same_desa", detail)
    if rule == "same_kecamatan" and home[:8] == desa[:8]:
        return Conflict(judge_id, entrant_id, rule, "judging_coi_same_kecamatan", detail)
    return None


def conflict_of_interest(con: Con, judge_id: str, entrant_id: str, rule: str) -> Conflict | None:
    """The clash between a judge's home desa and the entrant's posyandu desa under `rule`, or None.

    same_desa: the judge lives in the posyandu's desa. same_kecamatan: in any desa of its kecamatan (which
    includes the same desa). A judge with no home desa on record cannot clash.
    """
    if rule == "none":
        return None
    place = con.sql(_PLACE_SQL, params=[entrant_id]).fetchone()
    judge = con.sql("SELECT j.home_desa_code, r.name FROM judges j LEFT JOIN regions r ON r.code = j.home_desa_code "
                    "WHERE j.judge_id = ?", params=[judge_id]).fetchone()
    if place is None or judge is None:
        return None
    return _clash(rule, judge_id, entrant_id, judge[0], judge[1], place[1], place[2], place[3])


def assign_judge(con: Con, user: User, competition_id: str, stage: str, judge_id: str,
                 entrant_id: str) -> Conflict | None:
    """Assign a judge to an entrant for a stage; a conflict of interest blocks it and is returned instead."""
    require_role(user, ["panitia"])
    conflict = conflict_of_interest(con, judge_id, entrant_id, coi_rule(con, competition_id))
    if conflict is not None:
        return conflict

    def write() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO assignments (competition_id, stage, judge_id, entrant_id) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT DO NOTHING", [competition_id, stage, judge_id, entrant_id])
            _audit(con, user.username, "assign", "assignment", f"{competition_id}/{stage}/{entrant_id}/{judge_id}",
                   None, judge_id, None)
    with_retry(write)
    return None


def unassign_judge(con: Con, user: User, competition_id: str, stage: str, judge_id: str, entrant_id: str) -> None:
    """Remove an assignment; refused once the judge has entered scores for that entrant (they stay traceable)."""
    require_role(user, ["panitia"])
    has = con.sql("SELECT 1 FROM scores WHERE competition_id = ? AND stage = ? AND judge_id = ? AND entrant_id = ? "
                  "LIMIT 1", params=[competition_id, stage, judge_id, entrant_id]).fetchone()
    if has:
        raise PermissionDenied("judging_unassign_has_scores", judge_id=judge_id, entrant_id=entrant_id)

    def write() -> None:
        with store.transaction(con):
            con.execute("DELETE FROM assignments WHERE competition_id = ? AND stage = ? AND judge_id = ? "
                        "AND entrant_id = ?", [competition_id, stage, judge_id, entrant_id])
            _audit(con, user.username, "unassign", "assignment", f"{competition_id}/{stage}/{entrant_id}/{judge_id}",
                   judge_id, None, None)
    with_retry(write)


def judge_candidates(con: Con, user: User, competition_id: str, stage: str, entrant_id: str) -> pl.DataFrame:
    """The judges of the contest's region (or already judging in it) for one entrant: assigned or not, current
    workload, and the conflict that blocks them."""
    require_role(user, ["panitia"])
    rule = coi_rule(con, competition_id)
    place = con.sql(_PLACE_SQL, params=[entrant_id]).fetchone() or (entrant_id, None, None, None)
    df = con.sql(
        "WITH load AS (SELECT judge_id, count(*) AS workload, bool_or(entrant_id = ?) AS assigned "
        "              FROM assignments WHERE competition_id = ? AND stage = ? GROUP BY judge_id) "
        "SELECT j.judge_id, j.name, j.institution, j.spm_field, coalesce(l.assigned, false) AS assigned, "
        "  coalesce(l.workload, 0) AS workload, j.home_desa_code, r.name AS home_name "
        "FROM judges j LEFT JOIN load l USING (judge_id) LEFT JOIN regions r ON r.code = j.home_desa_code "
        "WHERE (j.home_desa_code IS NULL OR starts_with(j.home_desa_code, (SELECT scope_code FROM competitions "
        "WHERE competition_id = ?)) OR EXISTS (SELECT 1 FROM assignments x WHERE x.judge_id = j.judge_id "
        "AND x.competition_id = ?)) ORDER BY j.judge_id",
        params=[entrant_id, competition_id, stage, competition_id, competition_id]).pl()
    keys, details = [], []
    for judge_id, home, home_name in df.select("judge_id", "home_desa_code", "home_name").iter_rows():
        c = _clash(rule, judge_id, entrant_id, home, home_name, place[1], place[2], place[3])
        keys.append(c.message_key if c else None)
        details.append(json.dumps(c.detail) if c else None)
    return df.drop("home_desa_code", "home_name").with_columns(
        pl.Series("conflict_key", keys, dtype=pl.String), pl.Series("conflict_detail", details, dtype=pl.String))


def assignments_frame(con: Con, user: User, competition_id: str, stage: str) -> pl.DataFrame:
    """Assignments of a stage with names and form status; a juri sees only their own."""
    require_role(user, ["panitia", "juri"])
    only = user.judge_id if user.role == "juri" else None
    return con.sql(
        "SELECT a.entrant_id, p.name AS posyandu_name, p.desa_code, rd.name AS desa_name, a.judge_id, "
        "  j.name AS judge_name, coalesce(f.status, 'open') AS status, "
        "  (SELECT count(*) FROM scores s WHERE s.entrant_id = a.entrant_id AND s.stage = a.stage "
        "     AND s.judge_id = a.judge_id AND (s.option_code IS NOT NULL OR s.real_value IS NOT NULL)) AS answered "
        "FROM assignments a JOIN entrants e USING (entrant_id) JOIN posyandu p USING (posyandu_id) "
        "JOIN judges j ON j.judge_id = a.judge_id LEFT JOIN regions rd ON rd.code = p.desa_code "
        "LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id AND f.stage = a.stage AND f.judge_id = a.judge_id "
        "WHERE a.competition_id = ? AND a.stage = ? AND (? IS NULL OR a.judge_id = ?) "
        "ORDER BY p.name, a.entrant_id, a.judge_id",
        params=[competition_id, stage, only, only]).pl()


def workload(con: Con, user: User, competition_id: str, stage: str) -> pl.DataFrame:
    """Per judge of the contest's region (or judging in it): entrants assigned, forms submitted, and scores
    entered against scores expected."""
    require_role(user, ["panitia"])
    return con.sql(
        "WITH n AS (SELECT count(*) AS n FROM instrument_criteria ic JOIN competitions c USING (instrument_id) "
        "           WHERE c.competition_id = ?), "
        "entered AS (SELECT judge_id, count(*) AS k FROM scores WHERE competition_id = ? AND stage = ? "
        "            AND (option_code IS NOT NULL OR real_value IS NOT NULL) GROUP BY judge_id) "
        "SELECT j.judge_id, j.name, j.institution, count(a.entrant_id) AS assigned, "
        "  count(f.entrant_id) FILTER (WHERE f.status = 'submitted') AS submitted, "
        "  coalesce(any_value(en.k), 0) AS scores_entered, count(a.entrant_id) * any_value(n.n) AS scores_expected "
        "FROM judges j CROSS JOIN n LEFT JOIN entered en ON en.judge_id = j.judge_id "
        "LEFT JOIN assignments a ON a.judge_id = j.judge_id AND a.competition_id = ? AND a.stage = ? "
        "LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id AND f.stage = a.stage AND f.judge_id = a.judge_id "
        "WHERE (j.home_desa_code IS NULL OR starts_with(j.home_desa_code, (SELECT scope_code FROM competitions "
        "WHERE competition_id = ?)) OR EXISTS (SELECT 1 FROM assignments x WHERE x.judge_id = j.judge_id "
        "AND x.competition_id = ?)) "
        "GROUP BY j.judge_id, j.name, j.institution ORDER BY assigned DESC, j.judge_id",
        params=[competition_id, competition_id, stage, competition_id, stage, competition_id, competition_id]).pl()


# --- scores ---------------------------------------------------------------------------------------------------

_SCORE_COLS = ("option_code", "real_value", "note", "evidence")


def _score_key(competition_id: str, stage: str, entrant_id: str, judge_id: str, criterion_id: str) -> str:
    return f"{competition_id}/{stage}/{entrant_id}/{judge_id}/{criterion_id}"


def _audit(con: Con, actor: str, action: str, entity: str, key: str, old: Any, new: Any, reason: str | None) -> None:
    def enc(v: Any) -> str | None:
        return None if v is None else v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    con.execute("INSERT INTO audit_log (changed_at, actor, action, entity, entity_key, old_value, new_value, reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [_now(), actor, action, entity, key, enc(old), enc(new), reason])


def _criterion(con: Con, competition_id: str, criterion_id: str) -> tuple[str, list[str]]:
    """(kind, option codes) of a criterion of the competition's instrument; ValueError when unknown."""
    row = con.sql("SELECT ic.kind, list(io.option_code ORDER BY io.option_code) FROM competitions c "
                  "JOIN instrument_criteria ic USING (instrument_id) LEFT JOIN instrument_options io "
                  "ON io.instrument_id = ic.instrument_id AND io.criterion_id = ic.criterion_id "
                  "WHERE c.competition_id = ? AND ic.criterion_id = ? GROUP BY ic.kind",
                  params=[competition_id, criterion_id]).fetchone()
    if row is None:
        raise ValueError(f"criterion {criterion_id!r} is not in the instrument of {competition_id!r}")
    return row[0], [c for c in row[1] if c is not None]


def _check_writable(con: Con, competition_id: str, stage: str, entrant_id: str, judge_id: str) -> None:
    """Raise when the stage is finalised or the form is submitted (locked)."""
    final = con.sql("SELECT finalized_at FROM competition_stages WHERE competition_id = ? AND stage = ?",
                    params=[competition_id, stage]).fetchone()
    if final and final[0] is not None:
        raise PermissionDenied("judging_stage_final", stage=stage)
    status = con.sql("SELECT status FROM judging_forms WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                     params=[entrant_id, stage, judge_id]).fetchone()
    if status and status[0] == "submitted":
        raise PermissionDenied("judging_form_locked", entrant_id=entrant_id)


def _validate_value(kind: str, codes: list[str], option_code: Any, real_value: Any) -> None:
    if kind == "choice":
        if real_value is not UNSET and real_value is not None:
            raise ValueError("a choice criterion takes an option, not a real value")
        if option_code is not UNSET and option_code is not None and option_code not in codes:
            raise ValueError(f"option {option_code!r} is not one of {codes}")
    else:
        if option_code is not UNSET and option_code is not None:
            raise ValueError("a nilai-riil criterion takes a real value, not an option")
        if real_value is not UNSET and real_value is not None:
            if not isinstance(real_value, int | float) or not math.isfinite(real_value) or real_value < 0:
                raise ValueError(f"real value must be a finite number >= 0, not {real_value!r}")


def _write_score(con: Con, actor: str, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                 criterion_id: str, changes: dict[str, Any], reason: str | None) -> bool:
    """Upsert one score and its audit entry inside the caller's transaction; False when nothing changed."""
    _check_writable(con, competition_id, stage, entrant_id, judge_id)
    row = con.sql("SELECT option_code, real_value, note, evidence FROM scores WHERE entrant_id = ? AND stage = ? "
                  "AND judge_id = ? AND criterion_id = ?", params=[entrant_id, stage, judge_id, criterion_id]).fetchone()
    old = dict(zip(_SCORE_COLS, row, strict=True)) if row else None
    new = dict(old) if old else dict.fromkeys(_SCORE_COLS)
    new.update({k: v for k, v in changes.items() if v is not UNSET})
    if new["evidence"] is not None:
        new["evidence"] = list(new["evidence"])
    if old == new:
        return False
    now = _now()
    if old is None:
        con.execute("INSERT INTO scores (competition_id, stage, entrant_id, judge_id, criterion_id, option_code, "
                    "real_value, note, evidence, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [competition_id, stage, entrant_id, judge_id, criterion_id, new["option_code"],
                     new["real_value"], new["note"], new["evidence"], now, now])
    else:
        con.execute("UPDATE scores SET option_code = ?, real_value = ?, note = ?, evidence = ?, updated_at = ? "
                    "WHERE entrant_id = ? AND stage = ? AND judge_id = ? AND criterion_id = ?",
                    [new["option_code"], new["real_value"], new["note"], new["evidence"], now,
                     entrant_id, stage, judge_id, criterion_id])
    _audit(con, actor, "score", "score", _score_key(competition_id, stage, entrant_id, judge_id, criterion_id),
           old, new, reason)
    return True


def save_score(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, criterion_id: str, *,
               option_code: str | None = UNSET, real_value: float | None = UNSET, note: str | None = UNSET,
               evidence: Sequence[str] | None = UNSET, judge_id: str | None = None,
               reason: str | None = None) -> bool:
    """Save one part of one score at once (what the form's on_change sends) and audit it.

    Arguments left UNSET keep their stored value; None clears. A juri writes only as their own judge for an
    assigned entrant; panitia may write for a named judge (e.g. a field-form import). Refused on a submitted
    form or a finalised stage. Returns False when the value did not change (no audit entry then).
    """
    judge = _acting_judge(user, judge_id)
    if not _is_assigned(con, competition_id, stage, judge, entrant_id):
        raise PermissionDenied("judging_denied_not_assigned", entrant_id=entrant_id)
    kind, codes = _criterion(con, competition_id, criterion_id)
    _validate_value(kind, codes, option_code, real_value)
    if real_value is not UNSET and real_value is not None:
        real_value = float(real_value)
    if evidence is not UNSET and evidence:
        known = {r[0] for r in con.sql("SELECT sha256 FROM evidence_files WHERE list_contains(?, sha256)",
                                       params=[list(evidence)]).fetchall()}
        missing = [e for e in evidence if e not in known]
        if missing:
            raise ValueError(f"unknown evidence files {missing}")
    changes = {"option_code": option_code, "real_value": real_value, "note": note, "evidence": evidence}

    def write() -> bool:
        with store.transaction(con):
            return _write_score(con, user.username, competition_id, stage, entrant_id, judge, criterion_id,
                                changes, reason)
    return with_retry(write)


def read_scores(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> pl.DataFrame:
    """The scores of one entrant in a stage (one judge's, when named). A juri reads only their own."""
    if user.role == "juri":
        judge_id = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge_id)
    return con.sql("SELECT judge_id, criterion_id, option_code, real_value, note, evidence, updated_at FROM scores "
                   "WHERE competition_id = ? AND stage = ? AND entrant_id = ? AND (? IS NULL OR judge_id = ?) "
                   "ORDER BY judge_id, criterion_id",
                   params=[competition_id, stage, entrant_id, judge_id, judge_id]).pl()


def form_progress(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                  judge_id: str | None = None) -> pl.DataFrame:
    """Per section of the instrument (in order): criteria answered of the total, for one judge's form."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    return con.sql(
        "SELECT s.section_id, s.ord, s.title, s.spm_field, count(ic.criterion_id) AS total, "
        "  count(sc.criterion_id) FILTER (WHERE sc.option_code IS NOT NULL OR sc.real_value IS NOT NULL) AS answered "
        "FROM competitions c JOIN instrument_sections s USING (instrument_id) "
        "JOIN instrument_criteria ic ON ic.instrument_id = s.instrument_id AND ic.section_id = s.section_id "
        "LEFT JOIN scores sc ON sc.criterion_id = ic.criterion_id AND sc.entrant_id = ? AND sc.stage = ? "
        "  AND sc.judge_id = ? "
        "WHERE c.competition_id = ? GROUP BY ALL ORDER BY s.ord",
        params=[entrant_id, stage, judge, competition_id]).pl()


def form_status(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> str:
    """open or submitted."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    row = con.sql("SELECT status FROM judging_forms WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                  params=[entrant_id, stage, judge]).fetchone()
    return row[0] if row else "open"


def submit_form(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> list[str]:
    """Lock a finished form. Returns the unanswered criteria; when any remain nothing is locked."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    missing = [r[0] for r in con.sql(
        "SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic USING (instrument_id) "
        "JOIN instrument_sections s ON s.instrument_id = ic.instrument_id AND s.section_id = ic.section_id "
        "LEFT JOIN scores sc ON sc.criterion_id = ic.criterion_id AND sc.entrant_id = ? AND sc.stage = ? "
        "  AND sc.judge_id = ? "
        "WHERE c.competition_id = ? AND sc.option_code IS NULL AND sc.real_value IS NULL ORDER BY s.ord, ic.ord",
        params=[entrant_id, stage, judge, competition_id]).fetchall()]
    if missing:
        return missing

    def write() -> None:
        with store.transaction(con):
            _check_writable(con, competition_id, stage, entrant_id, judge)
            con.execute("INSERT INTO judging_forms (competition_id, stage, entrant_id, judge_id, status, submitted_at) "
                        "VALUES (?, ?, ?, ?, 'submitted', ?) ON CONFLICT (entrant_id, stage, judge_id) DO UPDATE "
                        "SET status = 'submitted', submitted_at = excluded.submitted_at",
                        [competition_id, stage, entrant_id, judge, _now()])
            _audit(con, user.username, "submit", "form", f"{competition_id}/{stage}/{entrant_id}/{judge}",
                   "open", "submitted", None)
    with_retry(write)
    return []


def reopen_form(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                reason: str) -> None:
    """Panitia unlocks a submitted form so the judge can change it; the reason is required and audited."""
    require_role(user, ["panitia"])
    if not reason or not reason.strip():
        raise PermissionDenied("judging_reason_required")

    def write() -> None:
        with store.transaction(con):
            con.execute("UPDATE judging_forms SET status = 'open', reopened_at = ?, reopen_reason = ? "
                        "WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                        [_now(), reason.strip(), entrant_id, stage, judge_id])
            _audit(con, user.username, "reopen", "form", f"{competition_id}/{stage}/{entrant_id}/{judge_id}",
                   "submitted", "open", reason.strip())
    with_retry(write)


def audit_entries(con: Con, user: User, key_prefix: str = "", limit: int = 500) -> pl.DataFrame:
    """The newest audit entries whose key starts with `key_prefix` (e.g. a competition id), panitia only."""
    require_role(user, ["panitia"])
    return con.sql("SELECT audit_id, changed_at, actor, action, entity, entity_key, old_value, new_value, reason "
                   "FROM audit_log WHERE starts_with(entity_key, ?) ORDER BY audit_id DESC LIMIT ?",
                   params=[key_prefix, limit]).pl()


# --- publication ----------------------------------------------------------------------------------------------

# Columns that could carry personal data; never written into a snapshot (the public view and exports read it).
_PERSONAL = re.compile(r"phone|contact|kader_name|email|address|judge_name|nik", re.IGNORECASE)


def _public_columns(df: pl.DataFrame) -> pl.DataFrame:
    return df.select([c for c in df.columns if not _PERSONAL.search(c)])


def compute_results(con: Con, competition_id: str, stage: str | None) -> tuple[pl.DataFrame, str]:
    """The engine's results table for a competition (one stage, or all combined when None), and the engine
    version. Uses the competition's own aggregation and advance count, as the result pages do."""
    from data.reads import competition, competition_inputs
    from scoring.config import ScoringConfig
    from scoring.engine import score_competition

    comp = competition(con, competition_id)
    if comp is None:
        raise KeyError(competition_id)
    config = ScoringConfig(aggregation=comp.get("aggregation") or "mean",
                           advance_count=int(comp.get("advance_count") or 1))
    out = score_competition(competition_inputs(con, competition_id), config, stage=stage)
    return out.table, out.engine_version


def _snapshot(con: Con, user: User, competition_id: str, stage: str, table: pl.DataFrame, version: str,
              now: dt.datetime) -> int:
    table = _public_columns(table)
    payload = json.dumps(table.to_dicts(), default=str, ensure_ascii=False)
    sid = con.sql("INSERT INTO result_snapshots (competition_id, stage, engine_version, finalized_at, "
                  "finalized_by, results_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING snapshot_id",
                  params=[competition_id, stage, version, now, user.username, payload]).fetchone()[0]
    _audit(con, user.username, "finalise", "stage", f"{competition_id}/{stage}", None,
           {"snapshot_id": sid, "rows": table.height, "engine_version": version}, None)
    return int(sid)


def finalise_stage(con: Con, user: User, competition_id: str, stage: str) -> int:
    """Freeze a stage's results as a snapshot and mark the stage final; returns the snapshot id.

    When this makes every stage final, the combined (stage-weighted) results are frozen too, as stage
    COMBINED, which is what `published_results` shows by default.
    """
    require_role(user, ["panitia"])
    table, version = compute_results(con, competition_id, stage)
    stages = con.sql("SELECT stage, finalized_at FROM competition_stages WHERE competition_id = ?",
                     params=[competition_id]).fetchall()
    if stage not in {s for s, _ in stages}:
        raise ValueError(f"{competition_id!r} has no stage {stage!r}")
    all_final = all(f is not None or s == stage for s, f in stages)
    combined = compute_results(con, competition_id, None)[0] if all_final else None

    def write() -> int:
        with store.transaction(con):
            now = _now()
            sid = _snapshot(con, user, competition_id, stage, table, version, now)
            con.execute("UPDATE competition_stages SET finalized_at = ? WHERE competition_id = ? AND stage = ?",
                        [now, competition_id, stage])
            if combined is not None:
                _snapshot(con, user, competition_id, COMBINED, combined, version, now)
            return sid
    return with_retry(write)


def reopen_stage(con: Con, user: User, competition_id: str, stage: str, reason: str) -> None:
    """Unfreeze a finalised stage so scores can change again; the published snapshot stays until re-finalised."""
    require_role(user, ["panitia"])
    if not reason or not reason.strip():
        raise PermissionDenied("judging_reason_required")

    def write() -> None:
        with store.transaction(con):
            con.execute("UPDATE competition_stages SET finalized_at = NULL WHERE competition_id = ? AND stage = ?",
                        [competition_id, stage])
            _audit(con, user.username, "reopen", "stage", f"{competition_id}/{stage}", "final", "open",
                   reason.strip())
    with_retry(write)


def stage_status(con: Con, competition_id: str) -> pl.DataFrame:
    """Per stage: finalised when, and the number of snapshots taken (more than one means it was reopened)."""
    return con.sql(
        "SELECT cs.stage, cs.ord, cs.finalized_at, count(rs.snapshot_id) AS snapshots, max(rs.finalized_at) AS "
        "last_snapshot_at FROM competition_stages cs LEFT JOIN result_snapshots rs ON rs.competition_id = "
        "cs.competition_id AND rs.stage = cs.stage WHERE cs.competition_id = ? GROUP BY ALL ORDER BY cs.ord",
        params=[competition_id]).pl()


def published_results(con: Con, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The frozen results for the public view and exports: the newest snapshot of `stage` (default: the
    combined results once every stage is final, else the stage finalised last), without personal data.
    An empty frame when nothing is published yet. Anyone may call it, signed in or not.
    """
    row = con.sql("SELECT results_json FROM result_snapshots WHERE competition_id = ? AND (? IS NULL OR stage = ?) "
                  "ORDER BY (stage = ?) DESC, snapshot_id DESC LIMIT 1",
                  params=[competition_id, stage, stage, COMBINED]).fetchone()
    if row is None:
        return pl.DataFrame()
    rows = json.loads(row[0])
    return _public_columns(pl.DataFrame(rows, infer_schema_length=None)) if rows else pl.DataFrame()


def freeze_finalised(con: Con, user: User, competition_ids: Sequence[str]) -> list[str]:
    """Publish the combined results of competitions whose stages are all final but were never frozen here
    (e.g. a demo or an import that set `finalized_at` directly); returns the competitions frozen now."""
    require_role(user, ["panitia"])
    frozen = []
    for cid in competition_ids:
        open_stages, snaps = con.sql(
            "SELECT (SELECT count(*) FROM competition_stages WHERE competition_id = ? AND finalized_at IS NULL), "
            "(SELECT count(*) FROM result_snapshots WHERE competition_id = ? AND stage = ?)",
            params=[cid, cid, COMBINED]).fetchone()
        if open_stages or snaps:
            continue
        table, version = compute_results(con, cid, None)

        def write(cid: str = cid, table: pl.DataFrame = table, version: str = version) -> int:
            with store.transaction(con):
                return _snapshot(con, user, cid, COMBINED, table, version, _now())
        with_retry(write)
        frozen.append(cid)
    return frozen


def regional_results(con: Con, user: User, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """Live (not yet frozen) results for those who may follow the judging: panitia see every entrant, a
    pembina only the entrants in their region; personal data removed. Juri and publik are refused (the
    public reads `published_results`)."""
    require_role(user, ["panitia", "pembina"])
    table = _public_columns(compute_results(con, competition_id, stage)[0])
    if user.role == "pembina":
        region = user.region_code or "\x00"
        table = table.filter((pl.col("desa_code") == region) | pl.col("desa_code").str.starts_with(region + "."))
    return table
