"""Reads from the store into Polars frames of the declared schemas; the only place pages get data from.

Each function takes a connection (or cursor) and returns frames; none writes. Values are parameters.
"""

from __future__ import annotations

import duckdb
import polars as pl

from data.store.con import fetch_frame
from scoring.frames import ASSIGNMENTS_SCHEMA, ENTRANTS_SCHEMA, JUDGES_SCHEMA, SCORES_SCHEMA, STAGES_SCHEMA

Con = duckdb.DuckDBPyConnection


def _frame(con: Con, sql: str, params: list | None, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Run a query and cast to the declared schema (an empty result still has the right columns)."""
    df = fetch_frame(con, sql, params or [])
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    return df.select([pl.col(c).cast(t) for c, t in schema.items()])


# Every competition with the name of the region it covers, newest and highest level first.
_COMPETITIONS_SQL = """
        SELECT c.competition_id, c.name, c.year, c.level, c.scope_code, r.name AS scope_name, c.category,
               c.instrument_id, c.aggregation, c.advance_count, c.parent_competition_id, c.status,
               c.tie_breaks, c.strata_thresholds, c.trim_share, c.n_awards, c.total_decimals,
               (SELECT count(*) FROM entrants e WHERE e.competition_id = c.competition_id) AS n_entrants,
               -- final: there is a stage, every stage is finalised, and none is provisional (protest window)
               EXISTS (SELECT 1 FROM competition_stages s WHERE s.competition_id = c.competition_id)
               AND NOT EXISTS (SELECT 1 FROM competition_stages s WHERE s.competition_id = c.competition_id
                               AND s.finalized_at IS NULL)
               AND NOT EXISTS (SELECT 1 FROM stage_results sr WHERE sr.competition_id = c.competition_id
                               AND sr.declared_final_at IS NULL) AS all_final
        FROM competitions c LEFT JOIN regions r ON r.code = c.scope_code
        WHERE {where}
        ORDER BY c.year DESC,
                 list_position(['nasional','provinsi','kabupaten','kecamatan','desa'], c.level),
                 c.scope_code, c.category
"""


def list_competitions(con: Con) -> pl.DataFrame:
    """Every competition with the name of the region it covers, newest and highest level first."""
    return con.sql(_COMPETITIONS_SQL.format(where="TRUE")).pl()


def competition(con: Con, competition_id: str) -> dict | None:
    """One competition as a dict, or None when it does not exist."""
    # filtered in the query itself, so the per-competition counts run for this competition only
    df = fetch_frame(con, _COMPETITIONS_SQL.format(where="c.competition_id = ?"), [competition_id])
    return df.row(0, named=True) if df.height else None


def stages_frame(con: Con, competition_id: str) -> pl.DataFrame:
    return _frame(
        con,
        "SELECT stage, ord, weight FROM competition_stages WHERE competition_id = ? ORDER BY ord",
        [competition_id],
        STAGES_SCHEMA,
    )


def stage_dates(con: Con, competition_id: str) -> pl.DataFrame:
    """Stages with their dates and whether they were finalised."""
    return con.sql(
        "SELECT stage, ord, weight, start_date, end_date, finalized_at FROM competition_stages "
        "WHERE competition_id = ? ORDER BY ord",
        params=[competition_id],
    ).pl()


def entrants_frame(con: Con, competition_id: str) -> pl.DataFrame:
    """Entrants with the region names ranks and filters group by."""
    return _frame(
        con,
        """
        SELECT e.entrant_id, p.posyandu_id, p.name AS posyandu_name, p.desa_code, d.name AS desa_name,
               k.code AS kecamatan_code, k.name AS kecamatan_name, b.code AS kabupaten_code,
               b.name AS kabupaten_name, CASE WHEN d.kind = 'kelurahan' THEN 'kelurahan' ELSE 'desa' END AS desa_kind,
               c.category
        FROM entrants e
        JOIN competitions c ON c.competition_id = e.competition_id
        JOIN posyandu p ON p.posyandu_id = e.posyandu_id
        LEFT JOIN regions d ON d.code = p.desa_code
        LEFT JOIN regions k ON k.code = substr(p.desa_code, 1, 8)
        LEFT JOIN regions b ON b.code = substr(p.desa_code, 1, 5)
        WHERE e.competition_id = ?
        ORDER BY e.entrant_id
        """,
        [competition_id],
        ENTRANTS_SCHEMA,
    )


def scores_frame(con: Con, competition_id: str) -> pl.DataFrame:
    """Every raw choice of every judge in the competition."""
    return _frame(
        con,
        "SELECT entrant_id, stage, judge_id, criterion_id, option_code, real_value FROM scores "
        "WHERE competition_id = ?",
        [competition_id],
        SCORES_SCHEMA,
    )


def assignments_frame(con: Con, competition_id: str) -> pl.DataFrame:
    return _frame(
        con,
        "SELECT stage, judge_id, entrant_id FROM assignments WHERE competition_id = ?",
        [competition_id],
        ASSIGNMENTS_SCHEMA,
    )


def judges_frame(con: Con, competition_id: str | None = None) -> pl.DataFrame:
    """Judges of a competition (those assigned or who scored), or all judges."""
    if competition_id is None:
        return _frame(con, "SELECT judge_id, name, institution FROM judges ORDER BY name", None, JUDGES_SCHEMA)
    return _frame(
        con,
        """
        SELECT j.judge_id, j.name, j.institution FROM judges j
        WHERE j.judge_id IN (SELECT judge_id FROM assignments WHERE competition_id = ?
                             UNION SELECT judge_id FROM scores WHERE competition_id = ?)
        ORDER BY j.name
        """,
        [competition_id, competition_id],
        JUDGES_SCHEMA,
    )


def competition_inputs(con: Con, competition_id: str, coded: bool = False,
                       comp: dict | None = None):  # -> scoring.engine.CompetitionInputs
    """Everything the scoring engine needs for one competition, read in one place.

    `coded`: the scores as the store keeps them (`score_rows.coded_scores`: integer codes and their labels), the
    engine's fast read; otherwise a frame of SCORES_SCHEMA, which every other caller joins with string keys.
    """
    from data.instruments.persistence import read_instrument
    from data.store.score_rows import coded_scores
    from scoring.engine import CompetitionInputs

    comp = comp if comp is not None else competition(con, competition_id)
    if comp is None:
        raise KeyError(competition_id)
    return CompetitionInputs(
        instrument=read_instrument(con, comp["instrument_id"]),
        scores=coded_scores(con, competition_id) if coded else scores_frame(con, competition_id),
        entrants=entrants_frame(con, competition_id),
        stages=stages_frame(con, competition_id),
        assignments=assignments_frame(con, competition_id),
    )


def posyandu_profiles(con: Con) -> pl.DataFrame:
    """Every posyandu with its region names, profile and total kader, for maps, peers and filters. A posyandu
    whose own coordinates were never given is placed at its desa's point (`at_desa_point`), so a committee's
    imported list is on the map from the first day; the map says how many are placed so."""
    return con.sql(
        """
        SELECT p.posyandu_id, p.reg_number, p.name, p.desa_code, d.name AS desa_name,
               CASE WHEN d.kind = 'kelurahan' THEN 'kelurahan' ELSE 'desa' END AS desa_kind,
               substr(p.desa_code, 1, 8) AS kecamatan_code, k.name AS kecamatan_name,
               substr(p.desa_code, 1, 5) AS kabupaten_code, b.name AS kabupaten_name,
               substr(p.desa_code, 1, 2) AS provinsi_code, v.name AS provinsi_name,
               coalesce(p.lat, d.lat) AS lat, coalesce(p.lon, d.lon) AS lon,
               (p.lat IS NULL OR p.lon IS NULL) AND d.lat IS NOT NULL AS at_desa_point, p.pengurus_count, p.own_building, p.equipment_complete, p.opening_days_per_year,
               p.strata, p.contact_name, p.contact_phone, p.founded_year,
               coalesce((SELECT sum(kader_count) FROM posyandu_kader pk WHERE pk.posyandu_id = p.posyandu_id), 0)
                   AS kader_total
        FROM posyandu p
        LEFT JOIN regions d ON d.code = p.desa_code
        LEFT JOIN regions k ON k.code = substr(p.desa_code, 1, 8)
        LEFT JOIN regions b ON b.code = substr(p.desa_code, 1, 5)
        LEFT JOIN regions v ON v.code = substr(p.desa_code, 1, 2)
        ORDER BY p.posyandu_id
        """
    ).pl()


_SCORE_DETAILS_SQL = """
        SELECT s.entrant_id, s.stage, s.criterion_id, ic.section_id, ic.text AS criterion_text, ic.kind, ic.unit,
               s.judge_id, j.name AS judge_name, s.option_code, o.text AS option_text,
               -- a nilai-riil value earns the points of the highest threshold it reaches (0 below all), as in
               -- scoring.points.to_points; without this the profile showed NaN points for every such criterion
               CASE WHEN ic.kind = 'real' THEN
                   CASE WHEN s.real_value IS NOT NULL THEN coalesce((
                       SELECT t.points FROM instrument_thresholds t
                       WHERE t.instrument_id = c.instrument_id AND t.criterion_id = s.criterion_id
                         AND t.min_value <= s.real_value ORDER BY t.min_value DESC LIMIT 1), 0) END
               ELSE o.points END AS option_points,
               s.real_value, s.note, s.evidence, s.updated_at
        FROM scores s
        JOIN entrants e ON e.entrant_id = s.entrant_id
        JOIN competitions c ON c.competition_id = e.competition_id
        LEFT JOIN judges j ON j.judge_id = s.judge_id
        LEFT JOIN instrument_criteria ic ON ic.instrument_id = c.instrument_id AND ic.criterion_id = s.criterion_id
        LEFT JOIN instrument_options o ON o.instrument_id = c.instrument_id AND o.criterion_id = s.criterion_id
                                      AND o.option_code = s.option_code
        WHERE {where}
        ORDER BY s.entrant_id, s.stage, ic.section_id, ic.ord, s.judge_id
        """


def score_details(con: Con, entrant_id: str) -> pl.DataFrame:
    """Each judge's raw choice for one entrant with the option text, note and evidence: the audit trail of a score."""
    return con.sql(_SCORE_DETAILS_SQL.format(where="s.entrant_id = ?"), params=[entrant_id]).pl()


def competition_score_details(con: Con, competition_id: str, stage: str | None = None) -> pl.DataFrame:
    """`score_details` of every entrant of a competition (one stage, or all): what a snapshot freezes of the
    judges' choices (`data.judging.frozen`)."""
    return con.sql(_SCORE_DETAILS_SQL.format(where="e.competition_id = ? AND (? IS NULL OR s.stage = ?)"),
                   params=[competition_id, stage, stage]).pl()


def entrant_of(con: Con, competition_id: str, posyandu_id: str) -> str | None:
    row = con.sql(
        "SELECT entrant_id FROM entrants WHERE competition_id = ? AND posyandu_id = ?",
        params=[competition_id, posyandu_id],
    ).fetchone()
    return row[0] if row else None


def region_options(con: Con, scope_code: str, level: int) -> pl.DataFrame:
    """Regions of one level inside a scope that have posyandu (for the sidebar's region filter)."""
    return con.sql(
        """
        SELECT DISTINCT r.code, r.name FROM regions r
        JOIN posyandu p ON substr(p.desa_code, 1, length(r.code)) = r.code
        WHERE r.level = ? AND r.code LIKE ? || '%'
        ORDER BY r.name
        """,
        params=[level, scope_code],
    ).pl()
