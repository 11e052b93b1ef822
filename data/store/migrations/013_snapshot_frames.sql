-- 013: the detail of a published result, frozen with it (#13). A result snapshot (003) holds the league table;
-- the rest of what the public sees of a final stage (fix-first rows, criterion and judge points, field scores,
-- the judges' choices, the instrument it was scored with, the scoring rules, rank intervals, place stability,
-- the judges and stages the documents print) is kept here, one row per frame of a snapshot, as Arrow IPC bytes
-- with the engine version that computed it. Written when the stage is finalised (or, for a stage finalised
-- outside the workflow, on its first read), never changed afterwards: re-finalising writes a new snapshot.
CREATE TABLE snapshot_frames (
    snapshot_id    BIGINT NOT NULL,
    frame          VARCHAR NOT NULL,
    competition_id VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,
    engine_version VARCHAR NOT NULL,
    frozen_at      TIMESTAMP NOT NULL,
    frozen_by      VARCHAR NOT NULL,
    n_rows         BIGINT NOT NULL,
    data           BLOB NOT NULL,
    PRIMARY KEY (snapshot_id, frame)
);
