-- Panitia's audit page (Jejak Audit) filters the trail by contest, entrant, judge and criterion (issue #15): at
-- national size audit_log holds a row per save (tens of millions), and each filter scanned all of them. An index
-- per filtered column lets a selective filter (an entrant's or a judge's rows) be looked up; the page's query
-- names only the filters given (data.judging.audit.audit_trail), so DuckDB can use them.
CREATE INDEX audit_log_competition ON audit_log (competition_id);
CREATE INDEX audit_log_entrant ON audit_log (entrant_id);
CREATE INDEX audit_log_judge ON audit_log (judge_id);
CREATE INDEX audit_log_criterion ON audit_log (criterion_id);
