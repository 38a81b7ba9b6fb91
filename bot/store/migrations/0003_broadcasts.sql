-- Broadcasts and their durable outbox; repeating schedules, recorded slots, campaign state,
-- quiz answers. Times are ISO 8601 strings with offset (UTC); outbox.not_before is Unix seconds.

-- One message to many people. lane: alarm > announcement > propaganda (priority 0, 1, 2).
-- state: scheduled (waits for send_at) → queued (outbox written) → done | cancelled.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    commune_id          INTEGER REFERENCES communes(id) ON DELETE SET NULL,
    lane                TEXT NOT NULL CHECK (lane IN ('alarm', 'announcement', 'propaganda')),
    payload             TEXT NOT NULL,              -- JSON of bot.models.OutMessage
    audience            TEXT NOT NULL DEFAULT '{}', -- JSON of bot.models.Audience
    urgent              INTEGER NOT NULL DEFAULT 0,
    state               TEXT NOT NULL DEFAULT 'queued'
                        CHECK (state IN ('scheduled', 'queued', 'done', 'cancelled')),
    send_at             TEXT,
    origin              TEXT NOT NULL DEFAULT 'chat', -- chat | cli | campaign:<id> | schedule:<id> | alarm
    created_by          INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER,
    total               INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    finished_at         TEXT
);
CREATE INDEX broadcasts_state ON broadcasts (state, send_at);

-- One row per (broadcast, recipient): what the delivery engine drains.
-- state: queued → sending (claimed by the engine) → sent | failed | unreachable.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    resident_id  INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    chat_id      INTEGER NOT NULL,
    priority     INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unreachable')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   REAL NOT NULL DEFAULT 0,
    last_error   TEXT,
    message_id   INTEGER,
    ref          TEXT,                              -- e.g. the poll id of a quiz
    sent_at      TEXT,
    UNIQUE (broadcast_id, chat_id)
);
CREATE INDEX outbox_due ON outbox (priority, id) WHERE state = 'queued';
CREATE INDEX outbox_chat ON outbox (chat_id) WHERE state = 'queued';
CREATE INDEX outbox_open ON outbox (broadcast_id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;

-- Announcements an officer set to repeat (cron, in the configured time zone).
CREATE TABLE broadcast_schedules (
    id         INTEGER PRIMARY KEY,
    commune_id INTEGER NOT NULL REFERENCES communes(id) ON DELETE CASCADE,
    payload    TEXT NOT NULL,
    audience   TEXT NOT NULL DEFAULT '{}',
    cron       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

-- Every scheduled slot, once: source is 'campaign:<id>' or 'schedule:<id>'.
CREATE TABLE schedule_slots (
    source       TEXT NOT NULL,
    slot_at      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('sent', 'missed', 'skipped')),
    broadcast_id INTEGER REFERENCES broadcasts(id) ON DELETE SET NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (source, slot_at)
) WITHOUT ROWID;

-- Campaigns live in files; whether an officer paused one lives here.
CREATE TABLE campaign_state (
    campaign_id TEXT PRIMARY KEY,
    paused      INTEGER NOT NULL DEFAULT 0,
    changed_by  INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    changed_at  TEXT NOT NULL
) WITHOUT ROWID;

-- A resident's answer to a campaign quiz (the first one counts), for points later.
CREATE TABLE quiz_answers (
    resident_id  INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    campaign_id  TEXT NOT NULL,
    option       INTEGER NOT NULL,
    correct      INTEGER NOT NULL,
    answered_at  TEXT NOT NULL,
    PRIMARY KEY (resident_id, broadcast_id)
) WITHOUT ROWID;
