-- 005: one version per competition and one for the shared reference tables, instead of the single
-- meta.data_version that every write (sign-ins and session touches included) bumped. Scopes are
-- 'competition:<competition_id>' and 'reference'; see data/store/versions.py. Applying this migration marks
-- everything changed (migrate does so after any migration), so the old counter is not carried over.

CREATE TABLE versions (
    scope   VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL
);

DELETE FROM meta WHERE key = 'data_version';
