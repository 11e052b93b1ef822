-- 018 (PostgreSQL): the field awards a contest declares, past rounds imported from published totals, and the
-- feedback links released to entrants (DuckDB's 018_share.sql).

CREATE TABLE field_awards (
    competition_id VARCHAR PRIMARY KEY,
    places         INTEGER NOT NULL,
    set_by         VARCHAR NOT NULL,
    set_at         TIMESTAMP NOT NULL
);

CREATE TABLE imported_rounds (
    competition_id VARCHAR PRIMARY KEY,
    source_file    VARCHAR NOT NULL,
    n_entrants     INTEGER NOT NULL,
    imported_by    VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL
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
