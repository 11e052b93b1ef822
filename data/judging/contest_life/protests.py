"""The contest's life after the forms: finalists after the desk stage, the disagreement send-back, protests
(sanggahan) in the provisional window, declaring results final, and winners advancing one level up.

The rules themselves are pure functions in `scoring/finalists.py`, `scoring/disagreement.py` and
`scoring/protests.py`; this module reads the store, checks who is acting, writes, and audits every step in the
same transaction (who, when, old, new, reason), exactly as `data/judging/forms.py` does for scores.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from data import store
from data.access import in_region, in_region_expr
from data.judging import forms, publication
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.forms import COMBINED, UNSET, Con, _audit, _now
from present.errors import BadInput
from scoring.disagreement import FLAGS_SCHEMA, disagreements, option_levels
from scoring.finalists import CUT_RULES, finalist_cut
from scoring.protests import can_move, final_blockers, window_open

DEFAULT_RULES = {"protest_days": 3, "disagree_levels": 2, "disagree_real_pct": 25.0}
DECISIONS = ("kept", "changed")


# --- rules of a competition's life ----------------------------------------------------------------------------

def rules(con: Con, competition_id: str) -> dict[str, Any]:
    """protest_days, disagree_levels and disagree_real_pct of a competition (the defaults when never set)."""
    row = con.sql("SELECT protest_days, disagree_levels, disagree_real_pct FROM contest_rules "
                  "WHERE competition_id = ?", params=[competition_id]).fetchone()
    if row is None:
        return dict(DEFAULT_RULES)
    return {"protest_days": int(row[0]), "disagree_levels": int(row[1]), "disagree_real_pct": float(row[2])}


def set_rules(con: Con, user: User, competition_id: str, *, protest_days: int | None = None,
              disagree_levels: int | None = None, disagree_real_pct: float | None = None) -> dict[str, Any]:
    """Change the protest window or the disagreement thresholds of a competition (audited); returns the rules."""
    require_role(user, ["panitia"])
    old = rules(con, competition_id)
    new = dict(old)
    for key, value in (("protest_days", protest_days), ("disagree_levels", disagree_levels),
                       ("disagree_real_pct", disagree_real_pct)):
        if value is not None:
            new[key] = value
    if int(new["protest_days"]) < 0 or int(new["disagree_levels"]) < 1 or float(new["disagree_real_pct"]) < 0:
        raise BadInput("error_life_bad_settings")
    if new == old:
        return old

    def write() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO contest_rules VALUES (?, ?, ?, ?) ON CONFLICT (competition_id) DO UPDATE SET "
                        "protest_days = excluded.protest_days, disagree_levels = excluded.disagree_levels, "
                        "disagree_real_pct = excluded.disagree_real_pct",
                        [competition_id, int(new["protest_days"]), int(new["disagree_levels"]),
                         float(new["disagree_real_pct"])])
            _audit(con, user.username, "set_rules", "competition", competition_id, old, new, None)
            store.touch(con, competition_id)
    store.with_retry(write)
    return new


# --- finalists ------------------------------------------------------------------------------------------------

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


# --- disagreement send-back -----------------------------------------------------------------------------------

class DisagreementPending(PermissionDenied):
    """Submitting is refused until the judge answers (keeps or changes, with a reason) every criterion on which
    the judges of this entrant disagree too much; `criteria` lists them."""

    def __init__(self, criteria: Sequence[str]) -> None:
        super().__init__("life_flags_pending", n=len(criteria), criteria=", ".join(criteria))
        self.criteria = list(criteria)


def submit_form(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                judge_id: str | None = None) -> list[str]:
    """Submit and lock a judge's finished form. Returns the unanswered criteria (nothing is locked then).
    Refused with DisagreementPending while the judge has not answered a disagreement flag; once every judge
    of an entrant has submitted again after an upheld protest, the protest is settled (see after_submit)."""
    def check(judge: str) -> None:
        pending = unanswered_flags(con, competition_id, stage, entrant_id, judge)
        if pending:
            raise DisagreementPending(pending)

    return forms.lock_form(con, user, competition_id, stage, entrant_id, judge_id, check=check,
                           then=lambda: after_submit(con, user, competition_id, stage, entrant_id))


def _instrument_frames(con: Con, competition_id: str) -> tuple[dict[str, str], pl.DataFrame, dict[str, str]]:
    kinds = dict(con.sql("SELECT ic.criterion_id, ic.kind FROM competitions c JOIN instrument_criteria ic "
                         "USING (instrument_id) WHERE c.competition_id = ?", params=[competition_id]).fetchall())
    texts = dict(con.sql("SELECT ic.criterion_id, ic.text FROM competitions c JOIN instrument_criteria ic "
                         "USING (instrument_id) WHERE c.competition_id = ?", params=[competition_id]).fetchall())
    options = con.sql("SELECT io.criterion_id, io.option_code, coalesce(io.points, 0) AS points FROM competitions c "
                      "JOIN instrument_options io USING (instrument_id) WHERE c.competition_id = ?",
                      params=[competition_id]).pl()
    if options.height == 0:
        options = pl.DataFrame(schema={"criterion_id": pl.String, "option_code": pl.String, "points": pl.Float64})
    return kinds, option_levels(options), texts


def _flags(con: Con, competition_id: str, stage: str, entrant_id: str) -> pl.DataFrame:
    scores = con.sql("SELECT judge_id, criterion_id, option_code, real_value FROM scores WHERE competition_id = ? "
                     "AND stage = ? AND entrant_id = ? AND judge_id IN (SELECT judge_id FROM assignments WHERE "
                     "competition_id = ? AND stage = ? AND entrant_id = ?)",
                     params=[competition_id, stage, entrant_id, competition_id, stage, entrant_id]).pl()
    if scores.height == 0:
        return pl.DataFrame(schema=FLAGS_SCHEMA)
    kinds, levels, _ = _instrument_frames(con, competition_id)
    r = rules(con, competition_id)
    return disagreements(scores, kinds, levels, r["disagree_levels"], r["disagree_real_pct"])


def _value_json(option_code: Any, real_value: Any) -> str:
    return json.dumps({"option_code": option_code, "real_value": None if real_value is None else float(real_value)},
                      sort_keys=True)


def _answered(con: Con, competition_id: str, stage: str, entrant_id: str, judge_id: str) -> dict[str, dict]:
    """Per criterion: the judge's newest response, when it still answers for their current value."""
    rows = con.sql(
        "SELECT r.criterion_id, r.decision, r.reason, r.responded_at, r.value_json, s.option_code, s.real_value "
        "FROM disagreement_responses r LEFT JOIN scores s ON s.entrant_id = r.entrant_id AND s.stage = r.stage "
        "AND s.judge_id = r.judge_id AND s.criterion_id = r.criterion_id WHERE r.competition_id = ? AND r.stage = ? "
        "AND r.entrant_id = ? AND r.judge_id = ? ORDER BY r.response_id",
        params=[competition_id, stage, entrant_id, judge_id]).fetchall()
    out = {}
    for crit, decision, reason, at, value, opt, real in rows:
        if value == _value_json(opt, real):
            out[crit] = {"decision": decision, "reason": reason, "responded_at": at}
        else:
            out.pop(crit, None)
    return out


