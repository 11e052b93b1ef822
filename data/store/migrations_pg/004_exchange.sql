-- 004 (PostgreSQL): one row per imported file, so a second import of the same file is recognised
-- (DuckDB's 004_exchange.sql).

CREATE TABLE import_batches (
    batch_id     VARCHAR PRIMARY KEY,
    kind         VARCHAR NOT NULL,
    scope        VARCHAR NOT NULL DEFAULT '',
    file_name    VARCHAR NOT NULL,
    file_sha256  VARCHAR NOT NULL,
    rows_total   INTEGER NOT NULL,
    rows_new     INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    actor        VARCHAR NOT NULL DEFAULT 'system',
    imported_at  TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP,
    UNIQUE (kind, scope, file_sha256)
);
