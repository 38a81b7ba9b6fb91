-- The yearly "An toàn về an ninh, trật tự" review (issue 14, Circular 124/2021/TT-BCA):
-- households commit to the movement at the start of the year ("Cam kết"), counted against the
-- hamlet's household count from the areas file. The least personal data: the hamlet and the
-- household's number or address as the resident typed it (and its folded form, to find the
-- same household written twice). One commitment per household a year, and per person a year;
-- it goes with the person's data (CASCADE).

ALTER TABLE hamlets ADD COLUMN households INTEGER CHECK (households IS NULL OR households >= 0);

CREATE TABLE household_commitments (
    id INTEGER PRIMARY KEY,
    year INTEGER NOT NULL,
    hamlet_id INTEGER NOT NULL REFERENCES hamlets(id) ON DELETE CASCADE,
    household TEXT NOT NULL,       -- as typed: "số 12" or "12 đường liên ấp"
    household_key TEXT NOT NULL,   -- folded: accents, case, punctuation and spacing ignored
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    committed_at TEXT NOT NULL,
    UNIQUE (year, hamlet_id, household_key),
    UNIQUE (year, resident_id)
);
CREATE INDEX household_commitments_hamlet ON household_commitments (hamlet_id, year);