def entrant_flags(con: Con, user: User, competition_id: str, stage: str, entrant_id: str,
                  judge_id: str | None = None) -> pl.DataFrame:
    """The criteria flagged for disagreement on one entrant, for one judge's form: criterion, its text, the
    kind and spread, whether this judge is among those who differ, and their answer (decision, reason) when
    it still stands. Other judges' choices are not shown. A juri reads their own form only."""
    judge = forms._acting_judge(user, judge_id)
    forms.check_can_read(con, user, competition_id, stage, entrant_id, judge)
    flags = _flags(con, competition_id, stage, entrant_id)
    _, _, texts = _instrument_frames(con, competition_id)
    answered = _answered(con, competition_id, stage, entrant_id, judge)
    return flags.select(
        "criterion_id", "kind", "spread",
        pl.col("criterion_id").replace_strict(texts, default=None, return_dtype=pl.String).alias("text"),
        pl.col("judges").list.contains(judge).alias("involved"),
        pl.col("criterion_id").replace_strict({k: v["decision"] for k, v in answered.items()}, default=None,
                                              return_dtype=pl.String).alias("decision"),
        pl.col("criterion_id").replace_strict({k: v["reason"] for k, v in answered.items()}, default=None,
                                              return_dtype=pl.String).alias("reason"))


