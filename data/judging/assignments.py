"""Assignments: which judge scores which entrant at which stage, the conflict-of-interest rule that blocks an
assignment (and says why), and each judge's workload. Split from `data/judging.py`, which holds the scoring
forms; every function checks the acting user in the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import polars as pl

from data import store
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.forms import Con, _audit, check_finalist, check_in_competition
from present.errors import BadInput

COI_RULES: tuple[str, ...] = ("none", "same_desa", "same_kecamatan")
DEFAULT_COI_RULE = "same_desa"


@dataclass(frozen=True)
class Conflict:
    """Why a judge may not judge an entrant: a message key and the places that clash."""
    judge_id: str
    entrant_id: str
    rule: str
    message_key: str
    detail: dict[str, str]


def coi_rule(con: Con, competition_id: str) -> str:
    row = con.sql("SELECT coi_rule FROM judging_settings WHERE competition_id = ?", params=[competition_id]).fetchone()
    return row[0] if row else DEFAULT_COI_RULE


def set_coi_rule(con: Con, user: User, competition_id: str, rule: str) -> None:
    """Choose the conflict-of-interest rule of a competition (none, same_desa, same_kecamatan)."""
    require_role(user, ["panitia"])
    if rule not in COI_RULES:
        raise BadInput("error_judging_unknown_coi_rule", rule=rule, rules=COI_RULES)
    old = coi_rule(con, competition_id)

    def write() -> None:
        with store.transaction(con):
            con.execute("INSERT INTO judging_settings VALUES (?, ?) ON CONFLICT (competition_id) "
                        "DO UPDATE SET coi_rule = excluded.coi_rule", [competition_id, rule])
            _audit(con, user.username, "set_coi_rule", "competition", competition_id, old, rule, None)
            store.touch(con, competition_id)
    store.with_retry(write)


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
    """Assign a judge to an entrant for a stage; a conflict of interest blocks it and is returned instead.

    A stage the competition does not list or an entrant of another competition is refused (NotInCompetition):
    the judge's scores would be ignored by the engine."""
    require_role(user, ["panitia"])
    check_in_competition(con, competition_id, stage, entrant_id, need_criterion=False)
    check_finalist(con, competition_id, stage, entrant_id)
    conflict = conflict_of_interest(con, judge_id, entrant_id, coi_rule(con, competition_id))
    if conflict is not None:
        return conflict

    _change_assignment(con, user, "assign", "INSERT INTO assignments (competition_id, stage, judge_id, entrant_id) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", competition_id, stage, judge_id, entrant_id)
    return None


def assign_all(con: Con, user: User, competition_id: str, stage: str, judge_ids: list[str],
               entrant_ids: list[str]) -> tuple[int, list[Conflict]]:
    """Assign every chosen judge to every chosen entrant of a stage (a kabupaten's judges usually all judge every
    entrant): pairs already assigned stay, a conflict of interest blocks just that pair. Returns the number of
    new assignments and the conflicts, each audited like a single assignment."""
    require_role(user, ["panitia"])
    have = set(con.sql("SELECT judge_id, entrant_id FROM assignments WHERE competition_id = ? AND stage = ?",
                       params=[competition_id, stage]).fetchall())
    made, conflicts = 0, []
    for entrant_id in entrant_ids:
        for judge_id in judge_ids:
            if (judge_id, entrant_id) in have:
                continue
            conflict = assign_judge(con, user, competition_id, stage, judge_id, entrant_id)
            if conflict is None:
                made += 1
            else:
                conflicts.append(conflict)
    return made, conflicts


def unassign_judge(con: Con, user: User, competition_id: str, stage: str, judge_id: str, entrant_id: str) -> None:
    """Remove an assignment; refused once the judge has entered scores for that entrant (they stay traceable)."""
    require_role(user, ["panitia"])
    has = con.sql("SELECT 1 FROM scores WHERE competition_id = ? AND stage = ? AND judge_id = ? AND entrant_id = ? "
                  "LIMIT 1", params=[competition_id, stage, judge_id, entrant_id]).fetchone()
    if has:
        raise PermissionDenied("judging_unassign_has_scores", judge_id=judge_id, entrant_id=entrant_id)

    _change_assignment(con, user, "unassign", "DELETE FROM assignments WHERE competition_id = ? AND stage = ? "
                       "AND judge_id = ? AND entrant_id = ?", competition_id, stage, judge_id, entrant_id)


def _change_assignment(con: Con, user: User, action: str, sql: str, competition_id: str, stage: str, judge_id: str,
                       entrant_id: str) -> None:
    """Run one assignment write (`sql` takes competition, stage, judge, entrant), audit it, mark the contest changed."""
    old, new = (None, judge_id) if action == "assign" else (judge_id, None)

    def write() -> None:
        with store.transaction(con):
            con.execute(sql, [competition_id, stage, judge_id, entrant_id])
            _audit(con, user.username, action, "assignment", f"{competition_id}/{stage}/{entrant_id}/{judge_id}",
                   old, new, None)
            store.touch(con, competition_id)
    store.with_retry(write)


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
        "WHERE a.competition_id = ? AND a.stage = ? AND (?::VARCHAR IS NULL OR a.judge_id = ?) "
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
        "  coalesce(max(en.k), 0) AS scores_entered, count(a.entrant_id) * max(n.n) AS scores_expected "
        "FROM judges j CROSS JOIN n LEFT JOIN entered en ON en.judge_id = j.judge_id "
        "LEFT JOIN assignments a ON a.judge_id = j.judge_id AND a.competition_id = ? AND a.stage = ? "
        "LEFT JOIN judging_forms f ON f.entrant_id = a.entrant_id AND f.stage = a.stage AND f.judge_id = a.judge_id "
        "WHERE (j.home_desa_code IS NULL OR starts_with(j.home_desa_code, (SELECT scope_code FROM competitions "
        "WHERE competition_id = ?)) OR EXISTS (SELECT 1 FROM assignments x WHERE x.judge_id = j.judge_id "
        "AND x.competition_id = ?)) "
        "GROUP BY j.judge_id, j.name, j.institution ORDER BY assigned DESC, j.judge_id",
        params=[competition_id, competition_id, stage, competition_id, stage, competition_id, competition_id]).pl()


def assigned_competitions(con: Con, user: User) -> list[str]:
    """The competitions a juri is assigned to (any stage): the ones their Penilaian page offers."""
    if user.role != "juri" or not user.judge_id:
        return []
    return [r[0] for r in con.sql("SELECT DISTINCT competition_id FROM assignments WHERE judge_id = ? ORDER BY 1",
                                  params=[user.judge_id]).fetchall()]
