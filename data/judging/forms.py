"""The judging workflow in the store: assignments, conflict of interest, scores with audit, forms, publication.

Every function takes the acting `User` and checks permission here, not only in the page, so a juri cannot
read or write another judge's scores or an entrant not assigned to them through any caller (page, import, CLI).
Refusals raise `PermissionDenied` and unusable values `BadInput`, each with a message key. Every change to a score is written to `audit_log` in the
same transaction (who, when, old, new, reason). Conflicting concurrent writes are retried with backoff.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import polars as pl

from data import store
from data.access import in_region
from data.judging import audit
from data.judging.auth import PermissionDenied, User, require_role
from data.store import score_rows
from data.store.con import Con as AnyCon
from data.store.con import fetch_frame
from present.errors import BadInput
from scoring.instrument import NO_CASE

# The connection the modules built on this one take (DuckDB; they are not on PostgreSQL yet, docs/postgres.md).
# This module's own functions take either store (`AnyCon`).
Con = duckdb.DuckDBPyConnection

COMBINED = "gabungan"   # the snapshot of all stages combined (as ui.context.COMBINED)


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()   # "leave this part of the score as it is" in save_score


# --- helpers -------------------------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now()




def _entrant_place(con: AnyCon, entrant_id: str) -> tuple[str, str] | None:
    """(competition_id, desa_code) of an entrant."""
    row = con.sql("SELECT e.competition_id, p.desa_code FROM entrants e JOIN posyandu p USING (posyandu_id) "
                  "WHERE e.entrant_id = ?", params=[entrant_id]).fetchone()
    return (row[0], row[1]) if row else None


def _is_assigned(con: AnyCon, competition_id: str, stage: str, judge_id: str, entrant_id: str) -> bool:
    return con.execute("SELECT 1 FROM assignments WHERE competition_id = ? AND stage = ? AND judge_id = ? "
                       "AND entrant_id = ?", [competition_id, stage, judge_id, entrant_id]).fetchone() is not None


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
            raise BadInput("error_judging_name_the_judge")
        return judge_id
    raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri")


def check_can_read(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str,
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
        if place is None or not in_region(place[1], user.region_code):
            raise PermissionDenied("judging_denied_region", entrant_id=entrant_id)
        return
    raise PermissionDenied("judging_denied_role", role=user.role, allowed="panitia, juri, pembina")


# --- conflict of interest and assignments -------------------------------------------------------------------





# --- scores ---------------------------------------------------------------------------------------------------

_SCORE_COLS = ("option_code", "real_value", "note", "evidence")


def _score_key(competition_id: str, stage: str, entrant_id: str, judge_id: str, criterion_id: str) -> str:
    return f"{competition_id}/{stage}/{entrant_id}/{judge_id}/{criterion_id}"


def _audit(con: AnyCon, actor: str, action: str, entity: str, key: str, old: Any, new: Any, reason: str | None,
           source: str | None = None, ref: int | None = None) -> int:
    """One audit row (see `data.judging.audit.record`); the source defaults from the action."""
    default = "protest" if action.startswith("protest") else \
        {"reopen": "reopen", "score": "form", "submit": "form"}.get(action, "setup")
    return audit.record(con, actor, action, entity, key, old, new, reason, source=source or default, ref=ref)


class NotInCompetition(PermissionDenied):
    """A write names a stage, entrant or criterion the competition does not hold (or none). The engine would
    ignore such a score (`scoring.points.IGNORED`), so it is refused here with a message key, shown like any
    refusal from the data layer."""


def check_in_competition(con: AnyCon, competition_id: str, stage: str | None, entrant_id: str | None,
                         criterion_id: str | None = None, *, need_criterion: bool = True) -> None:
    """Raise NotInCompetition unless the stage is listed for the competition, the entrant is registered in it and
    (when `need_criterion`) the criterion is in its instrument: the rows the engine scores, and no other."""
    where = {"competition": competition_id}
    if not stage:
        raise NotInCompetition("engine_no_stage", **where)
    if not entrant_id:
        raise NotInCompetition("engine_no_entrant", **where)
    has_stage, has_entrant = store.one(      # one round trip: every score the form saves passes here
        con, "SELECT EXISTS (SELECT 1 FROM competition_stages WHERE competition_id = ? AND stage = ?), "
        "EXISTS (SELECT 1 FROM entrants WHERE competition_id = ? AND entrant_id = ?)",
        params=[competition_id, stage, competition_id, entrant_id])
    if not has_stage:
        raise NotInCompetition("engine_unknown_stage", stage=stage, **where)
    if not has_entrant:
        raise NotInCompetition("engine_unknown_entrant", entrant=entrant_id, **where)
    if need_criterion and not criterion_id:
        raise NotInCompetition("engine_no_criterion", **where)


def _criterion(con: AnyCon, competition_id: str, criterion_id: str) -> tuple[str, list[str]]:
    """(kind, option codes) of a criterion of the competition's instrument; NotInCompetition when unknown.
    The codes include scoring.instrument.NO_CASE when the criterion allows "tidak ada kasus".
    A flat join read row by row: every save asks, and `list(... ORDER BY ...)` with GROUP BY planned at twice
    the CPU."""
    rows = con.execute("SELECT ic.kind, io.option_code, ic.no_case_allowed FROM competitions c "
                       "JOIN instrument_criteria ic USING (instrument_id) LEFT JOIN instrument_options io "
                       "ON io.instrument_id = ic.instrument_id AND io.criterion_id = ic.criterion_id "
                       "WHERE c.competition_id = ? AND ic.criterion_id = ?",
                       [competition_id, criterion_id]).fetchall()
    if not rows:
        raise NotInCompetition("engine_unknown_criterion", criterion=criterion_id, competition=competition_id)
    codes = sorted(r[1] for r in rows if r[1] is not None)
    return rows[0][0], codes + [NO_CASE] if rows[0][2] else codes


def reopened_criteria(con: AnyCon, competition_id: str, stage: str, entrant_id: str) -> set[str]:
    """Criteria of an entrant that an upheld protest opened again in a finalised stage (not yet re-scored)."""
    return {r[0] for r in con.execute(
        "SELECT criterion_id FROM reopened_criteria WHERE competition_id = ? AND stage = ? AND entrant_id = ? "
        "AND closed_at IS NULL", [competition_id, stage, entrant_id]).fetchall()}


def finalists_of(con: AnyCon, competition_id: str, stage: str) -> set[str] | None:
    """The entrants picked as finalists for `stage`, or None when no finalist cut was made for it."""
    cut = con.execute("SELECT 1 FROM finalist_cuts WHERE competition_id = ? AND stage = ?",
                      [competition_id, stage]).fetchone()
    if cut is None:
        return None
    return {r[0] for r in con.execute("SELECT entrant_id FROM finalists WHERE competition_id = ? AND stage = ?",
                                      [competition_id, stage]).fetchall()}


def check_finalist(con: AnyCon, competition_id: str, stage: str, entrant_id: str) -> None:
    """Raise when finalists were picked for `stage` and the entrant is not one of them."""
    chosen = finalists_of(con, competition_id, stage)
    if chosen is not None and entrant_id not in chosen:
        raise PermissionDenied("life_not_finalist", entrant_id=entrant_id, stage=stage)


def _check_writable(con: AnyCon, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                    criterion_id: str | None = None) -> None:
    """Raise when the stage is finalised or the form is submitted (locked). In a finalised stage, the criteria
    an upheld protest reopened for this entrant stay writable (`criterion_id` None: any of them)."""
    final = con.execute("SELECT finalized_at FROM competition_stages WHERE competition_id = ? AND stage = ?",
                        [competition_id, stage]).fetchone()
    if final and final[0] is not None:
        reopened = reopened_criteria(con, competition_id, stage, entrant_id)
        if not reopened or (criterion_id is not None and criterion_id not in reopened):
            raise PermissionDenied("judging_stage_final", stage=stage)
    status = con.execute("SELECT status FROM judging_forms WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                         [entrant_id, stage, judge_id]).fetchone()
    if status and status[0] == "submitted":
        raise PermissionDenied("judging_form_locked", entrant_id=entrant_id)


def _validate_value(kind: str, codes: list[str], option_code: Any, real_value: Any) -> None:
    if option_code == NO_CASE:          # "tidak ada kasus": for a choice and a nilai-riil criterion alike
        if NO_CASE not in codes:
            raise BadInput("error_judging_no_case_not_allowed")
        if real_value is not UNSET and real_value is not None:
            raise BadInput("error_judging_no_case_with_value")
        return
    if kind == "choice":
        if real_value is not UNSET and real_value is not None:
            raise BadInput("error_judging_choice_takes_option")
        if option_code is not UNSET and option_code is not None and option_code not in codes:
            raise BadInput("error_judging_unknown_option", option=option_code, options=codes)
    else:
        if option_code is not UNSET and option_code is not None:
            raise BadInput("error_judging_real_takes_number")
        if real_value is not UNSET and real_value is not None:
            if isinstance(real_value, bool) or not isinstance(real_value, int | float) \
                    or not math.isfinite(real_value) or real_value < 0:
                raise BadInput("error_judging_real_value", value=real_value)


def _write_score(con: AnyCon, actor: str, competition_id: str, stage: str, entrant_id: str, judge_id: str,
                 criterion_id: str, changes: dict[str, Any], reason: str | None, source: str = "form",
                 ref: int | None = None) -> bool:
    """Upsert one score and its audit entry inside the caller's transaction; False when nothing changed.

    A change while the form or the stage is reopened is linked to that reopen (and takes its reason when the
    change gives none), so the trail says why a submitted score moved.
    Every save of every judge runs this under the write lock, so its statements are plain point queries (in
    DuckDB a small query's cost is its planning: one query with subqueries costs more than three simple ones).
    """
    _check_writable(con, competition_id, stage, entrant_id, judge_id, criterion_id)
    option = changes.get("option_code")
    codes, row = score_rows.lookup_score(con, entrant_id, stage, judge_id, criterion_id,
                                         option if isinstance(option, str) else None)
    old: dict[str, Any] | None = dict(zip(_SCORE_COLS, row, strict=True)) if row else None
    new = dict(old) if old else dict.fromkeys(_SCORE_COLS)
    new.update({k: v for k, v in changes.items() if v is not UNSET})
    if new["evidence"] is not None:
        new["evidence"] = list(new["evidence"])
    if old == new:
        return False
    now = _now()
    values = {"option_code": new["option_code"], "real_value": new["real_value"], "note": new["note"],
              "evidence": new["evidence"], "updated_at": now}
    if old is None:
        score_rows.insert_score(con, {"competition_id": competition_id, "stage": stage, "entrant_id": entrant_id,
                                      "judge_id": judge_id, "criterion_id": criterion_id},
                                codes, values | {"created_at": now})
    else:
        # only what changed (a list column set is a delete and an insert in DuckDB), by the row's id
        changed = {k: v for k, v in values.items() if k == "updated_at" or old.get(k) != v}
        score_rows.update_score(con, entrant_id, stage, judge_id, criterion_id, changed, codes=codes)
    if ref is None:
        reopened = audit.reopen_in_force(con, competition_id, stage, entrant_id, judge_id)
        if reopened:
            ref, reason = reopened[0], reason or reopened[1]
    _audit(con, actor, "score", "score", _score_key(competition_id, stage, entrant_id, judge_id, criterion_id),
           old, new, reason, source, ref)
    store.touch(con, competition_id)
    # the save's old and new value for the re-rank without a full re-score (data.results.results_since)
    score_rows.journal_save(con, competition_id, stage, entrant_id, judge_id, criterion_id,
                            None if old is None else (old["option_code"], old["real_value"]),
                            (new["option_code"], new["real_value"]))
    return True


def save_score(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str, criterion_id: str, *,
               option_code: str | None = UNSET, real_value: float | None = UNSET, note: str | None = UNSET,
               evidence: Sequence[str] | None = UNSET, judge_id: str | None = None,
               reason: str | None = None, source: str = "form", ref: int | None = None) -> bool:
    """Save one part of one score at once (what the form's on_change sends) and audit it.

    Arguments left UNSET keep their stored value; None clears. A juri writes only as their own judge for an
    assigned entrant; panitia may write for a named judge (e.g. a field-form import). Refused on a submitted
    form or a finalised stage, and (NotInCompetition) for a stage, entrant or criterion the competition does not
    hold. Returns False when the value did not change (no audit entry then).
    `source`, `reason` and `ref` go on the audit row: a protest passes source="protest", its reason and the
    audit id of the protest's own row.
    """
    judge = _acting_judge(user, judge_id)
    check_in_competition(con, competition_id, stage, entrant_id, criterion_id)
    if not _is_assigned(con, competition_id, stage, judge, entrant_id):
        raise PermissionDenied("judging_denied_not_assigned", entrant_id=entrant_id)
    check_finalist(con, competition_id, stage, entrant_id)
    kind, codes = _criterion(con, competition_id, criterion_id)
    _validate_value(kind, codes, option_code, real_value)
    if option_code == NO_CASE:
        real_value = None              # the answer replaces a measured value
    elif kind == "real" and real_value is not UNSET and real_value is not None:
        option_code = None             # a measured value replaces an earlier "tidak ada kasus"
    if real_value is not UNSET and real_value is not None:
        real_value = float(real_value)
    if evidence is not UNSET and evidence:
        known = {r[0] for r in con.sql("SELECT sha256 FROM evidence_files WHERE sha256 = ANY(?)",
                                       params=[list(evidence)]).fetchall()}
        missing = [e for e in evidence if e not in known]
        if missing:
            raise BadInput("error_judging_unknown_evidence", files=missing)
    changes = {"option_code": option_code, "real_value": real_value, "note": note, "evidence": evidence}

    def write() -> bool:
        with store.transaction(con):
            return _write_score(con, user.username, competition_id, stage, entrant_id, judge, criterion_id,
                                changes, reason, source, ref)
    return store.with_retry(write)


def read_scores(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> pl.DataFrame:
    """The scores of one entrant in a stage (one judge's, when named). A juri reads only their own."""
    if user.role == "juri":
        judge_id = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge_id)
    sql, params = score_rows.form_scores_sql(con, competition_id, stage, entrant_id, judge_id)
    return fetch_frame(con, f"SELECT * FROM ({sql}) AS f ORDER BY judge_id, criterion_id", params)


def form_progress(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str,
                  judge_id: str | None = None) -> pl.DataFrame:
    """Per section of the instrument (in order): criteria answered of the total, for one judge's form."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    sql, params = score_rows.form_scores_sql(con, competition_id, stage, entrant_id, judge)
    return fetch_frame(
        con, f"WITH sc AS ({sql}) "
        "SELECT s.section_id, s.ord, s.title, s.spm_field, count(ic.criterion_id) AS total, "
        "  count(sc.criterion_id) FILTER (WHERE sc.option_code IS NOT NULL OR sc.real_value IS NOT NULL) AS answered "
        "FROM competitions c JOIN instrument_sections s USING (instrument_id) "
        "JOIN instrument_criteria ic ON ic.instrument_id = s.instrument_id AND ic.section_id = s.section_id "
        "LEFT JOIN sc ON sc.criterion_id = ic.criterion_id "
        "WHERE c.competition_id = ? GROUP BY s.section_id, s.ord, s.title, s.spm_field ORDER BY s.ord",
        [*params, competition_id])


def form_status(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> str:
    """open or submitted."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    row = con.sql("SELECT status FROM judging_forms WHERE entrant_id = ? AND stage = ? AND judge_id = ?",
                  params=[entrant_id, stage, judge]).fetchone()
    return row[0] if row else "open"


def lock_form(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str,
              judge_id: str | None = None, check: Callable[[str], None] | None = None,
              then: Callable[[], None] | None = None) -> list[str]:
    """Lock a finished form. Returns the unanswered criteria; when any remain nothing is locked.

    The step under `data.judging.contest_life.send_back.submit_form`, which every caller uses: it passes `check` (raises
    to refuse, given the acting judge: the disagreement send-back) and `then` (run inside the locking
    transaction: settling a protest once its criteria are re-scored)."""
    judge = _acting_judge(user, judge_id)
    check_can_read(con, user, competition_id, stage, entrant_id, judge)
    sql, params = score_rows.form_scores_sql(con, competition_id, stage, entrant_id, judge)
    missing = [r[0] for r in con.execute(
        f"WITH sc AS ({sql}) "
        "SELECT ic.criterion_id FROM competitions c JOIN instrument_criteria ic USING (instrument_id) "
        "JOIN instrument_sections s ON s.instrument_id = ic.instrument_id AND s.section_id = ic.section_id "
        "LEFT JOIN sc ON sc.criterion_id = ic.criterion_id "
        "WHERE c.competition_id = ? AND sc.option_code IS NULL AND sc.real_value IS NULL ORDER BY s.ord, ic.ord",
        [*params, competition_id]).fetchall()]
    if missing:
        return missing
    if check is not None:
        check(judge)

    def write() -> None:
        with store.transaction(con):
            _check_writable(con, competition_id, stage, entrant_id, judge)
            con.execute("INSERT INTO judging_forms (competition_id, stage, entrant_id, judge_id, status, submitted_at) "
                        "VALUES (?, ?, ?, ?, 'submitted', ?) ON CONFLICT (entrant_id, stage, judge_id) DO UPDATE "
                        "SET status = 'submitted', submitted_at = excluded.submitted_at",
                        [competition_id, stage, entrant_id, judge, _now()])
            _audit(con, user.username, "submit", "form", f"{competition_id}/{stage}/{entrant_id}/{judge}",
                   "open", "submitted", None)
            if then is not None:
                then()
            store.touch(con, competition_id)
    store.with_retry(write)
    return []


def reopen_form(con: AnyCon, user: User, competition_id: str, stage: str, entrant_id: str, judge_id: str,
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
            store.touch(con, competition_id)
    store.with_retry(write)


def audit_entries(con: AnyCon, user: User, key_prefix: str = "", limit: int = 500) -> pl.DataFrame:
    """The newest audit entries whose key starts with `key_prefix` (e.g. a competition id), panitia only."""
    require_role(user, ["panitia"])
    return con.sql("SELECT audit_id, changed_at, actor, action, entity, entity_key, old_value, new_value, reason "
                   "FROM audit_log WHERE starts_with(entity_key, ?) ORDER BY audit_id DESC LIMIT ?",
                   params=[key_prefix, limit]).pl()


# --- publication ----------------------------------------------------------------------------------------------

# Columns that could carry personal data; never written into a snapshot (the public view and exports read it).