def unanswered_flags(con: Con, competition_id: str, stage: str, entrant_id: str, judge_id: str) -> list[str]:
    """Flagged criteria this judge differs on and has not answered for their current value (blocks submit)."""
    flags = _flags(con, competition_id, stage, entrant_id)
    if flags.height == 0:
        return []
    answered = _answered(con, competition_id, stage, entrant_id, judge_id)
    return [c for c, judges in flags.select("criterion_id", "judges").iter_rows()
            if judge_id in judges and c not in answered]


def answer_flag(con: Con, user: User, competition_id: str, stage: str, entrant_id: str, criterion_id: str,
                decision: str, reason: str, *, option_code: str | None = UNSET, real_value: float | None = UNSET,
                judge_id: str | None = None) -> None:
    """A judge answers a disagreement flag: keep the choice, or change it (give the new option or value), with a
    short reason. Both the answer and any change of score are audited."""
    if decision not in DECISIONS:
        raise BadInput("error_life_unknown_decision", decision=decision, decisions=DECISIONS)
    if not reason or not reason.strip():
        raise PermissionDenied("life_reason_required")
    judge = forms._acting_judge(user, judge_id)
    if decision == "changed":
        if option_code is UNSET and real_value is UNSET:
            raise BadInput("error_life_change_needs_value")
        forms.save_score(con, user, competition_id, stage, entrant_id, criterion_id, option_code=option_code,
                         real_value=real_value, judge_id=judge, reason=reason.strip())
    forms.check_can_read(con, user, competition_id, stage, entrant_id, judge)
    row = con.sql("SELECT option_code, real_value FROM scores WHERE entrant_id = ? AND stage = ? AND judge_id = ? "
                  "AND criterion_id = ?", params=[entrant_id, stage, judge, criterion_id]).fetchone()
    if row is None:
        raise BadInput("error_life_no_score_to_answer", criterion=criterion_id)
    value = _value_json(row[0], row[1])

    def write() -> None:
        with store.transaction(con):
            forms._check_writable(con, competition_id, stage, entrant_id, judge, criterion_id)
            con.execute("INSERT INTO disagreement_responses (competition_id, stage, entrant_id, judge_id, "
                        "criterion_id, decision, value_json, reason, responded_by, responded_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [competition_id, stage, entrant_id, judge, criterion_id, decision, value, reason.strip(),
                         user.username, _now()])
            _audit(con, user.username, f"disagreement_{decision}", "score",
                   f"{competition_id}/{stage}/{entrant_id}/{judge}/{criterion_id}", None, json.loads(value),
                   reason.strip())
            store.touch(con, competition_id)
    store.with_retry(write)


def disagreement_overview(con: Con, user: User, competition_id: str, stage: str) -> pl.DataFrame:
    """For the panitia: every flagged criterion of the stage, per entrant, with each involved judge's answer."""
    require_role(user, ["panitia"])
    entrants = [r[0] for r in con.sql("SELECT DISTINCT entrant_id FROM assignments WHERE competition_id = ? "
                                      "AND stage = ? ORDER BY 1", params=[competition_id, stage]).fetchall()]
    names = dict(con.sql("SELECT e.entrant_id, p.name FROM entrants e JOIN posyandu p USING (posyandu_id) "
                         "WHERE e.competition_id = ?", params=[competition_id]).fetchall())
    judges = dict(con.sql("SELECT judge_id, name FROM judges").fetchall())
    rows = []
    for e in entrants:
        flags = _flags(con, competition_id, stage, e)
        for crit, spread, kind, involved in flags.select("criterion_id", "spread", "kind", "judges").iter_rows():
            for j in involved:
                ans = _answered(con, competition_id, stage, e, j).get(crit)
                rows.append({"entrant_id": e, "posyandu_name": names.get(e), "criterion_id": crit, "kind": kind,
                             "spread": spread, "judge_id": j, "judge_name": judges.get(j),
                             "decision": ans["decision"] if ans else None, "reason": ans["reason"] if ans else None})
    schema = {"entrant_id": pl.String, "posyandu_name": pl.String, "criterion_id": pl.String, "kind": pl.String,
              "spread": pl.Float64, "judge_id": pl.String, "judge_name": pl.String, "decision": pl.String,
              "reason": pl.String}
    return pl.DataFrame(rows, schema=schema)


