-- 012 (PostgreSQL): the audit page filters the trail by entrant, judge and criterion (DuckDB's
-- 012_audit_filters.sql; the competition's index is 008's).

CREATE INDEX audit_log_entrant ON audit_log (entrant_id);
CREATE INDEX audit_log_judge ON audit_log (judge_id);
CREATE INDEX audit_log_criterion ON audit_log (criterion_id);
