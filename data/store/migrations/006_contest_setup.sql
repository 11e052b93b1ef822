-- 006: contest set-up by the panitia in the browser. The scoring rules of a competition that used to be
-- engine defaults (tie-breaks, strata thresholds, trim share, awards, printed precision) become columns, so the
-- Competitions page can set them and every caller builds the same ScoringConfig from them
-- (data/setup/competitions.py: scoring_config). Accounts get the "must change password at next sign-in"
-- flag and the time they were deactivated; an uploaded instrument keeps who uploaded it and from which file.

-- DuckDB 1.5 refuses a second ADD COLUMN ... DEFAULT on a table with a primary key inside one transaction
-- ("Duplicate key" on existing rows), so the columns are added bare, given their defaults, and filled in one
-- UPDATE; tests/test_store_upgrade.py upgrades a populated store from 004.
ALTER TABLE competitions ADD COLUMN tie_breaks VARCHAR[];
ALTER TABLE competitions ADD COLUMN strata_thresholds DOUBLE[];
ALTER TABLE competitions ADD COLUMN trim_share DOUBLE;                    -- cut from EACH end for trimmed_mean
ALTER TABLE competitions ADD COLUMN n_awards INTEGER;                     -- Juara I–III, Harapan I–III
ALTER TABLE competitions ADD COLUMN total_decimals INTEGER;               -- the nilai akhir as printed
ALTER TABLE competitions ADD COLUMN created_by VARCHAR;
ALTER TABLE competitions ADD COLUMN created_at TIMESTAMP;
ALTER TABLE competitions ALTER COLUMN tie_breaks SET DEFAULT ['field:kesehatan', 'completeness'];
ALTER TABLE competitions ALTER COLUMN strata_thresholds SET DEFAULT [60.0, 70.0, 80.0];
ALTER TABLE competitions ALTER COLUMN trim_share SET DEFAULT 0.2;
ALTER TABLE competitions ALTER COLUMN n_awards SET DEFAULT 6;
ALTER TABLE competitions ALTER COLUMN total_decimals SET DEFAULT 2;
UPDATE competitions SET tie_breaks = ['field:kesehatan', 'completeness'], strata_thresholds = [60.0, 70.0, 80.0],
    trim_share = 0.2, n_awards = 6, total_decimals = 2;

ALTER TABLE users ADD COLUMN must_change_password BOOLEAN;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE users ALTER COLUMN must_change_password SET DEFAULT FALSE;
UPDATE users SET must_change_password = FALSE;

ALTER TABLE instruments ADD COLUMN uploaded_by VARCHAR;                   -- NULL: bundled or demo
ALTER TABLE instruments ADD COLUMN source_file VARCHAR;                   -- the uploaded file's name (YAML or Excel)
