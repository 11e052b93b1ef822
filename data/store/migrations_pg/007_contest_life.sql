-- 007 (PostgreSQL): the contest's life after scoring, as DuckDB's 007_contest_life.sql declares it: rules,
-- finalist cuts and finalists, answers to disagreement flags, provisional / final stages, protests and the
-- criteria they reopen, advancement links.

CREATE TABLE contest_rules (
    competition_id    VARCHAR PRIMARY KEY,
    protest_days      INTEGER NOT NULL DEFAULT 3,
    disagree_levels   INTEGER NOT NULL DEFAULT 2,
    disagree_real_pct DOUBLE PRECISION NOT NULL DEFAULT 25
);

CREATE TABLE finalist_cuts (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    from_stage     VARCHAR NOT NULL,
    rule           VARCHAR NOT NULL,                  -- top_n or min_score
    value          DOUBLE PRECISION NOT NULL,
    picked_at      TIMESTAMP NOT NULL,
    picked_by      VARCHAR NOT NULL,
    PRIMARY KEY (competition_id, stage)
);

CREATE TABLE finalists (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    PRIMARY KEY (competition_id, stage, entrant_id)
);

CREATE SEQUENCE disagreement_seq START 1;

CREATE TABLE disagreement_responses (
    response_id    BIGINT PRIMARY KEY DEFAULT nextval('disagreement_seq'),
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    decision       VARCHAR NOT NULL,                  -- kept or changed
    value_json     VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    responded_by   VARCHAR NOT NULL,
    responded_at   TIMESTAMP NOT NULL
);

CREATE TABLE stage_results (
    competition_id    VARCHAR NOT NULL,
    stage             VARCHAR NOT NULL,
    provisional_at    TIMESTAMP NOT NULL,
    protest_deadline  TIMESTAMP NOT NULL,
    declared_final_at TIMESTAMP,
    declared_final_by VARCHAR,
    PRIMARY KEY (competition_id, stage)
);

CREATE SEQUENCE protest_seq START 1;

CREATE TABLE protests (
    protest_id     BIGINT PRIMARY KEY DEFAULT nextval('protest_seq'),
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    criteria       VARCHAR[] NOT NULL,
    reason         VARCHAR NOT NULL,
    filed_by       VARCHAR NOT NULL,
    filed_role     VARCHAR NOT NULL,
    filed_at       TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,                  -- open, rejected, upheld (being re-scored), resolved
    decided_by     VARCHAR,
    decided_at     TIMESTAMP,
    decision_note  VARCHAR,
    resolved_at    TIMESTAMP
);

CREATE TABLE reopened_criteria (
    protest_id     BIGINT NOT NULL,
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    reopened_at    TIMESTAMP NOT NULL,
    closed_at      TIMESTAMP,
    PRIMARY KEY (protest_id, criterion_id)
);

CREATE TABLE advancements (
    source_entrant_id     VARCHAR PRIMARY KEY,
    source_competition_id VARCHAR NOT NULL,
    target_entrant_id     VARCHAR NOT NULL,
    target_competition_id VARCHAR NOT NULL,
    award                 VARCHAR,
    total                 DOUBLE PRECISION,
    advanced_at           TIMESTAMP NOT NULL,
    advanced_by           VARCHAR NOT NULL
);
