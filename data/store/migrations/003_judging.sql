-- 003: judging and accounts. Who may sign in, their sessions and failed attempts; the state of each judge's
-- form (open / submitted); the conflict-of-interest rule per competition; stored evidence files; field-form
-- submissions imported from KoboCollect / ODK; and the frozen result snapshots that the public view shows.

CREATE TABLE users (
    username      VARCHAR PRIMARY KEY,
    password_hash VARCHAR NOT NULL,          -- argon2id encoded hash; the password itself is never stored
    role          VARCHAR NOT NULL,          -- panitia, juri, pembina
    judge_id      VARCHAR,                   -- juri accounts: the judge they score as
    region_code   VARCHAR,                   -- pembina accounts: the region whose results they may read
    display_name  VARCHAR,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE sessions (
    token      VARCHAR PRIMARY KEY,          -- random, 256 bits, URL-safe
    username   VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen  TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP                     -- sign-out or expiry
);

CREATE SEQUENCE login_attempt_seq START 1;

CREATE TABLE login_attempts (
    attempt_id   BIGINT PRIMARY KEY DEFAULT nextval('login_attempt_seq'),
    username     VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    success      BOOLEAN NOT NULL
);

-- One judge's form for one entrant and stage. No row means open and never submitted.
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
    sha256        VARCHAR PRIMARY KEY,       -- the file's name on disk under var/evidence/
    mime_type     VARCHAR NOT NULL,          -- image/jpeg, image/png, application/pdf (from magic bytes)
    size_bytes    BIGINT NOT NULL,
    original_name VARCHAR,
    uploaded_by   VARCHAR NOT NULL,
    uploaded_at   TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One imported field-form submission; the instanceID makes a second import of the same export a no-op.
CREATE TABLE field_submissions (
    instance_id    VARCHAR PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    lat            DOUBLE,
    lon            DOUBLE,
    source_file    VARCHAR,
    imported_by    VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE result_snapshot_seq START 1;

-- The engine's results for a competition and stage, frozen when panitia finalises the stage. The newest row
-- per (competition, stage) is the published one; older rows stay as the trace of earlier finalisations.
CREATE TABLE result_snapshots (
    snapshot_id    BIGINT PRIMARY KEY DEFAULT nextval('result_snapshot_seq'),
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    engine_version VARCHAR NOT NULL,
    finalized_at   TIMESTAMP NOT NULL,
    finalized_by   VARCHAR NOT NULL,
    results_json   VARCHAR NOT NULL          -- the results table as a JSON list of row objects, personal data removed
);
