-- Security-gong alarms (kẻng an ninh), stored in the shape of CAP 1.2, and who got each one.

CREATE TABLE alarms (
    id                INTEGER PRIMARY KEY,
    identifier        TEXT NOT NULL UNIQUE,                 -- CAP identifier
    commune_id        INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    caller_id         INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    caller_role       TEXT NOT NULL CHECK (caller_role IN ('leader', 'officer')),
    caller_name       TEXT NOT NULL,
    scope_kind        TEXT NOT NULL CHECK (scope_kind IN ('team', 'hamlet', 'commune')),
    scope_id          INTEGER NOT NULL,
    scope_name        TEXT NOT NULL,
    kind              TEXT NOT NULL,                        -- content/alarm_kinds.toml code
    note              TEXT,
    latitude          REAL,
    longitude         REAL,
    status            TEXT NOT NULL DEFAULT 'Actual'
                      CHECK (status IN ('Actual', 'Exercise', 'System', 'Test', 'Draft')),
    state             TEXT NOT NULL DEFAULT 'active'
                      CHECK (state IN ('active', 'all_clear', 'expired')),
    sent_at           TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    escalate_at       TEXT,                                 -- NULL once checked
    escalated_at      TEXT,
    ended_at          TEXT,
    ended_by          INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    caller_chat_id    INTEGER,
    caller_message_id INTEGER
);
CREATE INDEX alarms_caller ON alarms (caller_id, sent_at);
CREATE INDEX alarms_state ON alarms (state, escalate_at);

CREATE TABLE alarm_recipients (
    alarm_id     INTEGER NOT NULL REFERENCES alarms(id) ON DELETE CASCADE,
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    response     TEXT CHECK (response IN ('coming', 'cannot')),
    responded_at TEXT,
    PRIMARY KEY (alarm_id, resident_id)
) WITHOUT ROWID;
