-- The figures over a period (bot/store/stats.py) without reading the audit log per report:
-- when a report was first acted on (accepted, assigned, resolved or rejected) and first
-- resolved, set once by ReportStore.change_state and filled here from the audit log.
ALTER TABLE reports ADD COLUMN first_acted_at TEXT;
ALTER TABLE reports ADD COLUMN resolved_at TEXT;

UPDATE reports SET
    first_acted_at = (SELECT min(a.at) FROM audit_log a WHERE a.subject_type = 'report'
                      AND a.subject_id = reports.id AND a.action IN
                      ('report.accept', 'report.assign', 'report.resolve', 'report.reject')),
    resolved_at = (SELECT min(a.at) FROM audit_log a WHERE a.subject_type = 'report'
                   AND a.subject_id = reports.id AND a.action = 'report.resolve');

-- A period's reports by category, hamlet and state; and their times, read from the index.
CREATE INDEX reports_figures ON reports (commune_id, category, hamlet_id, state, created_at);
CREATE INDEX reports_times ON reports (commune_id, created_at, first_acted_at, resolved_at);
