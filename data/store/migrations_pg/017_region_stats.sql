-- 017 (PostgreSQL): regional statistics as offices publish them (DuckDB's 017_region_stats.sql). Written by an
-- import on the Data page, so with several app servers it belongs in the database they share.

CREATE TABLE region_stats (
    code     VARCHAR NOT NULL,
    year     INTEGER NOT NULL,
    measure  VARCHAR NOT NULL,
    label    VARCHAR NOT NULL,
    value    DOUBLE PRECISION NOT NULL,
    source   VARCHAR,
    PRIMARY KEY (code, year, measure)
);
