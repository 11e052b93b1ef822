-- 001 (PostgreSQL): the transactional tables of DuckDB's 001_core.sql, declared the same way (names, column
-- order, types, keys, NOT NULL). tests/test_postgres_schema.py compares the two stores' schemas, so a column added
-- on one side only fails the suite. The reference tables (regions, posyandu, instruments, practices, service
-- records) stay in DuckDB for now: see data/store/pg_migrate.py, DUCKDB_ONLY.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE competitions (
    competition_id      VARCHAR PRIMARY KEY,
    name                VARCHAR NOT NULL,
    year                INTEGER NOT NULL,
    level               VARCHAR NOT NULL,    -- desa, kecamatan, kabupaten, provinsi, nasional
    scope_code          VARCHAR NOT NULL,    -- the region the contest covers
    category            VARCHAR NOT NULL DEFAULT 'umum',
    instrument_id       VARCHAR NOT NULL,
    aggregation         VARCHAR NOT NULL DEFAULT 'mean',   -- mean, median, trimmed_mean
    advance_count       INTEGER NOT NULL DEFAULT 1,
    parent_competition_id VARCHAR,           -- the contest one level up that winners advance to
    status              VARCHAR NOT NULL DEFAULT 'open'    -- open, final
);

CREATE TABLE competition_stages (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,         -- administrasi, lapangan, presentasi
    ord            INTEGER NOT NULL,
    start_date     DATE,
    end_date       DATE,
    weight         DOUBLE PRECISION NOT NULL,
    finalized_at   TIMESTAMP,
    PRIMARY KEY (competition_id, stage)
);

CREATE TABLE entrants (
    entrant_id        VARCHAR PRIMARY KEY,
    competition_id    VARCHAR NOT NULL,
    posyandu_id       VARCHAR NOT NULL,
    stage_reached     VARCHAR NOT NULL,
    advanced          BOOLEAN NOT NULL DEFAULT FALSE,
    source_entrant_id VARCHAR,               -- the entrant at the level below that this one came from
    UNIQUE (competition_id, posyandu_id)
);

CREATE TABLE judges (
    judge_id        VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    institution     VARCHAR,                 -- the OPD or body the judge comes from
    spm_field       VARCHAR,                 -- field of expertise, when any
    phone           VARCHAR,
    home_desa_code  VARCHAR                  -- for conflict-of-interest rules
);

CREATE TABLE assignments (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    assigned_at    TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    PRIMARY KEY (stage, judge_id, entrant_id)
);

-- One table with string keys: DuckDB's integer-coded layout (its 010) is a read optimisation of its own; here
-- the primary key's index serves the writes, and the analytics read frames (docs/postgres.md).
CREATE TABLE scores (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    option_code    VARCHAR,                  -- for choice criteria
    real_value     DOUBLE PRECISION,         -- for nilai-riil criteria
    note           VARCHAR,
    evidence       VARCHAR[],                -- content hashes of stored evidence files
    created_at     TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    updated_at     TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    PRIMARY KEY (entrant_id, stage, judge_id, criterion_id)
);
CREATE INDEX scores_by_competition ON scores (competition_id);

CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    changed_at TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL,
    entity     VARCHAR NOT NULL,
    entity_key VARCHAR NOT NULL,
    old_value  VARCHAR,
    new_value  VARCHAR,
    reason     VARCHAR
);
