-- Regional statistics as offices publish them (#18): one value per region, year and measure (a column of the
-- published table, its header kept as its meaning). Reference data for the map and region aggregates, and
-- denominators where a criterion asks for a ratio.
CREATE TABLE region_stats (
    code     VARCHAR NOT NULL,     -- Kemendagri region code
    year     INTEGER NOT NULL,
    measure  VARCHAR NOT NULL,     -- a stable key of the column's meaning ("posyandu_aktif")
    label    VARCHAR NOT NULL,     -- the header as published ("Posyandu Aktif")
    value    DOUBLE NOT NULL,
    source   VARCHAR,              -- the file it came from
    PRIMARY KEY (code, year, measure)
);
