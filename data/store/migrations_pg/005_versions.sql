-- 005 (PostgreSQL): one version per competition and one for the shared reference tables (data/store/versions.py).
-- In a deployment with several app servers every server keys its caches on these rows, so a judge's save on one
-- server makes the others' cached results for that contest go cold.

CREATE TABLE versions (
    scope   VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL
);
