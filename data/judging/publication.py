"""Publication: freezing a stage's results as a snapshot, reopening it with a trace, and what the public sees.

Split from `data/judging.py` (scoring forms and assignments): publication reads results through the engine and
writes snapshots, while judging writes scores. The same permission and audit rules apply.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from data import store
from data.access import Contest, in_region_expr, public_columns
from data.judging import frozen
from data.judging.auth import User, require_role
from data.judging.forms import COMBINED, Con, _audit, _now
from present.errors import BadInput
from scoring.instrument import Instrument
from scoring.protests import protest_deadline


def _public_columns(df: pl.DataFrame) -> pl.DataFrame:
    """A snapshot carries no personal data (data.access) and no address (the snapshot is the announcement)."""
    return public_columns(df).select(pl.exclude("address"))


def compute_results(con: Con, competition_id: str, stage: str | None) -> tuple[pl.DataFrame, str]:
    """The engine's results table for a competition (one stage, or all combined when None), and the engine
    version, from `data.results.competition_results`: the same function the result pages and exports call."""
    from data.results import competition_results

    out = competition_results(con, competition_id, stage)
    return out.table, out.engine_version


@dataclass(frozen=True)
class Prepared:
    """A result about to be published: the league table, the engine version, and the detail frozen with it
    (`data.judging.frozen`), computed before the write's transaction opens."""

    table: pl.DataFrame
    version: str
    frames: dict[str, pl.DataFrame]


def prepare(con: Con, competition_id: str, stage: str | None) -> Prepared:
    """The results of a stage (None: combined) and the frames a snapshot of them freezes."""
    from data.results import competition_results
    from data.store.reads import competition_inputs

    inputs = competition_inputs(con, competition_id, coded=True)
    out = competition_results(con, competition_id, stage, inputs=inputs)
    table = _public_columns(out.table)
    names = frozen.eager_names(table.height)
    return Prepared(out.table, out.engine_version,
                    frozen.compute_frames(con, competition_id, stage, out, inputs, table, names))


def _snapshot(con: Con, user: User, competition_id: str, stage: str, prepared: Prepared,
              now: dt.datetime, reason: str | None = None) -> int:
    table = _public_columns(prepared.table)
    version = prepared.version
    payload = json.dumps(table.to_dicts(), default=str, ensure_ascii=False)
    sid = store.scalar(con, "INSERT INTO result_snapshots (competition_id, stage, engine_version, finalized_at, "
                       "finalized_by, results_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING snapshot_id",
                       params=[competition_id, stage, version, now, user.username, payload])
    frames = frozen.write_frames(con, int(sid), competition_id, stage, prepared.frames, version, user.username)
    _audit(con, user.username, "finalise", "stage", f"{competition_id}/{stage}", None,
           {"snapshot_id": sid, "rows": table.height, "engine_version": version, "frames": frames}, reason)
    return int(sid)


def finalise_stage(con: Con, user: User, competition_id: str, stage: str) -> int:
    """Freeze a stage's results as a snapshot and mark the stage final; returns the snapshot id.

    When this makes every stage final, the combined (stage-weighted) results are frozen too, as stage
    COMBINED, which is what `published_results` shows by default.
    """
    require_role(user, ["panitia"])
    prepared = prepare(con, competition_id, stage)
    stages = con.sql("SELECT stage, finalized_at FROM competition_stages WHERE competition_id = ?",
                     params=[competition_id]).fetchall()
    if stage not in {s for s, _ in stages}:
        raise BadInput("error_judging_unknown_stage", competition=competition_id, stage=stage)
    all_final = all(f is not None or s == stage for s, f in stages)
    combined = prepare(con, competition_id, None) if all_final else None

    days = protest_days(con, competition_id)

    def write() -> int:
        with store.transaction(con):
            now = _now()
            sid = _snapshot(con, user, competition_id, stage, prepared, now)
            con.execute("UPDATE competition_stages SET finalized_at = ? WHERE competition_id = ? AND stage = ?",
                        [now, competition_id, stage])
            deadline = protest_deadline(now, days)
            con.execute("INSERT INTO stage_results (competition_id, stage, provisional_at, protest_deadline) "
                        "VALUES (?, ?, ?, ?) ON CONFLICT (competition_id, stage) DO UPDATE SET provisional_at = "
                        "excluded.provisional_at, protest_deadline = excluded.protest_deadline, "
                        "declared_final_at = NULL, declared_final_by = NULL",
                        [competition_id, stage, now, deadline])
            _audit(con, user.username, "provisional", "stage", f"{competition_id}/{stage}", None,
                   {"protest_deadline": deadline.isoformat(timespec="seconds")}, None)
            if combined is not None:
                _snapshot(con, user, competition_id, COMBINED, combined, now)
            store.touch(con, competition_id)
            return sid
    return store.with_retry(write)


