-- 011 (PostgreSQL): the judges' saves, one row each, for the re-rank after a save (DuckDB's 011_score_saves.sql):
-- written by the save's own transaction with the competition version it left; only a journal (old rows go).

CREATE TABLE score_saves (
    competition_id   VARCHAR NOT NULL,
    version          BIGINT NOT NULL,
    stage            VARCHAR NOT NULL,
    entrant_id       VARCHAR NOT NULL,
    judge_id         VARCHAR NOT NULL,
    criterion_id     VARCHAR NOT NULL,
    created          BOOLEAN NOT NULL,
    old_option_code  VARCHAR,
    old_real_value   DOUBLE PRECISION,
    option_code      VARCHAR,
    real_value       DOUBLE PRECISION,
    saved_at         TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP
);
CREATE INDEX score_saves_by_version ON score_saves (competition_id, version);
