-- 018: results people share (#17). The field awards a contest declares, past rounds imported from published
-- totals, and the feedback per criterion released to an entrant on a link without an account.

-- "Juara bidang Kesehatan": how many places per SPM field the contest awards; no row means none declared.
CREATE TABLE field_awards (
    competition_id VARCHAR PRIMARY KEY,
    places         INTEGER NOT NULL,                  -- 1 = one winner per field; 2-3 = Juara I-III per field
    set_by         VARCHAR NOT NULL,
    set_at         TIMESTAMP NOT NULL
);

-- A past round imported from its published results (posyandu, desa, total, award): a final contest with totals
-- only, no criterion detail. Its league table is the result snapshot written by the import.
CREATE TABLE imported_rounds (
    competition_id VARCHAR PRIMARY KEY,
    source_file    VARCHAR NOT NULL,
    n_entrants     INTEGER NOT NULL,
    imported_by    VARCHAR NOT NULL,
    imported_at    TIMESTAMP NOT NULL
);

-- Feedback released to one entrant of a final contest: its own criterion scores and the judges' notes, opened
-- by a link without an account. Only the SHA-256 of the link's token is kept; a revoked link opens nothing.
CREATE TABLE feedback_links (
    token_sha256   VARCHAR PRIMARY KEY,
    competition_id VARCHAR NOT NULL,
    entrant_id     VARCHAR NOT NULL,
    released_by    VARCHAR NOT NULL,
    released_at    TIMESTAMP NOT NULL,
    revoked_by     VARCHAR,
    revoked_at     TIMESTAMP
);