def protest_days(con: Con, competition_id: str) -> int:
    """The length of the sanggahan window of a competition in days (default 3)."""
    row = con.sql("SELECT protest_days FROM contest_rules WHERE competition_id = ?",
                  params=[competition_id]).fetchone()
    return int(row[0]) if row else 3


def refresh_snapshots(con: Con, user: User, competition_id: str, stage: str) -> int:
    """Inside the caller's transaction: freeze a finalised stage's results again (after re-scoring upheld by a
    protest), and the combined results when every stage is finalised; the stage keeps its status."""
    now = _now()
    sid = _snapshot(con, user, competition_id, stage, prepare(con, competition_id, stage), now)
    open_stages = store.scalar(
        con, "SELECT count(*) FROM competition_stages WHERE competition_id = ? AND finalized_at IS NULL",
        params=[competition_id])
    if open_stages == 0:
        _snapshot(con, user, competition_id, COMBINED, prepare(con, competition_id, None), now)
    return sid


def is_final(con: Con, competition_id: str, stage: str | None = None) -> bool:
    """Whether results are final (public): the stage (default: every stage of the competition) is finalised and,
    when it went through a protest window, declared final by the panitia. A finalised stage with no
    provisional record (the demo, or a store older than migration 007) counts as final."""
    row = store.one(
        con, "SELECT count(*), count(*) FILTER (WHERE cs.finalized_at IS NOT NULL AND (sr.stage IS NULL OR "
        "sr.declared_final_at IS NOT NULL)) FROM competition_stages cs LEFT JOIN stage_results sr "
        "USING (competition_id, stage) WHERE cs.competition_id = ? AND (? IS NULL OR cs.stage = ?)",
        params=[competition_id, stage, stage])
    return bool(row[0]) and row[0] == row[1]


def result_status(con: Con, competition_id: str) -> pl.DataFrame:
    """Per stage: status (open, provisional, final), when finalised, the protest deadline, when declared final,
    and the protests still open or being re-scored."""
    return con.sql(
        "SELECT cs.stage, cs.ord, cs.finalized_at, sr.protest_deadline, sr.declared_final_at, "
        "  CASE WHEN cs.finalized_at IS NULL THEN 'open' WHEN sr.stage IS NULL OR sr.declared_final_at IS NOT NULL "
        "       THEN 'final' ELSE 'provisional' END AS status, "
        "  (SELECT count(*) FROM protests p WHERE p.competition_id = cs.competition_id AND p.stage = cs.stage "
        "     AND p.status IN ('open', 'upheld')) AS unsettled "
        "FROM competition_stages cs LEFT JOIN stage_results sr USING (competition_id, stage) "
        "WHERE cs.competition_id = ? ORDER BY cs.ord", params=[competition_id]).pl()


def reopen_rows(con: Con, user: User, competition_id: str, stage: str, reason: str) -> None:
    """Inside the caller's transaction: unfreeze a finalised stage so scores can change again (the published
    snapshot stays until re-finalised), audited with the reason. The door a page uses is
    `data.judging.contest_life.advancement.reopen_stage`, which also withdraws what advanced from the stage."""
    con.execute("UPDATE competition_stages SET finalized_at = NULL WHERE competition_id = ? AND stage = ?",
                [competition_id, stage])
    con.execute("DELETE FROM stage_results WHERE competition_id = ? AND stage = ?", [competition_id, stage])
    _audit(con, user.username, "reopen", "stage", f"{competition_id}/{stage}", "final", "open", reason.strip())
    store.touch(con, competition_id)


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
    return _typed(_public_columns(pl.DataFrame(rows, infer_schema_length=None))) if rows else pl.DataFrame()


