"""The disagreement send-back: when the judges of one entrant differ on a criterion by more than the
competition's thresholds (`contest_rules`; the rule is `scoring/disagreement.py`), the criterion is flagged to
the judges who differ, and their form cannot be submitted until each keeps or changes the choice with a short
reason (both audited). `submit_form` is the one way a judge's form is submitted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from data import store
from data.judging import forms
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.contest_life.contest_rules import rules
from data.judging.contest_life.protests import after_submit
from data.judging.forms import UNSET, Con, _audit, _now
from present.errors import BadInput
from scoring.disagreement import FLAGS_SCHEMA, disagreements, option_levels

DECISIONS = ("kept", "changed")


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
