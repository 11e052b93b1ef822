-- 008 (PostgreSQL): the audit trail names what changed, where it came from and why (DuckDB's 008_audit_detail.sql).

ALTER TABLE audit_log ADD COLUMN source VARCHAR;
ALTER TABLE audit_log ADD COLUMN competition_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN stage VARCHAR;
ALTER TABLE audit_log ADD COLUMN entrant_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN judge_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN criterion_id VARCHAR;
ALTER TABLE audit_log ADD COLUMN ref_audit_id BIGINT;
CREATE INDEX audit_log_by_competition ON audit_log (competition_id);
