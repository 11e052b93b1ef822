-- 008: the audit trail names what changed, where it came from and why.
-- Every changed value keeps one row in audit_log (old, new, who, when, why). These columns let the audit page
-- filter by contest, entrant, judge and criterion without parsing entity_key, say which path wrote the change
-- (form, import, kobo, reopen, protest, restore, evidence, setup), and link a change to the row that explains
-- it (ref_audit_id: e.g. the reopen whose reason the following score changes answer to).

ALTER TABLE audit_log ADD COLUMN source VARCHAR;
ALTER TABLE audit_log ADD COLUMN competition_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN stage VARCHAR;
ALTER TABLE audit_log ADD COLUMN entrant_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN judge_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN criterion_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN ref_audit_id BIGINT;

-- Rows written before this migration: their keys are "competition/stage/entrant/judge/criterion" prefixes.
UPDATE audit_log SET
    competition_id = CASE WHEN entity IN ('score', 'form', 'stage', 'assignment', 'competition', 'protest', 'entrant')
                          THEN split_part(entity_key, '/', 1) END,
    stage          = CASE WHEN entity IN ('score', 'form', 'stage', 'assignment', 'protest')
                          THEN nullif(split_part(entity_key, '/', 2), '') END,
    entrant_id     = CASE WHEN entity IN ('score', 'form', 'assignment', 'protest')
                          THEN nullif(split_part(entity_key, '/', 3), '') END,
    judge_id       = CASE WHEN entity IN ('score', 'form', 'assignment')
                          THEN nullif(split_part(entity_key, '/', 4), '') END,
    criterion_id   = CASE WHEN entity = 'score' THEN nullif(split_part(entity_key, '/', 5), '') END,
    source         = CASE WHEN action = 'import' THEN 'import' WHEN action = 'reopen' THEN 'reopen'
                          WHEN action IN ('score', 'submit') THEN 'form' ELSE 'setup' END;