# --- provisional results, protests, final ---------------------------------------------------------------------

def _stage_result(con: Con, competition_id: str, stage: str) -> tuple | None:
    return con.sql("SELECT provisional_at, protest_deadline, declared_final_at FROM stage_results "
                   "WHERE competition_id = ? AND stage = ?", params=[competition_id, stage]).fetchone()


def set_protest_deadline(con: Con, user: User, competition_id: str, stage: str, deadline: dt.datetime,
                         reason: str) -> None:
    """Move the protest deadline of a provisional stage (extend it, or close the window now); reason audited.
    A deadline in the past is refused."""
    require_role(user, ["panitia"])
    if not reason or not reason.strip():
        raise PermissionDenied("life_reason_required")
    row = _stage_result(con, competition_id, stage)
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
    row = _stage_result(con, competition_id, stage)
    if row is None or row[2] is not None:
        raise PermissionDenied("life_not_provisional", stage=stage)
    now = now or _now()
    if not window_open(now, row[1]):
        raise PermissionDenied("life_window_closed", deadline=row[1].isoformat(sep=" ", timespec="minutes"))

    def write() -> int:
        with store.transaction(con):
            pid = con.sql("INSERT INTO protests (competition_id, stage, entrant_id, criteria, reason, filed_by, "
                          "filed_role, filed_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open') RETURNING protest_id",
                          params=[competition_id, stage, entrant_id, crits, reason.strip(), user.username, user.role,
                                  now]).fetchone()[0]
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
    waiting = con.sql("SELECT count(*) FROM assignments a LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id "
                      "AND f.stage = a.stage AND f.judge_id = a.judge_id WHERE a.competition_id = ? AND a.stage = ? "
                      "AND a.entrant_id = ? AND coalesce(f.status, 'open') <> 'submitted'",
                      params=[competition_id, stage, entrant_id]).fetchone()[0]
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


def declare_final(con: Con, user: User, competition_id: str, stage: str, now: dt.datetime | None = None) -> list[str]:
    """Declare a provisional stage final (after its protest deadline, with no protest open or being re-scored).
    When every stage is then final, the competition is final and its winners advance to the parent contest.
    Returns the entrant ids created one level up (empty when none advanced yet)."""
    require_role(user, ["panitia"])
    row = _stage_result(con, competition_id, stage)
    if row is None or row[2] is not None:
        raise PermissionDenied("life_not_provisional", stage=stage)
    states = [r[0] for r in con.sql("SELECT status FROM protests WHERE competition_id = ? AND stage = ?",
                                    params=[competition_id, stage]).fetchall()]
    blockers = final_blockers(now or _now(), row[1], states)
    if blockers:
        raise PermissionDenied(blockers[0], stage=stage,
                               deadline=row[1].isoformat(sep=" ", timespec="minutes"))

    def write() -> None:
        with store.transaction(con):
            con.execute("UPDATE stage_results SET declared_final_at = ?, declared_final_by = ? WHERE "
                        "competition_id = ? AND stage = ?", [_now(), user.username, competition_id, stage])
            _audit(con, user.username, "declare_final", "stage", f"{competition_id}/{stage}", "provisional", "final",
                   None)
            store.touch(con, competition_id)
    store.with_retry(write)
    if not publication.is_final(con, competition_id):
        return []
    return advance_winners(con, user, competition_id)


