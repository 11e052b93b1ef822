"""Reads the leader and delegation pages need beyond `data/reads.py`: practices, one posyandu's profile and
history, service records, judging progress, the previous year's contest and region centroids for distances.

Every function takes a connection (or cursor), returns Polars frames or plain dicts, and never writes.
"""

from __future__ import annotations

import duckdb
import polars as pl

from scoring.fields import LEVELS

Con = duckdb.DuckDBPyConnection

_POSYANDU_REGION_JOIN = """
    LEFT JOIN regions d ON d.code = p.desa_code
    LEFT JOIN regions k ON k.code = substr(p.desa_code, 1, 8)
    LEFT JOIN regions b ON b.code = substr(p.desa_code, 1, 5)
"""

PRACTICES_SCHEMA: dict[str, pl.DataType] = {
    "practice_id": pl.String(), "posyandu_id": pl.String(), "posyandu_name": pl.String(),
    "spm_field": pl.String(), "title": pl.String(), "description": pl.String(), "photo_path": pl.String(),
    "year": pl.Int64(), "desa_code": pl.String(), "desa_name": pl.String(), "kecamatan_name": pl.String(),
    "kabupaten_code": pl.String(), "kabupaten_name": pl.String(), "address": pl.String(), "lat": pl.Float64(),
    "lon": pl.Float64(), "contact_name": pl.String(), "contact_phone": pl.String(),
}


def practices(con: Con, spm_field: str | None = None, posyandu_ids: list[str] | None = None) -> pl.DataFrame:
    """Documented practices with where they are and whom to call; optionally one field or some posyandu only."""
    where: list[str] = []
    params: list[object] = []
    if spm_field is not None:
        where.append("pr.spm_field = ?")
        params.append(spm_field)
    if posyandu_ids is not None:
        where.append("list_contains(?, pr.posyandu_id)")
        params.append(posyandu_ids)
    sql = f"""
        SELECT pr.practice_id, pr.posyandu_id, p.name AS posyandu_name, pr.spm_field, pr.title, pr.description,
               pr.photo_path, pr.year, p.desa_code, d.name AS desa_name, k.name AS kecamatan_name,
               substr(p.desa_code, 1, 5) AS kabupaten_code, b.name AS kabupaten_name, p.address, p.lat, p.lon,
               p.contact_name, p.contact_phone
        FROM practices pr JOIN posyandu p ON p.posyandu_id = pr.posyandu_id
        {_POSYANDU_REGION_JOIN}
        {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY pr.posyandu_id, pr.spm_field, pr.year DESC NULLS LAST, pr.practice_id
    """
    df = con.sql(sql, params=params).pl()
    if df.height == 0:
        return pl.DataFrame(schema=PRACTICES_SCHEMA)
    return df.select([pl.col(c).cast(tp) for c, tp in PRACTICES_SCHEMA.items()])


def posyandu_detail(con: Con, posyandu_id: str) -> dict | None:
    """One posyandu with its region names and profile fields, or None when the id is unknown."""
    df = con.sql(
        f"""
        SELECT p.*, d.name AS desa_name, k.name AS kecamatan_name, b.name AS kabupaten_name,
               substr(p.desa_code, 1, 8) AS kecamatan_code, substr(p.desa_code, 1, 5) AS kabupaten_code,
               coalesce((SELECT sum(kader_count) FROM posyandu_kader pk WHERE pk.posyandu_id = p.posyandu_id), 0)
                   AS kader_total
        FROM posyandu p {_POSYANDU_REGION_JOIN}
        WHERE p.posyandu_id = ?
        """,
        params=[posyandu_id],
    ).pl()
    return df.row(0, named=True) if df.height else None


def posyandu_kader(con: Con, posyandu_id: str) -> pl.DataFrame:
    """Kader per SPM field (count and trained) of one posyandu."""
    return con.sql(
        "SELECT spm_field, kader_count, kader_trained FROM posyandu_kader WHERE posyandu_id = ? ORDER BY spm_field",
        params=[posyandu_id],
    ).pl()


def posyandu_entries(con: Con, posyandu_id: str) -> pl.DataFrame:
    """Every contest the posyandu entered (any year, any level): the spine of its history across years."""
    return con.sql(
        """
        SELECT c.competition_id, c.name, c.year, c.level, e.entrant_id, e.stage_reached, e.advanced
        FROM entrants e JOIN competitions c ON c.competition_id = e.competition_id
        WHERE e.posyandu_id = ?
        ORDER BY c.year, list_position(['desa','kecamatan','kabupaten','provinsi','nasional'], c.level)
        """,
        params=[posyandu_id],
    ).pl()