# The engine's league-table types, which a JSON round trip loses (ranks come back Int64, a column of nulls as
# Null): a page reading the snapshot must get the same frame as one reading live results.
_INT_COLUMNS = ("rank", "rank_final")
_BOOL_COLUMNS = ("advances",)
_FLOAT_PREFIXES = ("total", "sec_", "completeness_pct")


def _typed(df: pl.DataFrame) -> pl.DataFrame:
    def kind(c: str) -> pl.DataType:
        if c in _INT_COLUMNS:
            return pl.Int32()
        if c in _BOOL_COLUMNS:
            return pl.Boolean()
        if c.startswith(_FLOAT_PREFIXES):
            return pl.Float64()
        return pl.String() if df.schema[c] == pl.Null else df.schema[c]
    return df.cast({c: kind(c) for c in df.columns})


def read_contests(con: Con, competition_ids: Sequence[str] | None = None) -> dict[str, Contest]:
    """What `data.access` needs to decide about competitions: scope, which stages are final, which results were
    published. Every competition, or those in `competition_ids`."""
    ids = None if competition_ids is None else list(competition_ids)
    comps = con.sql("SELECT competition_id, scope_code FROM competitions WHERE ? IS NULL OR "
                    "list_contains(?, competition_id)", params=[ids, ids]).fetchall()
    final: dict[str, dict[str, bool]] = {c: {} for c, _ in comps}
    # final as in `is_final`: finalised and, when it went through a protest window, declared final
    for cid, stage, is_final in con.sql(
            "SELECT cs.competition_id, cs.stage, cs.finalized_at IS NOT NULL AND (sr.stage IS NULL OR "
            "sr.declared_final_at IS NOT NULL) FROM competition_stages cs LEFT JOIN stage_results sr "
            "USING (competition_id, stage) WHERE ? IS NULL OR list_contains(?, cs.competition_id) "
            "ORDER BY cs.competition_id, cs.ord", params=[ids, ids]).fetchall():
        final.setdefault(cid, {})[stage] = bool(is_final)
    snaps: dict[str, set[str | None]] = {}
    for cid, stage in con.sql("SELECT DISTINCT competition_id, stage FROM result_snapshots "
                              "WHERE ? IS NULL OR list_contains(?, competition_id)", params=[ids, ids]).fetchall():
        snaps.setdefault(cid, set()).add(None if stage == COMBINED else stage)
    return {cid: Contest(cid, scope, final.get(cid, {}), frozenset(snaps.get(cid, set()))) for cid, scope in comps}


def read_contest(con: Con, competition_id: str) -> Contest | None:
    """`read_contests` for one competition (None when it does not exist)."""
    return read_contests(con, [competition_id]).get(competition_id)


