-- 019 (PostgreSQL): per-criterion "tidak ada kasus" allowed, stages, ratio denominator, and the per-region scope
-- of a section (DuckDB's 019_instrument_rules.sql).

ALTER TABLE instrument_criteria ADD COLUMN no_case_allowed BOOLEAN;
ALTER TABLE instrument_criteria ADD COLUMN stages VARCHAR;
ALTER TABLE instrument_criteria ADD COLUMN ratio_of VARCHAR;
ALTER TABLE instrument_sections ADD COLUMN scope VARCHAR;