def service_summary(con: Con, posyandu_id: str) -> pl.DataFrame:
    """Service records per SPM field and status (recorded, verified, referred, resolved): what the kader log."""
    return con.sql(
        """
        SELECT spm_field, status, count(*) AS n, max(recorded_on) AS last_recorded
        FROM service_records WHERE posyandu_id = ?
        GROUP BY ALL ORDER BY spm_field, status
        """,
        params=[posyandu_id],
    ).pl()


def previous_competition(con: Con, competition_id: str) -> str | None:
    """The same contest one edition earlier: same level, scope and category, the latest earlier year."""
    row = con.sql(
        """
        SELECT p.competition_id FROM competitions c
        JOIN competitions p ON p.level = c.level AND p.scope_code = c.scope_code AND p.category = c.category
                           AND p.year < c.year
        WHERE c.competition_id = ?
        ORDER BY p.year DESC LIMIT 1
        """,
        params=[competition_id],
    ).fetchone()
    return row[0] if row else None


def previous_rounds(con: Con, competition_id: str) -> pl.DataFrame:
    """The rounds of the last round's year that each posyandu of this contest took part in, best match first
    per posyandu. The last round is the latest earlier year in which any of them took part, in the same category,
    at any level: a posyandu that won its kabupaten last year is in the provinsi contest this year, and is
    compared with last year's kabupaten contest (one that last took part years before is not "since the last
    round"). Within the year the same level comes first (the previous edition of this very contest), then the
    highest level the posyandu reached. The caller keeps, per posyandu, the first round the user may see.
    Columns: posyandu_id, competition_id, name, year, level, pick (1 = best)."""
    return con.sql(
        """
        WITH me AS (SELECT year, level, category FROM competitions WHERE competition_id = ?),
        mine AS (SELECT DISTINCT posyandu_id FROM entrants WHERE competition_id = ?),
        earlier AS (
            SELECT e.posyandu_id, p.competition_id, p.name, p.year, p.level, me.level = p.level AS same_level
            FROM entrants e JOIN mine USING (posyandu_id) JOIN competitions p USING (competition_id) CROSS JOIN me
            WHERE p.year < me.year AND p.category = me.category)
        SELECT posyandu_id, competition_id, name, year, level,
               row_number() OVER (PARTITION BY posyandu_id ORDER BY same_level DESC,
                   list_position(?::VARCHAR[], level) DESC, competition_id) AS pick
        FROM earlier WHERE year = (SELECT max(year) FROM earlier)
        ORDER BY posyandu_id, pick
        """,
        params=[competition_id, competition_id, list(LEVELS)],
    ).pl()


def region_stats(con: Con, prefix: str = "") -> pl.DataFrame:
    """The regional statistics stored for the regions inside `prefix` ("" for all): code, level, year,
    measure, label, value, newest year first."""
    return con.sql(
        "SELECT s.code, r.level, s.year, s.measure, s.label, s.value FROM region_stats s "
        "JOIN regions r USING (code) WHERE ? = '' OR s.code = ? OR starts_with(s.code, ? || '.') "
        "ORDER BY s.year DESC, s.measure, s.code", params=[prefix, prefix, prefix]).pl()


def judging_progress(con: Con, competition_id: str) -> pl.DataFrame:
    """Per stage: scores expected (assigned judge × entrant × every criterion) and scores entered (a choice or value).

    Entered scores are counted only where an assignment exists, so a stray score never pushes progress past 100 %.
    """
    return con.sql(
        """
        WITH n_crit AS (
            SELECT count(*) AS n FROM instrument_criteria ic
            JOIN competitions c ON c.instrument_id = ic.instrument_id WHERE c.competition_id = ?
        ), expected AS (
            SELECT stage, count(*) * (SELECT n FROM n_crit) AS expected, count(DISTINCT judge_id) AS judges
            FROM assignments WHERE competition_id = ? GROUP BY stage
        ), entered AS (
            SELECT s.stage, count(*) AS entered FROM scores s
            JOIN assignments a ON a.competition_id = s.competition_id AND a.stage = s.stage
                               AND a.judge_id = s.judge_id AND a.entrant_id = s.entrant_id
            WHERE s.competition_id = ? AND (s.option_code IS NOT NULL OR s.real_value IS NOT NULL)
            GROUP BY s.stage
        )
        SELECT cs.stage, cs.ord, coalesce(x.expected, 0) AS expected, coalesce(n.entered, 0) AS entered,
               coalesce(x.judges, 0) AS judges
        FROM competition_stages cs
        LEFT JOIN expected x ON x.stage = cs.stage LEFT JOIN entered n ON n.stage = cs.stage
        WHERE cs.competition_id = ?
        ORDER BY cs.ord
        """,
        params=[competition_id] * 4,
    ).pl()


