"""The PostgreSQL schema: `data/store/migrations_pg/NNN_name.sql`, numbered like the DuckDB migrations they
mirror, applied in order, each in its own transaction and recorded in `schema_migrations`, as `migrate` does for
DuckDB. `python -m data.store.pg_migrate` brings the database at $POSYANDU_DATABASE_URL up to date (or the URL
given with `--url`). Two app servers starting at once do not interleave: one holds an advisory lock for its whole
run, so a file is never applied twice and only the server that applied files marks everything changed.

Which tables live where is declared here once: `MIRRORED` are on both stores with the same columns, types, keys
and NOT NULL (tests/test_postgres_schema.py compares them); `DUCKDB_ONLY` says why each other DuckDB table is not
on PostgreSQL (DuckDB's own layouts, geo shapes, the demo's truth). A new DuckDB table that is in neither fails that test, and so does a column added on one
side only: a DuckDB migration that changes a mirrored table comes with its `migrations_pg` file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from data.store.migrate import mark_everything_changed, migrations, plain_transaction
from data.store.pg import PgConnection, PgStore

MIGRATIONS_DIR_PG = Path(__file__).resolve().parent / "migrations_pg"
# Any fixed number: the lock every server takes while it brings the schema up to date.
_MIGRATE_LOCK = 1_608_016

MIRRORED: tuple[str, ...] = (
    # accounts and roles, sessions, sign-in attempts
    "users", "judges", "sessions", "login_attempts",
    # competitions and stages, their rules, entrants
    "competitions", "competition_stages", "contest_rules", "judging_settings", "field_awards", "entrants",
    # assignments, judging forms and scores, answers to disagreement flags
    "assignments", "judging_forms", "scores", "disagreement_responses",
    # the journal of saves the re-rank after a save reads (011)
    "score_saves",
    # evidence references (the files themselves are on disk), protests
    "evidence_files", "protests", "reopened_criteria",
    # finalists, finalised stages, publication snapshots, advancement, feedback links
    "finalist_cuts", "finalists", "stage_results", "result_snapshots", "advancements", "feedback_links",
    # the frozen detail of each published result (013)
    "snapshot_frames",
    # the audit trail, what changed (cache keys), the small key/value table
    "audit_log", "versions", "meta",
    # reference tables: several app servers must share what any of them writes (a posyandu registered by hand,
    # an uploaded instrument, an import), and the transactional functions join them (conflicts of interest)
    "regions", "posyandu", "posyandu_kader", "instruments", "instrument_sections", "instrument_criteria",
    "instrument_options", "instrument_thresholds", "practices", "service_records", "service_record_steps",
    "import_batches", "field_submissions", "imported_rounds", "region_stats",
)

DUCKDB_ONLY: dict[str, str] = {
    "boundaries": "geo: boundary shapes (geo/data and uploads; map layers read them in DuckDB)",
    "boundary_display": "geo: simplified shapes per zoom, derived from boundaries",
    "truth_entrant_quality": "demo: the generator's hidden truth, only in a demo store",
    "truth_judge_severity": "demo: the generator's hidden truth, only in a demo store",
    "score_choices": "DuckDB's integer-coded layout of `scores` (010); PostgreSQL keeps one `scores` table",
    "key_competition": "a code table of DuckDB's `score_choices`",
    "key_stage": "a code table of DuckDB's `score_choices`",
    "key_entrant": "a code table of DuckDB's `score_choices`",
    "key_judge": "a code table of DuckDB's `score_choices`",
    "key_criterion": "a code table of DuckDB's `score_choices`",
    "key_option": "a code table of DuckDB's `score_choices`",
    "schema_migrations": "each store records its own migrations",
}

# How a DuckDB column type is declared on PostgreSQL (as `format_type` names it): the schema test maps with this.
PG_TYPE_OF: dict[str, str] = {
    "VARCHAR": "character varying", "BOOLEAN": "boolean", "TINYINT": "smallint", "INTEGER": "integer",
    "BIGINT": "bigint", "DOUBLE": "double precision", "DATE": "date", "TIMESTAMP": "timestamp without time zone",
    "VARCHAR[]": "character varying[]", "DOUBLE[]": "double precision[]", "BLOB": "bytea",
}


def pg_migrations() -> list[tuple[int, str, Path]]:
    """The PostgreSQL migration files as (number, name, path), in order."""
    return migrations(MIGRATIONS_DIR_PG)


def applied_pg_migrations(con: PgConnection) -> list[int]:
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP)")
    return [r[0] for r in con.sql("SELECT version FROM schema_migrations ORDER BY version").fetchall()]


def migrate_pg(con: PgConnection) -> list[int]:
    """Apply every PostgreSQL migration not yet applied, each in its own transaction; return those applied now.
    Like DuckDB's `migrate`, applying any marks every competition and the reference tables changed."""
    applied: list[int] = []
    # One server migrates at a time, the whole run: a second server starting at the same moment waits, then
    # finds every file applied and marks nothing (taking turns per file, both marked everything changed).
    con.execute("SELECT pg_advisory_lock(?)", [_MIGRATE_LOCK])
    try:
        _apply_pending(con, applied)
    finally:
        con.execute("SELECT pg_advisory_unlock(?)", [_MIGRATE_LOCK])
    if applied:
        mark_everything_changed(con)
    return applied


def _apply_pending(con: PgConnection, applied: list[int]) -> None:
    """Apply each file not yet recorded, one transaction each, appending its number to `applied`."""
    for number, name, path in pg_migrations():
        with plain_transaction(con):
            con.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                        " applied_at TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP)")
            done = con.sql("SELECT 1 FROM schema_migrations WHERE version = ?", params=[number]).fetchone()
            if done is None:
                con.execute(path.read_text(encoding="utf-8"))
                con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [number, name])
                applied.append(number)


def main(argv: Sequence[str] | None = None) -> int:
    """Bring the PostgreSQL schema up to date and say what was applied."""
    import argparse

    from present.settings import DATABASE_URL, SettingError

    parser = argparse.ArgumentParser(prog="python -m data.store.pg_migrate",
                                     description="Apply the PostgreSQL migrations (data/store/migrations_pg).")
    parser.add_argument("--url", help=f"database URL (default: ${DATABASE_URL.name})")
    args = parser.parse_args(argv)
    try:
        url = DATABASE_URL.read({DATABASE_URL.name: args.url}) if args.url else DATABASE_URL.read()
    except SettingError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    if url is None:
        print(f"no database: set ${DATABASE_URL.name} or give --url", file=sys.stderr)
        return 2
    with PgStore(url, max_size=1) as pg, pg.connection() as con:
        applied = migrate_pg(con)
        total = len(applied_pg_migrations(con))
    print(f"applied {len(applied)} migration(s) {applied}; the schema has {total}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
