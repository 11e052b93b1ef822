-- 006: contest set-up by the panitia in the browser. The scoring rules of a competition that used to be
-- engine defaults (tie-breaks, strata thresholds, trim share, awards, printed precision) become columns, so the
-- Competitions page can set them and every caller builds the same ScoringConfig from them
-- (data/setup/competitions.py: scoring_config). Accounts get the "must change password at next sign-in"
-- flag and the time they were deactivated; an uploaded instrument keeps who uploaded it and from which file.

ALTER TABLE competitions ADD COLUMN tie_breaks VARCHAR[] DEFAULT ['field:kesehatan', 'completeness'];
ALTER TABLE competitions ADD COLUMN strata_thresholds DOUBLE[] DEFAULT [60.0, 70.0, 80.0];
ALTER TABLE competitions ADD COLUMN trim_share DOUBLE DEFAULT 0.2;        -- cut from EACH end for trimmed_mean
ALTER TABLE competitions ADD COLUMN n_awards INTEGER DEFAULT 6;           -- Juara I–III, Harapan I–III
ALTER TABLE competitions ADD COLUMN total_decimals INTEGER DEFAULT 2;     -- the nilai akhir as printed
ALTER TABLE competitions ADD COLUMN created_by VARCHAR;
ALTER TABLE competitions ADD COLUMN created_at TIMESTAMP;

ALTER TABLE users ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMP;

ALTER TABLE instruments ADD COLUMN uploaded_by VARCHAR;                   -- NULL: bundled or demo
ALTER TABLE instruments ADD COLUMN source_file VARCHAR;                   -- the uploaded file's name (YAML or Excel)
