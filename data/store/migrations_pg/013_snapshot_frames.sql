-- 013 (PostgreSQL): the frozen detail of a published result, one row per frame of a snapshot (DuckDB's
-- 013_snapshot_frames.sql).
CREATE TABLE snapshot_frames (
    snapshot_id    BIGINT NOT NULL,
    frame          VARCHAR NOT NULL,
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    engine_version VARCHAR NOT NULL,
    frozen_at      TIMESTAMP NOT NULL,
    frozen_by      VARCHAR NOT NULL,
    n_rows         BIGINT NOT NULL,
    data           BYTEA NOT NULL,
    PRIMARY KEY (snapshot_id, frame)
);