def region_centroids(con: Con, level: int = 2, scope_code: str = "") -> pl.DataFrame:
    """Regions of a level (2 = kabupaten/kota) with a centre point: the stored one, else the mean of its posyandu.

    Only regions that hold at least one located posyandu are returned, since those are the ones a delegation
    can travel from or to in this store.
    """
    return con.sql(
        """
        SELECT r.code, r.name, coalesce(r.lat, avg(p.lat)) AS lat, coalesce(r.lon, avg(p.lon)) AS lon
        FROM regions r JOIN posyandu p ON substr(p.desa_code, 1, length(r.code)) = r.code
        WHERE r.level = ? AND r.code LIKE ? || '%' AND p.lat IS NOT NULL AND p.lon IS NOT NULL
        GROUP BY r.code, r.name, r.lat, r.lon
        ORDER BY r.name
        """,
        params=[level, scope_code],
    ).pl()


def region_name(con: Con, code: str) -> str | None:
    row = con.sql("SELECT name FROM regions WHERE code = ?", params=[code]).fetchone()
    return row[0] if row else None


def locations(con: Con, posyandu_ids: list[str]) -> pl.DataFrame:
    """Where some posyandu are and whom to call: posyandu_id, desa_code, address, lat, lon, contact_name,
    contact_phone (the desa code lets `data.access.redact` decide per row)."""
    return con.sql(
        "SELECT posyandu_id, desa_code, address, lat, lon, contact_name, contact_phone FROM posyandu "
        "WHERE list_contains(?, posyandu_id) ORDER BY posyandu_id",
        params=[posyandu_ids],
    ).pl().cast({"posyandu_id": pl.String, "desa_code": pl.String, "address": pl.String, "lat": pl.Float64,
                 "lon": pl.Float64, "contact_name": pl.String, "contact_phone": pl.String})


def peer_profiles(con: Con, posyandu_ids: list[str]) -> pl.DataFrame:
    """What `scoring.peers` compares, for some posyandu: posyandu_id, name, desa_kind (desa or kelurahan),
    kabupaten_code, provinsi_code, kader_total, lat, lon."""
    return con.sql(
        """
        SELECT p.posyandu_id, p.name,
               CASE WHEN d.kind = 'kelurahan' THEN 'kelurahan' ELSE 'desa' END AS desa_kind,
               substr(p.desa_code, 1, 5) AS kabupaten_code, substr(p.desa_code, 1, 2) AS provinsi_code,
               coalesce(k.kader_total, 0) AS kader_total, p.lat, p.lon
        FROM posyandu p
        LEFT JOIN regions d ON d.code = p.desa_code
        LEFT JOIN (SELECT posyandu_id, sum(kader_count) AS kader_total FROM posyandu_kader GROUP BY posyandu_id) k
               ON k.posyandu_id = p.posyandu_id
        WHERE list_contains(?, p.posyandu_id)
        ORDER BY p.posyandu_id
        """,
        params=[posyandu_ids],
    ).pl().cast({"posyandu_id": pl.String, "name": pl.String, "desa_kind": pl.String, "kabupaten_code": pl.String,
                 "provinsi_code": pl.String, "kader_total": pl.Int64, "lat": pl.Float64, "lon": pl.Float64})


def entrant_contacts(con: Con, competition_id: str) -> pl.DataFrame:
    """Every entrant's posyandu with contact and total kader (posyandu_id, contact_name, contact_phone, address,
    kader_total): one query for a whole contest, so switching posyandu on the profile page reads nothing."""
    return con.sql(
        """
        SELECT p.posyandu_id, p.desa_code, p.contact_name, p.contact_phone, p.address,
               coalesce(k.kader_total, 0) AS kader_total
        FROM entrants e JOIN posyandu p ON p.posyandu_id = e.posyandu_id
        LEFT JOIN (SELECT posyandu_id, sum(kader_count) AS kader_total FROM posyandu_kader GROUP BY posyandu_id) k
               ON k.posyandu_id = p.posyandu_id
        WHERE e.competition_id = ?
        ORDER BY p.posyandu_id
        """,
        params=[competition_id],
    ).pl().cast({"posyandu_id": pl.String, "desa_code": pl.String, "contact_name": pl.String,
                 "contact_phone": pl.String, "address": pl.String, "kader_total": pl.Int64})

