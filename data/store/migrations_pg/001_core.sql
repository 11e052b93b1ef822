-- 001 (PostgreSQL): DuckDB's 001_core.sql declared the same way (names, column order, types, keys, NOT NULL).
-- tests/test_postgres_schema.py compares the two stores' schemas, so a column added on one side only fails the
-- suite. The reference tables are here too: with several app servers every table the app writes (a posyandu
-- registered by hand, an instrument uploaded) must be in the one database they share.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE regions (
    code        VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       SMALLINT NOT NULL,           -- 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan
    kind        VARCHAR NOT NULL,
    parent_code VARCHAR,
    lat         DOUBLE PRECISION,
    lon         DOUBLE PRECISION
);

CREATE TABLE posyandu (
    posyandu_id           VARCHAR PRIMARY KEY,
    reg_number            VARCHAR,
    name                  VARCHAR NOT NULL,
    desa_code             VARCHAR NOT NULL,
    address               VARCHAR,
    lat                   DOUBLE PRECISION,
    lon                   DOUBLE PRECISION,
    pengurus_count        INTEGER,
    own_building          BOOLEAN,
    equipment_complete    BOOLEAN,
    opening_days_per_year INTEGER,
    strata                VARCHAR,
    contact_name          VARCHAR,
    contact_phone         VARCHAR,
    founded_year          INTEGER
);

CREATE TABLE posyandu_kader (
    posyandu_id  VARCHAR NOT NULL,
    spm_field    VARCHAR NOT NULL,
    kader_count  INTEGER NOT NULL,
    kader_trained INTEGER,
    PRIMARY KEY (posyandu_id, spm_field)
);

CREATE TABLE instruments (
    instrument_id VARCHAR PRIMARY KEY,
    code          VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR NOT NULL,
    year          INTEGER,
    layout        VARCHAR NOT NULL,
    source_text   VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    UNIQUE (code, version)
);

CREATE TABLE instrument_sections (
    instrument_id VARCHAR NOT NULL,
    section_id    VARCHAR NOT NULL,
    ord           INTEGER NOT NULL,
    title         VARCHAR NOT NULL,
    title_en      VARCHAR,
    spm_field     VARCHAR,
    weight        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (instrument_id, section_id)
);

CREATE TABLE instrument_criteria (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    section_id    VARCHAR NOT NULL,
    ord           INTEGER NOT NULL,
    text          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    unit          VARCHAR,
    evidence      VARCHAR,
    weight        DOUBLE PRECISION NOT NULL DEFAULT 1,
    max_points    DOUBLE PRECISION NOT NULL,
    spm_field     VARCHAR,
    PRIMARY KEY (instrument_id, criterion_id)
);

CREATE TABLE instrument_options (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    option_code   VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    points        DOUBLE PRECISION,
    PRIMARY KEY (instrument_id, criterion_id, option_code)
);

CREATE TABLE instrument_thresholds (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    min_value     DOUBLE PRECISION NOT NULL,
    points        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (instrument_id, criterion_id, min_value)
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

CREATE TABLE practices (
    practice_id VARCHAR PRIMARY KEY,
    posyandu_id VARCHAR NOT NULL,
    spm_field   VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    description VARCHAR NOT NULL,
    photo_path  VARCHAR,
    year        INTEGER
);

CREATE TABLE service_records (
    record_id   VARCHAR PRIMARY KEY,
    posyandu_id VARCHAR NOT NULL,
    spm_field   VARCHAR NOT NULL,
    case_type   VARCHAR NOT NULL,
    recorded_on DATE NOT NULL,
    status      VARCHAR NOT NULL
);
