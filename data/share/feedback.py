"""Feedback per criterion to each entrant after the results are final: the panitia releases to every entrant
its own criterion scores with the judges' notes (the judges as "Juri 1, 2, …", never by name), as a PDF and on a
link the entrant opens without an account.

A link carries an unguessable token (`secrets.token_urlsafe`, 192 bits) and the entrant it was made for; the store
keeps only the token's SHA-256 (table `feedback_links`, migration 018), so the links are shown once when released
(as with temporary passwords) and a lost one is revoked and released again. A link opens only its own entrant's
feedback, and nothing once revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import duckdb
import polars as pl

from data import store
from data.judging import audit
from data.judging.auth import PermissionDenied, User, require_role
from data.store import reads
from present.errors import BadInput

Con = duckdb.DuckDBPyConnection

# What an entrant reads of a score: no judge_id, no judge name, no evidence paths of other entrants.
FEEDBACK_COLUMNS = ("stage", "section_id", "criterion_id", "criterion_text", "judge", "option_code", "option_text",
                    "real_value", "points", "note")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def release(con: Con, user: User, competition_id: str) -> pl.DataFrame:
    """Make a link for every entrant of a final contest that has none open; returns entrant_id, posyandu_name,
    desa_name and token of the links made now (the only time the tokens are seen). Audited."""
    from data.judging.publication import is_final

    require_role(user, ["panitia"])
    if reads.competition(con, competition_id) is None:
        raise BadInput("error_share_feedback_unknown")
    if not is_final(con, competition_id):
        raise BadInput("error_share_feedback_not_final")
    if con.sql("SELECT 1 FROM imported_rounds WHERE competition_id = ?", params=[competition_id]).fetchone():
        raise BadInput("error_share_feedback_imported")
    entrants = con.sql(
        "SELECT e.entrant_id, p.name AS posyandu_name, r.name AS desa_name FROM entrants e "
        "JOIN posyandu p ON p.posyandu_id = e.posyandu_id LEFT JOIN regions r ON r.code = p.desa_code "
        "WHERE e.competition_id = ? AND e.entrant_id NOT IN (SELECT entrant_id FROM feedback_links "
        "WHERE competition_id = ? AND revoked_at IS NULL) ORDER BY p.name, e.entrant_id",
        params=[competition_id, competition_id]).pl()
    tokens = [secrets.token_urlsafe(24) for _ in range(entrants.height)]
    now = dt.datetime.now()

    def write() -> None:
        with store.transaction(con):
            for eid, token in zip(entrants["entrant_id"], tokens, strict=True):
                con.execute("INSERT INTO feedback_links VALUES (?, ?, ?, ?, ?, NULL, NULL)",
                            [_digest(token), competition_id, eid, user.username, now])
            audit.record(con, user.username, "feedback_release", "competition", competition_id, None,
                         {"links": entrants.height}, None, source="setup")
    if entrants.height:
        store.with_retry(write)
    return entrants.with_columns(pl.Series("token", tokens, dtype=pl.String))


def revoke(con: Con, user: User, competition_id: str, entrant_id: str) -> int:
    """Close the open link(s) of one entrant; returns how many were closed. Audited."""
    require_role(user, ["panitia"])
    now = dt.datetime.now()
    closed = 0

    def write() -> None:
        nonlocal closed
        with store.transaction(con):
            closed = con.sql("UPDATE feedback_links SET revoked_at = ?, revoked_by = ? WHERE competition_id = ? "
                             "AND entrant_id = ? AND revoked_at IS NULL RETURNING 1",
                             params=[now, user.username, competition_id, entrant_id]).pl().height
            if closed:
                audit.record(con, user.username, "feedback_revoke", "competition", f"{competition_id}/{entrant_id}",
                             None, {"links": closed}, None, source="setup", entrant_id=entrant_id)
    store.with_retry(write)
    return closed


def links(con: Con, competition_id: str) -> pl.DataFrame:
    """Every entrant of the contest with its newest link: entrant_id, posyandu_name, desa_name, released_at,
    revoked_at, open (a link that works now)."""
    return con.sql(
        "SELECT e.entrant_id, p.name AS posyandu_name, r.name AS desa_name, f.released_at, f.revoked_at, "
        "coalesce(f.released_at IS NOT NULL AND f.revoked_at IS NULL, false) AS open FROM entrants e "
        "JOIN posyandu p ON p.posyandu_id = e.posyandu_id LEFT JOIN regions r ON r.code = p.desa_code "
        "LEFT JOIN (SELECT * FROM feedback_links WHERE competition_id = ? "
        "           QUALIFY row_number() OVER (PARTITION BY entrant_id ORDER BY released_at DESC, "
        "                                      revoked_at IS NULL DESC) = 1) f ON f.entrant_id = e.entrant_id "
        "WHERE e.competition_id = ? ORDER BY p.name, e.entrant_id",
        params=[competition_id, competition_id]).pl()


def open_link(con: Con, entrant_id: str, token: str) -> str:
    """The competition of a working link for `entrant_id`; PermissionDenied for an unknown or revoked token, or
    a token made for another entrant (the same refusal, so a guess learns nothing)."""
    row = con.sql("SELECT competition_id, entrant_id, revoked_at FROM feedback_links WHERE token_sha256 = ?",
                  params=[_digest(token or "")]).fetchone()
    if row is None or row[1] != entrant_id or row[2] is not None:
        raise PermissionDenied("error_share_feedback_refused")
    return str(row[0])


def feedback_rows(con: Con, entrant_id: str) -> pl.DataFrame:
    """The entrant's own criterion scores with the judges' notes, judges numbered per stage in a fixed order
    ("Juri 1", "Juri 2"): FEEDBACK_COLUMNS, in stage, section and instrument order."""
    frozen = _frozen_feedback(con, entrant_id)
    details = reads.score_details(con, entrant_id) if frozen is None else frozen[0]
    if details.height == 0:
        return pl.DataFrame(schema={c: pl.String for c in FEEDBACK_COLUMNS})
    if frozen is not None:
        order, stages = frozen[1], frozen[2]
    else:
        # instrument order (sections, then criteria) and stage order, not the ids' alphabetical order
        order = con.sql(
            "SELECT c.section_id, c.criterion_id, s.ord AS _sord, c.ord AS _cord FROM entrants e "
            "JOIN competitions k USING (competition_id) "
            "JOIN instrument_criteria c ON c.instrument_id = k.instrument_id "
            "JOIN instrument_sections s ON s.instrument_id = c.instrument_id AND s.section_id = c.section_id "
            "WHERE e.entrant_id = ?", params=[entrant_id]).pl()
        stages = con.sql("SELECT st.stage, st.ord AS _stord FROM entrants e JOIN competition_stages st "
                         "USING (competition_id) WHERE e.entrant_id = ?", params=[entrant_id]).pl()
    numbered = (details.join(order, on=["section_id", "criterion_id"], how="left")
                .join(stages, on="stage", how="left")
                .sort(["_stord", "_sord", "_cord", "judge_id"], nulls_last=True)
                .with_columns(pl.col("judge_id").rank("dense").over("stage").cast(pl.Int32).alias("_n")))
    return numbered.select(
        "stage", "section_id", "criterion_id", "criterion_text",
        pl.format("Juri {}", pl.col("_n")).alias("judge"), "option_code", "option_text", "real_value",
        pl.col("option_points").alias("points"), "note")


def _frozen_feedback(con: Con, entrant_id: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """For an entrant of a final contest: its judges' choices, the criterion order and the stage order as frozen
    with the published snapshot (`data.judging.frozen`); None while the contest is not final."""
    from data.judging.publication import final_frame, final_instrument, is_final
    from scoring.instrument import criteria_frame, sections_frame

    row = con.sql("SELECT competition_id FROM entrants WHERE entrant_id = ?", params=[entrant_id]).fetchone()
    if row is None or not is_final(con, row[0]):
        return None
    choices, stages = final_frame(con, row[0], None, "choices"), final_frame(con, row[0], None, "stages")
    instrument = final_instrument(con, row[0], None)
    if choices is None or stages is None or instrument is None:
        return None
    order = criteria_frame(instrument).select("section_id", "criterion_id", pl.col("ord").alias("_cord")).join(
        sections_frame(instrument).select("section_id", pl.col("ord").alias("_sord")), on="section_id")
    return (choices.filter(pl.col("entrant_id") == entrant_id).drop("entrant_id"),
            order.select("section_id", "criterion_id", "_sord", "_cord"),
            stages.select("stage", pl.col("ord").alias("_stord")))
