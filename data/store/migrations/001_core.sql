-- 001: the core store. Every table the competition needs, declared once.
-- Codes follow Kemendagri: province "36", kabupaten "36.02", kecamatan "36.02.18", desa "36.02.18.2010".
-- SPM fields are written as: pendidikan, kesehatan, pekerjaan_umum, perumahan_rakyat, trantibumlinmas, sosial.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE regions (
    code        VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       TINYINT NOT NULL,            -- 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan
    kind        VARCHAR NOT NULL,            -- provinsi, kabupaten, kota, kecamatan, distrik, desa, kelurahan, desa_adat
    parent_code VARCHAR,
    lat         DOUBLE,
    lon         DOUBLE
);

CREATE TABLE posyandu (
    posyandu_id           VARCHAR PRIMARY KEY,
    reg_number            VARCHAR,           -- national registration number from Kemendagri, when known
    name                  VARCHAR NOT NULL,
    desa_code             VARCHAR NOT NULL,
    address               VARCHAR,
    lat                   DOUBLE,
    lon                   DOUBLE,
    pengurus_count        INTEGER,
    own_building          BOOLEAN,
    equipment_complete    BOOLEAN,
    opening_days_per_year INTEGER,
    strata                VARCHAR,           -- pratama, madya, purnama, mandiri (as registered, not as scored)
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
    instrument_id VARCHAR PRIMARY KEY,       -- e.g. "enam-bidang-2026@1": code and version
    code          VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR NOT NULL,
    year          INTEGER,
    layout        VARCHAR NOT NULL,          -- six_field or level_sections
    source_text   VARCHAR NOT NULL,          -- the YAML as loaded, so a result can always be traced to it
    loaded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (code, version)
);

CREATE TABLE instrument_sections (
    instrument_id VARCHAR NOT NULL,
    section_id    VARCHAR NOT NULL,
    ord           INTEGER NOT NULL,
    title         VARCHAR NOT NULL,
    title_en      VARCHAR,
    spm_field     VARCHAR,
    weight        DOUBLE NOT NULL,
    PRIMARY KEY (instrument_id, section_id)
);

CREATE TABLE instrument_criteria (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    section_id    VARCHAR NOT NULL,
    ord           INTEGER NOT NULL,
    text          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,          -- choice or real
    unit          VARCHAR,
    evidence      VARCHAR,
    weight        DOUBLE NOT NULL DEFAULT 1,
    max_points    DOUBLE NOT NULL,
    spm_field     VARCHAR,
    PRIMARY KEY (instrument_id, criterion_id)
);

CREATE TABLE instrument_options (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    option_code   VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    points        DOUBLE,
    PRIMARY KEY (instrument_id, criterion_id, option_code)
);

CREATE TABLE instrument_thresholds (
    instrument_id VARCHAR NOT NULL,
    criterion_id  VARCHAR NOT NULL,
    min_value     DOUBLE NOT NULL,           -- a real value >= min_value earns these points (highest matching)
    points        DOUBLE NOT NULL,
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
    weight         DOUBLE NOT NULL,
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
    assigned_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (stage, judge_id, entrant_id)
);

CREATE TABLE scores (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    option_code    VARCHAR,                  -- for choice criteria
    real_value     DOUBLE,                   -- for nilai-riil criteria
    note           VARCHAR,
    evidence       VARCHAR[],                -- content hashes of stored evidence files
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (entrant_id, stage, judge_id, criterion_id)
);

CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
    audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
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
    status      VARCHAR NOT NULL             -- recorded, verified, referred, resolved
);

-- The demo's planted truth, so the scoring engine can be checked against what the generator meant.
CREATE TABLE truth_judge_severity (
    judge_id VARCHAR PRIMARY KEY,
    severity DOUBLE NOT NULL                 -- added to every latent choice of the judge (negative = strict)
);

CREATE TABLE truth_entrant_quality (
    entrant_id VARCHAR NOT NULL,
    stage      VARCHAR NOT NULL,
    quality    DOUBLE NOT NULL,              -- latent quality on the 1–4 point scale before judge effects
    PRIMARY KEY (entrant_id, stage)
);

-- Region boundaries in EPSG:4326 as WKB. `illustrative` marks shapes that are not official outlines
-- (e.g. demo cells built around desa points), so the map legend can say so.
CREATE TABLE boundaries (
    code         VARCHAR PRIMARY KEY,
    level        TINYINT NOT NULL,
    source       VARCHAR NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    geometry     BLOB NOT NULL
);
