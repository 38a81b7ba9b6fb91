-- Incident reports (báo tin), their photos, relayed messages and escalation.
-- Review state (state) and notification state (staff_*, escalation_*) are separate columns.
-- Times are ISO 8601 strings with offset (UTC), written by the application from its clock.

CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    commune_id        INTEGER REFERENCES communes(id) ON DELETE SET NULL,
    hamlet_id         INTEGER REFERENCES hamlets(id) ON DELETE SET NULL,
    -- The link to the resident: kept for relaying and /tindabao, never shown when anonymous;
    -- set to NULL when the resident erases their data (the report stays).
    reporter_id       INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    anonymous         INTEGER NOT NULL DEFAULT 0,
    category          TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    description       TEXT NOT NULL,
    voice_file_id     TEXT,
    latitude          REAL,
    longitude         REAL,
    address           TEXT,
    state             TEXT NOT NULL DEFAULT 'submitted'
                      CHECK (state IN ('submitted', 'accepted', 'assigned', 'resolved', 'rejected')),
    state_note        TEXT,
    team_id           INTEGER REFERENCES teams(id) ON DELETE SET NULL,
    duplicate_of      INTEGER REFERENCES reports(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    -- notification state
    staff_chat_id     INTEGER,
    staff_message_id  INTEGER,
    escalation_level  INTEGER NOT NULL DEFAULT 0,  -- 0 none, 1 raised in the group, 2 officers told
    escalate_at       TEXT                          -- next deadline; NULL when nothing is due
);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at);
CREATE INDEX reports_commune ON reports (commune_id, state, created_at);
CREATE INDEX reports_escalate ON reports (escalate_at) WHERE escalate_at IS NOT NULL;
CREATE INDEX reports_nearby ON reports (commune_id, category, created_at);

-- Photos (Telegram file ids) of a report, and of later additions.
CREATE TABLE report_media (
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'photo' CHECK (kind IN ('photo', 'voice')),
    file_id        TEXT NOT NULL,
    file_unique_id TEXT NOT NULL,
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;

-- Every message exchanged about a report after it was filed (additions, relays).
CREATE TABLE report_messages (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    author     TEXT NOT NULL CHECK (author IN ('reporter', 'officer', 'leader')),
    actor_id   INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    text       TEXT,
    file_id    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id);

-- Which bot message (in the staff group, or in a reporter's or leader's chat) is about
-- which report: a reply to it is relayed to the other side.
CREATE TABLE report_links (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    report_id  INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
