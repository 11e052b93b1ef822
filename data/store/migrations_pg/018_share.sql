-- 018 (PostgreSQL): the field awards a contest declares and the feedback links released to entrants
-- (DuckDB's 018_share.sql). Imported past rounds stay in DuckDB for now (data/store/pg_migrate.py, DUCKDB_ONLY).

CREATE TABLE field_awards (
    competition_id VARCHAR PRIMARY KEY,
    places         INTEGER NOT NULL,
    set_by         VARCHAR NOT NULL,
    set_at         TIMESTAMP NOT NULL
);

CREATE TABLE feedback_links (
    token_sha256   VARCHAR PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    released_by    VARCHAR NOT NULL,
    released_at    TIMESTAMP NOT NULL,
    revoked_by     VARCHAR,
    revoked_at     TIMESTAMP
);