def advance_winners(con: Con, user: User, competition_id: str) -> list[str]:
    """Create the entries of the competition's advancing winners (from its final combined results) in the
    parent contest, each linked back to where it came from; returns the new entrant ids (none when the
    competition has no parent, or they advanced already). Refused unless the results are final."""
    require_role(user, ["panitia"])
    if not publication.is_final(con, competition_id):
        raise PermissionDenied("life_not_final")
    comp = con.sql("SELECT parent_competition_id FROM competitions WHERE competition_id = ?",
                   params=[competition_id]).fetchone()
    parent = comp[0] if comp else None
    if not parent or con.sql("SELECT 1 FROM competitions WHERE competition_id = ?",
                             params=[parent]).fetchone() is None:
        return []
    table = publication.published_results(con, competition_id, COMBINED)
    if table.height == 0 or "advances" not in table.columns:
        table = publication.compute_results(con, competition_id, None)[0]
    winners = table.filter(pl.col("advances"))
    first = con.sql("SELECT stage FROM competition_stages WHERE competition_id = ? ORDER BY ord LIMIT 1",
                    params=[parent]).fetchone()
    first_stage = first[0] if first else "administrasi"

    def write() -> list[str]:
        created = []
        with store.transaction(con):
            now = _now()
            for r in winners.iter_rows(named=True):
                src, pid = r["entrant_id"], r["posyandu_id"]
                if con.sql("SELECT 1 FROM advancements WHERE source_entrant_id = ?", params=[src]).fetchone():
                    continue
                have = con.sql("SELECT entrant_id FROM entrants WHERE competition_id = ? AND posyandu_id = ?",
                               params=[parent, pid]).fetchone()
                target = have[0] if have else f"{parent}:{pid}"
                if have:
                    con.execute("UPDATE entrants SET source_entrant_id = ? WHERE entrant_id = ?", [src, target])
                else:
                    con.execute("INSERT INTO entrants (entrant_id, competition_id, posyandu_id, stage_reached, "
                                "advanced, source_entrant_id) VALUES (?, ?, ?, ?, FALSE, ?)",
                                [target, parent, pid, first_stage, src])
                con.execute("UPDATE entrants SET advanced = TRUE WHERE entrant_id = ?", [src])
                con.execute("INSERT INTO advancements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [src, competition_id, target, parent, r.get("award"), r.get("total"), now, user.username])
                _audit(con, user.username, "advance", "entrant", f"{competition_id}/{src}", None,
                       {"to": parent, "entrant_id": target}, None)
                created.append(target)
            con.execute("UPDATE competitions SET status = 'final' WHERE competition_id = ?", [competition_id])
            store.touch(con, competition_id, parent)
        return created
    return store.with_retry(write)


def arrivals(con: Con, user: User, competition_id: str) -> pl.DataFrame:
    """The entrants that advanced into this competition from the level below: where from, award and nilai
    akhir there, when they arrived."""
    require_role(user, ["panitia", "pembina"])
    return con.sql(
        "SELECT a.target_entrant_id AS entrant_id, p.name AS posyandu_name, rd.name AS desa_name, "
        "  c.name AS source_competition, a.source_competition_id, a.source_entrant_id, a.award, a.total, "
        "  a.advanced_at FROM advancements a JOIN entrants e ON e.entrant_id = a.target_entrant_id "
        "JOIN posyandu p USING (posyandu_id) LEFT JOIN regions rd ON rd.code = p.desa_code "
        "JOIN competitions c ON c.competition_id = a.source_competition_id WHERE a.target_competition_id = ? "
        "ORDER BY a.advanced_at DESC, p.name", params=[competition_id]).pl()


def advancement_of(con: Con, entrant_id: str) -> dict | None:
    """Where an entrant came from (source competition and entrant) or went to (target), for the profile."""
    row = con.sql("SELECT a.source_entrant_id, a.source_competition_id, cs.name, a.target_entrant_id, "
                  "a.target_competition_id, ct.name, a.award, a.advanced_at FROM advancements a "
                  "JOIN competitions cs ON cs.competition_id = a.source_competition_id "
                  "JOIN competitions ct ON ct.competition_id = a.target_competition_id "
                  "WHERE a.source_entrant_id = ? OR a.target_entrant_id = ? LIMIT 1",
                  params=[entrant_id, entrant_id]).fetchone()
    if row is None:
        return None
    keys = ("source_entrant_id", "source_competition_id", "source_name", "target_entrant_id",
            "target_competition_id", "target_name", "award", "advanced_at")
    return dict(zip(keys, row, strict=True))
