-- Points for verified contributions (issue 14). One row per award; the same rule for the same
-- thing awards once (a report reopened and resolved again earns nothing more). The person's
-- rows go with their data; the subject says what earned it, for that person's /diem only.

CREATE TABLE points (
    id INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    points INTEGER NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    UNIQUE (resident_id, rule, subject_type, subject_id)
);

CREATE INDEX points_by_resident ON points (resident_id, at);