def official_results(con: Con, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The published snapshot of exactly `stage` (None: all stages combined), typed like the engine's table;
    an empty frame when that stage was never frozen."""
    return published_results(con, competition_id, COMBINED if stage is None else stage)


# Who froze a final stage that was finalised outside `finalise_stage` (the demo, an older store), on its first read.
SYSTEM = User(username="sistem", role="panitia", display_name="Sistem")
FROZEN_ON_READ = "final_without_snapshot_frozen_on_first_read"


def final_results(con: Con, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """The one source of a final result for every public view and document: the published snapshot of `stage`
    (None: all stages combined), typed like the engine's table. Empty when the stage is not final.

    A final stage always has one: `finalise_stage` writes it, and a stage finalised outside it (the demo's
    contests, a store older than the snapshots) is frozen here on its first read, audited as SYSTEM, so no view
    ever computes a final result from live scores and every later read, after a rename or any later edit, shows
    the same figures."""
    if not is_final(con, competition_id, stage):
        return pl.DataFrame()
    key = COMBINED if stage is None else stage
    if not _has_snapshot(con, competition_id, key):
        _freeze_now(con, competition_id, stage)
    return published_results(con, competition_id, key)


def _has_snapshot(con: Con, competition_id: str, key: str) -> bool:
    return bool(store.scalar(con, "SELECT count(*) FROM result_snapshots WHERE competition_id = ? AND stage = ?",
                             params=[competition_id, key]))


def _freeze_now(con: Con, competition_id: str, stage: str | None) -> None:
    key = COMBINED if stage is None else stage
    prepared = prepare(con, competition_id, stage)

    def write() -> None:
        with store.transaction(con):
            if _has_snapshot(con, competition_id, key):   # another session froze it meanwhile
                return
            _snapshot(con, SYSTEM, competition_id, key, prepared, _now(), reason=FROZEN_ON_READ)
            store.touch(con, competition_id)
    store.with_retry(write)


def freeze_finalised(con: Con, user: User, competition_ids: Sequence[str]) -> list[str]:
    """Publish the combined results of competitions whose stages are all final but were never frozen here
    (e.g. a demo or an import that set `finalized_at` directly); returns the competitions frozen now."""
    require_role(user, ["panitia"])
    frozen = []
    for cid in competition_ids:
        open_stages, snaps = store.one(
            con, "SELECT (SELECT count(*) FROM competition_stages WHERE competition_id = ? AND finalized_at IS NULL), "
            "(SELECT count(*) FROM result_snapshots WHERE competition_id = ? AND stage = ?)",
            params=[cid, cid, COMBINED])
        if open_stages or snaps:
            continue
        prepared = prepare(con, cid, None)

        def write(cid: str = cid, prepared: Prepared = prepared) -> int:
            with store.transaction(con):
                store.touch(con, cid)
                return _snapshot(con, user, cid, COMBINED, prepared, _now())
        store.with_retry(write)
        frozen.append(cid)
    return frozen


def regional_results(con: Con, user: User, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """Live (not yet frozen) results for those who may follow the judging: panitia see every entrant, a
    pembina only the entrants in their region; personal data removed. Juri and publik are refused (the
    public reads `published_results`)."""
    require_role(user, ["panitia", "pembina"])
    table = _public_columns(compute_results(con, competition_id, stage)[0])
    if user.role == "pembina":
        table = table.filter(in_region_expr("desa_code", user.region_code or "\x00"))
    return table


def final_frame(con: Con, competition_id: str, stage: str | None, name: str) -> pl.DataFrame | None:
    """Frame `name` (`data.judging.frozen.FRAMES`) of the final result of `stage` (None: combined), as frozen
    with its snapshot; None when the stage is not final (the caller shows live results to those who may follow
    the judging). A final stage's frame not stored yet (a snapshot older than migration 013, or the bootstrap of a
    large contest) is frozen now, with the snapshot's other missing frames, audited as SYSTEM."""
    if name not in frozen.FRAMES:
        raise KeyError(name)
    if not is_final(con, competition_id, stage):
        return None
    final_results(con, competition_id, stage)          # the snapshot itself, frozen on first read if need be
    sid = frozen.latest_snapshot(con, competition_id, stage)
    if sid is None:
        return None
    got = frozen.stored_frame(con, sid, name)
    if got is not None:
        return got
    from data.results import competition_results
    from data.store.reads import competition_inputs

    key = COMBINED if stage is None else stage
    have = {r[0] for r in con.sql("SELECT frame FROM snapshot_frames WHERE snapshot_id = ?",
                                  params=[sid]).fetchall()}
    table = published_results(con, competition_id, key)
    missing = tuple(n for n in frozen.eager_names(table.height) if n not in have)
    wanted = missing if name in missing else (name,)
    inputs = competition_inputs(con, competition_id, coded=True)
    results = competition_results(con, competition_id, stage, inputs=inputs)
    frames = frozen.compute_frames(con, competition_id, stage, results, inputs, table, wanted)

    def write() -> None:
        with store.transaction(con):
            frozen.write_frames(con, sid, competition_id, key, frames, results.engine_version, SYSTEM.username,
                                frozen.FROZEN_ON_READ)
    store.with_retry(write)
    return frozen.stored_frame(con, sid, name)


def final_instrument(con: Con, competition_id: str, stage: str | None) -> Instrument | None:
    """The instrument a final stage was scored with, as frozen (None when the stage is not final)."""
    frame = final_frame(con, competition_id, stage, "instrument")
    return None if frame is None else frozen.instrument_from_json(frame["instrument_json"][0])
