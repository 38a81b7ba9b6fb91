-- Reach and cost on a Zalo Official Account: each outbox row may say how it reached its
-- person (`reach`: free — a consultation message within 48 h of their last interaction;
-- billable — one between 48 h and 7 days; zbs — a paid ZBS template message outside the
-- window; outside_window — not sent: an ordinary announcement or propaganda to someone who
-- has not interacted for 7 days). A row not sent for that reason is settled in a state of
-- its own, 'skipped': it is no failure, and it is never silent.
--
-- SQLite cannot change a CHECK constraint in place: the table is built again (as in 0015)
-- and its rows copied, columns named one by one.
CREATE TABLE outbox_0022 (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    resident_id  INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    channel      TEXT NOT NULL DEFAULT 'telegram'
                 CHECK (channel IN ('telegram', 'zalo', 'zalo_oa')),
    chat_id      INTEGER,                           -- Telegram's chat id, else NULL
    address      TEXT,                              -- another messenger's chat id, else NULL
    priority     INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unreachable',
                                  'skipped')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   REAL NOT NULL DEFAULT 0,
    last_error   TEXT,
    message_id,                                     -- the messenger's id of the sent message
    ref          TEXT,                              -- e.g. the poll id of a quiz
    sent_at      TEXT,
    failed_at    TEXT,
    reach        TEXT CHECK (reach IN ('free', 'billable', 'zbs', 'outside_window')),
    CHECK ((chat_id IS NULL) != (address IS NULL))
);
INSERT INTO outbox_0022 (id, broadcast_id, resident_id, channel, chat_id, address, priority,
                         state, attempts, not_before, last_error, message_id, ref, sent_at,
                         failed_at)
    SELECT id, broadcast_id, resident_id, channel, chat_id, address, priority, state, attempts,
           not_before, last_error, message_id, ref, sent_at, failed_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_0022 RENAME TO outbox;

CREATE UNIQUE INDEX outbox_chat_once ON outbox (broadcast_id, channel, coalesce(chat_id, address));
CREATE UNIQUE INDEX outbox_person_once ON outbox (broadcast_id, resident_id)
    WHERE resident_id IS NOT NULL;
CREATE INDEX outbox_due ON outbox (channel, priority, id) WHERE state = 'queued';
CREATE INDEX outbox_chat ON outbox (channel, coalesce(chat_id, address)) WHERE state = 'queued';
CREATE INDEX outbox_open ON outbox (broadcast_id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
-- The OA's figures: a broadcast's reach, and a month's.
CREATE INDEX outbox_reach ON outbox (broadcast_id, reach) WHERE reach IS NOT NULL;
