-- Patrols (issue 14): a team's shifts (one-off or from a weekly series), who is assigned to
-- each, their check-ins and check-outs, declines with a reason, and reports filed from a
-- patrol. Times are UTC ISO 8601 as elsewhere; a series keeps its local weekday and time.

CREATE TABLE patrol_series (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),  -- 0 Monday … 6 Sunday
    start_time TEXT NOT NULL,                                   -- local HH:MM
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    note TEXT,
    everyone INTEGER NOT NULL DEFAULT 1,  -- every active member of the team at each shift
    created_by INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    stopped_at TEXT
);

-- The members chosen for a series that is not for everyone.
CREATE TABLE patrol_series_members (
    series_id INTEGER NOT NULL REFERENCES patrol_series(id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    PRIMARY KEY (series_id, resident_id)
);

CREATE TABLE patrol_shifts (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    series_id INTEGER REFERENCES patrol_series(id) ON DELETE SET NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    note TEXT,
    created_by INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    reminded_at TEXT,  -- the reminder was queued (in the same transaction): never twice
    cancelled_at TEXT,
    UNIQUE (series_id, starts_at)
);
CREATE INDEX patrol_shifts_team ON patrol_shifts (team_id, starts_at);
CREATE INDEX patrol_shifts_reminder ON patrol_shifts (reminded_at, starts_at);

CREATE TABLE patrol_assignments (
    shift_id INTEGER NOT NULL REFERENCES patrol_shifts(id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'assigned' CHECK (state IN ('assigned', 'declined')),
    reason TEXT,
    checked_in_at TEXT,
    checked_out_at TEXT,
    note TEXT,
    PRIMARY KEY (shift_id, resident_id)
);
CREATE INDEX patrol_assignments_resident ON patrol_assignments (resident_id);

-- A report filed from a patrol ("Báo tin từ ca tuần tra"); only named reports are linked.
CREATE TABLE patrol_reports (
    report_id INTEGER PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE,
    shift_id INTEGER NOT NULL REFERENCES patrol_shifts(id) ON DELETE CASCADE
);
CREATE INDEX patrol_reports_shift ON patrol_reports (shift_id);
