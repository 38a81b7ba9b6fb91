-- Who may do what, kept in the database.
--
-- A scheduled or repeating announcement whose creator is no longer an officer of its commune
-- when its time comes is held, not sent: held_reason says why, held_at when. The commune's
-- remaining officers see it in /lichphat (they may cancel it, or take a repeating one over).
ALTER TABLE broadcasts ADD COLUMN held_reason TEXT;
ALTER TABLE broadcasts ADD COLUMN held_at TEXT;
ALTER TABLE broadcast_schedules ADD COLUMN held_reason TEXT;
ALTER TABLE broadcast_schedules ADD COLUMN held_at TEXT;

-- A join code that did not lead to a request (unknown, or another commune's team): the throttle
-- counts the last hour's per person. The person is a keyed hash of their account (the key is
-- this database's own, in local_secrets), not a link to their row, so deleting one's data does
-- not reset the throttle and no row names anyone. Only the time is kept, never the code typed,
-- and every row is deleted once it is an hour old.
CREATE TABLE join_failures (
    subject TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX join_failures_subject ON join_failures (subject, at);

-- Keys this database generates for itself (never shown, never exported).
CREATE TABLE local_secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- A rejected join request: the same person may not ask that team again before the cooldown
-- ends, and its leader is not told again.
CREATE TABLE join_rejections (
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    rejected_at TEXT NOT NULL,
    PRIMARY KEY (team_id, resident_id)
) WITHOUT ROWID;

-- When a team's leader was last asked about this person's request: a request withdrawn and
-- made again within the cooldown is kept, but the leader is not asked again (join, withdraw,
-- join… must not become a way to pester them). A decision clears it.
CREATE TABLE join_notices (
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    notified_at TEXT NOT NULL,
    PRIMARY KEY (team_id, resident_id)
) WITHOUT ROWID;
