"""Final results and advancement: declaring a provisional stage final (after its protest deadline, with no
protest open or being re-scored), and the winners of a final competition entering the parent contest one level
up, each linked back to where it came from; what arrived in a contest and where an entrant came from."""

from __future__ import annotations

import datetime as dt

import polars as pl

from data import store
from data.judging import publication
from data.judging.auth import PermissionDenied, User, require_role
from data.judging.contest_life.protests import stage_result
from data.judging.forms import COMBINED, Con, _audit, _now
from present.errors import BadInput
from scoring.protests import final_blockers


def declare_final(con: Con, user: User, competition_id: str, stage: str, now: dt.datetime | None = None) -> list[str]:
    """Declare a provisional stage final (after its protest deadline, with no protest open or being re-scored).
    When every stage is then final, the competition is final and its winners advance to the parent contest.
    Returns the entrant ids created one level up (empty when none advanced yet)."""
    require_role(user, ["panitia"])
    row = stage_result(con, competition_id, stage)
    if row is None or row[2] is not None:
        raise PermissionDenied("life_not_provisional", stage=stage)
    states = [r[0] for r in con.sql("SELECT status FROM protests WHERE competition_id = ? AND stage = ?",
                                    params=[competition_id, stage]).fetchall()]
    blockers = final_blockers(now or _now(), row[1], states)
    if blockers:
        raise PermissionDenied(blockers[0], stage=stage,
                               deadline=row[1])

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


def advanced_from(con: Con, competition_id: str) -> pl.DataFrame:
    """The entrants of this competition that advanced one level up: posyandu, the entry there, the parent
    contest, and how many scores the parent's judges have entered for it."""
    return con.sql(
        "SELECT a.source_entrant_id, a.target_entrant_id, a.target_competition_id, ct.name AS target_name, "
        "  p.name AS posyandu_name, e.posyandu_id, "
        "  (SELECT count(*) FROM scores s WHERE s.competition_id = a.target_competition_id "
        "     AND s.entrant_id = a.target_entrant_id) AS parent_scores "
        "FROM advancements a JOIN entrants e ON e.entrant_id = a.source_entrant_id JOIN posyandu p USING (posyandu_id) "
        "LEFT JOIN competitions ct ON ct.competition_id = a.target_competition_id "
        "WHERE a.source_competition_id = ? ORDER BY p.name", params=[competition_id]).pl()


def reopen_stage(con: Con, user: User, competition_id: str, stage: str, reason: str) -> list[str]:
    """Reopen a finalised stage so its scores can change again, and withdraw from the parent contest the
    winners that advanced from these results; returns the withdrawn posyandu names.

    Why withdraw: a committee reopens a stage to correct its results, and who advances is decided by those
    results; an entry that stayed one level up would be a winner of results that no longer stand, and the
    parent's panitia would go on judging it. So the entries created for them up there are removed with their
    assignments and open forms (an entry the parent had registered itself only loses its link), each removal
    audited with the reason, and the winners advance again when the corrected results are declared final.

    Why refuse instead when the parent's judges have already scored one of them: their work would be thrown
    away, and results that are final and already being judged one level up are settled; the refusal names the
    posyandu and the parent contest. Only the panitia may reopen, with a reason."""
    require_role(user, ["panitia"])
    if not reason or not reason.strip():
        raise PermissionDenied("judging_reason_required")
    row = con.sql("SELECT finalized_at FROM competition_stages WHERE competition_id = ? AND stage = ?",
                  params=[competition_id, stage]).fetchone()
    if row is None:
        raise BadInput("error_judging_unknown_stage", competition=competition_id, stage=stage)
    if row[0] is None:
        raise PermissionDenied("contest_reopen_not_finalised", stage=stage)
    out = advanced_from(con, competition_id)
    scored = out.filter(pl.col("parent_scores") > 0)
    if scored.height:
        raise PermissionDenied("contest_reopen_parent_scored", posyandu=", ".join(scored["posyandu_name"]),
                               parent=scored["target_name"][0] or scored["target_competition_id"][0], stage=stage)
    why = reason.strip()

    def write() -> list[str]:
        with store.transaction(con):
            for r in out.iter_rows(named=True):
                src, target, parent = r["source_entrant_id"], r["target_entrant_id"], r["target_competition_id"]
                created = target == f"{parent}:{r['posyandu_id']}"
                for judge_id, stg in con.sql("DELETE FROM assignments WHERE competition_id = ? AND entrant_id = ? "
                                            "RETURNING judge_id, stage", params=[parent, target]).fetchall():
                    _audit(con, user.username, "unassign", "assignment", f"{parent}/{stg}/{target}/{judge_id}",
                           judge_id, None, why)
                con.execute("DELETE FROM judging_forms WHERE competition_id = ? AND entrant_id = ?", [parent, target])
                con.execute("DELETE FROM finalists WHERE competition_id = ? AND entrant_id = ?", [parent, target])
                if created:
                    con.execute("DELETE FROM entrants WHERE entrant_id = ?", [target])
                else:
                    con.execute("UPDATE entrants SET source_entrant_id = NULL WHERE entrant_id = ?", [target])
                con.execute("DELETE FROM advancements WHERE source_entrant_id = ?", [src])
                con.execute("UPDATE entrants SET advanced = FALSE WHERE entrant_id = ?", [src])
                _audit(con, user.username, "withdraw_advanced", "entrant", f"{competition_id}/{src}",
                       {"to": parent, "entrant_id": target}, None, why)
                store.touch(con, parent)
            con.execute("UPDATE competitions SET status = 'open' WHERE competition_id = ? AND status = 'final'",
                        [competition_id])
            publication.reopen_rows(con, user, competition_id, stage, why)
        return out["posyandu_name"].to_list()
    return store.with_retry(write)
