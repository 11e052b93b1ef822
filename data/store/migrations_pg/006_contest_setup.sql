-- 006 (PostgreSQL): the competition's scoring rules, the must-change-password flag and the deactivation time, as
-- DuckDB's 006_contest_setup.sql adds them, and who uploaded an instrument from which file.

ALTER TABLE competitions ADD COLUMN tie_breaks VARCHAR[] DEFAULT ARRAY['field:kesehatan', 'completeness'];
ALTER TABLE competitions ADD COLUMN strata_thresholds DOUBLE PRECISION[] DEFAULT ARRAY[60.0, 70.0, 80.0];
ALTER TABLE competitions ADD COLUMN trim_share DOUBLE PRECISION DEFAULT 0.2;  -- cut from EACH end for trimmed_mean
ALTER TABLE competitions ADD COLUMN n_awards INTEGER DEFAULT 6;               -- Juara I–III, Harapan I–III
ALTER TABLE competitions ADD COLUMN total_decimals INTEGER DEFAULT 2;         -- the nilai akhir as printed
ALTER TABLE competitions ADD COLUMN created_by VARCHAR;
ALTER TABLE competitions ADD COLUMN created_at TIMESTAMP;

ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;

ALTER TABLE instruments ADD COLUMN uploaded_by VARCHAR;
ALTER TABLE instruments ADD COLUMN source_file VARCHAR;
