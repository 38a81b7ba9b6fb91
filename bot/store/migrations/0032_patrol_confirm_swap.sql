-- Patrols, continued (issue 14): the leader confirms who did a shift (then, and only then,
-- the patrol's points), where a member was when they checked in (optional: a shared location
-- or a typed place), and swaps of a shift between two members of the team.

ALTER TABLE patrol_assignments ADD COLUMN confirmed_at TEXT;
ALTER TABLE patrol_assignments ADD COLUMN confirmed_by INTEGER
    REFERENCES residents(id) ON DELETE SET NULL;
ALTER TABLE patrol_assignments ADD COLUMN place TEXT;  -- typed at check-in
ALTER TABLE patrol_assignments ADD COLUMN lat REAL;
ALTER TABLE patrol_assignments ADD COLUMN lon REAL;

-- A member asks another to take their place on a shift; the other accepts or declines.
CREATE TABLE patrol_swaps (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES patrol_shifts(id) ON DELETE CASCADE,
    from_resident INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    to_resident INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    state TEXT NOT NULL DEFAULT 'asked' CHECK (state IN ('asked', 'accepted', 'declined')),
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX patrol_swaps_shift ON patrol_swaps (shift_id);
