-- 004: data exchange. One row per file written by an importer, so the same file imported twice is
-- recognised (by its SHA-256) and every imported row can be traced to the file it came from.

CREATE TABLE import_batches (
    batch_id     VARCHAR PRIMARY KEY,        -- "<kind>:<first 16 hex of the file hash>:<scope>"
    kind         VARCHAR NOT NULL,           -- posyandu, entrants, judges, scores, practices, service_records
    scope        VARCHAR NOT NULL DEFAULT '',-- e.g. competition and stage for scores
    file_name    VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    rows_total   INTEGER NOT NULL,
    rows_new     INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    actor        VARCHAR NOT NULL DEFAULT 'system',
    imported_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    UNIQUE (kind, scope, file_sha256)
);
