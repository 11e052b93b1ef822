-- 007: the contest's life after scoring. The rules of a competition's life (protest window, how far judges may
-- differ before a criterion is sent back), the finalists picked for a stage after the desk stage, a judge's
-- answer to a disagreement flag, protests (sanggahan) with their states and the criteria an upheld protest
-- reopened, whether a finalised stage is provisional (in its protest window) or declared final, and the link
-- from an entrant that advanced to its entry one level up.

CREATE TABLE contest_rules (
    competition_id    VARCHAR PRIMARY KEY,
    protest_days      INTEGER NOT NULL DEFAULT 3,     -- sanggahan window after a stage is finalised
    disagree_levels   INTEGER NOT NULL DEFAULT 2,     -- option levels apart that send a criterion back
    disagree_real_pct DOUBLE  NOT NULL DEFAULT 25     -- nilai riil more than this % apart (of the larger value)
);

-- The cut that made the finalists of a stage (e.g. lapangan after administrasi); one per competition and stage.
CREATE TABLE finalist_cuts (
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,                  -- the stage the finalists go on to
    from_stage     VARCHAR NOT NULL,                  -- the stage whose results were cut
    rule           VARCHAR NOT NULL,                  -- top_n or min_score
    value          DOUBLE  NOT NULL,
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

-- A judge's answer to a disagreement flag on one criterion: kept or changed, with the value answered for.
-- A flag counts as answered while the judge's current value equals `value_json`.
CREATE SEQUENCE disagreement_seq START 1;

CREATE TABLE disagreement_responses (
    response_id    BIGINT PRIMARY KEY DEFAULT nextval('disagreement_seq'),
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    judge_id       VARCHAR NOT NULL,
    criterion_id   VARCHAR NOT NULL,
    decision       VARCHAR NOT NULL,                  -- kept or changed
    value_json     VARCHAR NOT NULL,                  -- {"option_code": ..., "real_value": ...} answered for
    reason         VARCHAR NOT NULL,
    responded_by   VARCHAR NOT NULL,
    responded_at   TIMESTAMP NOT NULL
);

-- A finalised stage: provisional until declared final; the protest deadline closes the sanggahan window.
-- A finalised stage without a row here (e.g. the demo, or a store older than 007) counts as final.
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
    filed_role     VARCHAR NOT NULL,                  -- pembina, or panitia on the entrant's behalf
    filed_at       TIMESTAMP NOT NULL,
    status         VARCHAR NOT NULL,                  -- open, rejected, upheld (being re-scored), resolved
    decided_by     VARCHAR,
    decided_at     TIMESTAMP,
    decision_note  VARCHAR,
    resolved_at    TIMESTAMP
);

-- Criteria of one entrant that an upheld protest opened again in a finalised stage (closed when re-scored).
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

-- An entrant that advanced: where it came from and the entry created for it one level up.
CREATE TABLE advancements (
    source_entrant_id     VARCHAR PRIMARY KEY,
    source_competition_id VARCHAR NOT NULL,
    target_entrant_id     VARCHAR NOT NULL,
    target_competition_id VARCHAR NOT NULL,
    award                 VARCHAR,
    total                 DOUBLE,
    advanced_at           TIMESTAMP NOT NULL,
    advanced_by           VARCHAR NOT NULL
);
