-- 003 (PostgreSQL): accounts, sessions and sign-in attempts, form status, the conflict-of-interest rule, evidence
-- file references, imported field-form submissions and result snapshots, as DuckDB's 003_judging.sql declares them.

CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,          -- argon2id encoded hash; the password itself is never stored
    role          VARCHAR NOT NULL,          -- panitia, juri, pembina
    judge_id      VARCHAR,                   -- juri accounts: the judge they score as
    region_code   VARCHAR,                   -- pembina accounts: the region whose results they may read
    display_name  VARCHAR,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP
);

-- Any app server checks a token here: the session lives in the database, not in one process.
CREATE TABLE sessions (
    token      VARCHAR PRIMARY KEY,          -- random, 256 bits, URL-safe
    username   VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP                     -- sign-out or expiry
);
CREATE INDEX sessions_by_user ON sessions (username) WHERE ended_at IS NULL;

CREATE SEQUENCE login_attempt_seq START 1;

CREATE TABLE login_attempts (
    attempt_id   BIGINT PRIMARY KEY DEFAULT nextval('login_attempt_seq'),
    username     VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    success      BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_by_time ON login_attempts (attempted_at);

CREATE TABLE judging_forms (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    status         VARCHAR NOT NULL,         -- open, submitted
    submitted_at   TIMESTAMP,
    reopened_at    TIMESTAMP,
    reopen_reason  VARCHAR,
    PRIMARY KEY (entrant_id, stage, judge_id)
);

CREATE TABLE judging_settings (
    competition_id VARCHAR PRIMARY KEY,
    coi_rule       VARCHAR NOT NULL DEFAULT 'same_desa'   -- none, same_desa, same_kecamatan
);

CREATE TABLE evidence_files (
    sha256        VARCHAR PRIMARY KEY,       -- the file's name in the evidence folder
    mime_type     VARCHAR NOT NULL,
    size_bytes    BIGINT NOT NULL,
    original_name VARCHAR,
    uploaded_by   VARCHAR NOT NULL,
    uploaded_at   TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP
);

CREATE TABLE field_submissions (
    instance_id    VARCHAR PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    source_file    VARCHAR,
    imported_by    VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP
);

CREATE SEQUENCE result_snapshot_seq START 1;

CREATE TABLE result_snapshots (
    snapshot_id    BIGINT PRIMARY KEY DEFAULT nextval('result_snapshot_seq'),
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    engine_version VARCHAR NOT NULL,
    finalized_at   TIMESTAMP NOT NULL,
    finalized_by   VARCHAR NOT NULL,
    results_json   VARCHAR NOT NULL
);
