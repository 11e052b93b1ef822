-- The judges' saves, one row each, for the re-rank after a save (issue #15): a server holding a contest's
-- results at version v brings them to v + k from the k saves in between (their old and new value) instead of
-- re-scoring every score of the contest. A row is written by the judging form's save in its own transaction,
-- with the competition version that transaction left; a version without a row here (an import, a new entrant,
-- a finalised stage) is not a save, and whoever meets it re-scores in full. Rows are only a journal: any of
-- them may be deleted (old ones are, every 1,000 versions), then a reader re-scores in full; scores stay in
-- score_choices.
CREATE TABLE score_saves (
    competition_id   VARCHAR NOT NULL,
    version          BIGINT NOT NULL,      -- versions.version of competition:<id> after the save
    stage            VARCHAR NOT NULL,
    entrant_id       VARCHAR NOT NULL,
    judge_id         VARCHAR NOT NULL,
    criterion_id     VARCHAR NOT NULL,
    created          BOOLEAN NOT NULL,     -- the save created the score (there was no row before)
    old_option_code  VARCHAR,
    old_real_value   DOUBLE,
    option_code      VARCHAR,
    real_value       DOUBLE,
    saved_at         TIMESTAMP NOT NULL DEFAULT current_timestamp
);
