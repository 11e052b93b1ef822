-- 019: the instrument as a committee would challenge it (#18). What the instrument file declares per criterion
-- and section, kept in the flat tables the forms and exports read (the YAML in instruments.source_text stays
-- the truth the engine scores with).
--   no_case_allowed  a judge may answer "tidak ada kasus / tidak berlaku" (stored in scores as the reserved
--                    option_code scoring.instrument.NO_CASE, real_value NULL); the criterion then leaves that
--                    entrant's denominator for that stage, and is reported as such
--   stages           the stages the criterion is scored in, comma-separated stage names (administrasi,lapangan);
--                    NULL = every stage of the contest
--   ratio_of         a count criterion scored per the posyandu's size: the name of the denominator (see
--                    docs/instruments.md "Ratio criteria"); NULL = the value as entered
--   scope            a section scored once per region team and given to every entrant of that region
--                    (kabupaten, kecamatan, desa); NULL = scored per entrant

-- No DEFAULT and no UPDATE: DuckDB 1.5 refuses to commit an ALTER and a write of the same keyed table in one
-- transaction. Rows saved before this migration read NULL, which means false/none; data/instruments/persistence
-- writes every value.
ALTER TABLE instrument_criteria ADD COLUMN no_case_allowed BOOLEAN;
ALTER TABLE instrument_criteria ADD COLUMN stages VARCHAR;
ALTER TABLE instrument_criteria ADD COLUMN ratio_of VARCHAR;
ALTER TABLE instrument_sections ADD COLUMN scope VARCHAR;
