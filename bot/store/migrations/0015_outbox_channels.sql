-- The outbox becomes multi-channel: every row names its channel. A Telegram row keeps its
-- integer chat id (as before; a forgotten person's row keeps its tombstone there); a row for
-- another messenger has its chat's id as text in `address` (Zalo's ids are hex strings).
-- Exactly one of the two is set. `message_id` has no declared type, so that Telegram's
-- integers and Zalo's text ids are both kept as given (a declared type would turn a Zalo id
-- of digits into a number and drop its leading zeros).
--
-- A broadcast reaches a chat once (broadcast, channel, chat) and a person once
-- (broadcast, person), whatever the channel. SQLite cannot change a table's constraints in
-- place: the table is built again and its rows copied. Rows that already held one person
-- twice in one broadcast (none should) keep every chat and lose the person on the later ones.
CREATE TABLE outbox_0015 (
    id           INTEGER PRIMARY KEY,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    resident_id  INTEGER REFERENCES residents(id) ON DELETE SET NULL,
    channel      TEXT NOT NULL DEFAULT 'telegram'
                 CHECK (channel IN ('telegram', 'zalo', 'zalo_oa')),
    chat_id      INTEGER,                           -- Telegram's chat id, else NULL
    address      TEXT,                              -- another messenger's chat id, else NULL
    priority     INTEGER NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unreachable')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   REAL NOT NULL DEFAULT 0,
    last_error   TEXT,
    message_id,                                     -- the messenger's id of the sent message
    ref          TEXT,                              -- e.g. the poll id of a quiz
    sent_at      TEXT,
    failed_at    TEXT,
    CHECK ((chat_id IS NULL) != (address IS NULL))
);
INSERT INTO outbox_0015 (id, broadcast_id, resident_id, channel, chat_id, address, priority,
                         state, attempts, not_before, last_error, message_id, ref, sent_at,
                         failed_at)
    SELECT id, broadcast_id,
           CASE WHEN resident_id IS NOT NULL AND row_number() OVER (
                    PARTITION BY broadcast_id, resident_id ORDER BY id) > 1
                THEN NULL ELSE resident_id END,
           'telegram', chat_id, NULL, priority, state, attempts, not_before, last_error,
           message_id, ref, sent_at, failed_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_0015 RENAME TO outbox;

CREATE UNIQUE INDEX outbox_chat_once ON outbox (broadcast_id, channel, coalesce(chat_id, address));
CREATE UNIQUE INDEX outbox_person_once ON outbox (broadcast_id, resident_id)
    WHERE resident_id IS NOT NULL;
-- Each channel claims its own rows, most urgent and oldest first.
CREATE INDEX outbox_due ON outbox (channel, priority, id) WHERE state = 'queued';
-- An unreachable chat's other queued rows.
CREATE INDEX outbox_chat ON outbox (channel, coalesce(chat_id, address)) WHERE state = 'queued';
CREATE INDEX outbox_open ON outbox (broadcast_id) WHERE state IN ('queued', 'sending');
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- Reachability is now per account: the outbox marks the account a message could not reach
-- (and the person once none of their accounts is reachable). Telegram accounts of people
-- already marked unreachable are marked too.
UPDATE accounts SET unreachable_at = (
        SELECT r.unreachable_at FROM residents r WHERE r.id = accounts.resident_id)
    WHERE channel = 'telegram' AND unreachable_at IS NULL AND EXISTS (
        SELECT 1 FROM residents r WHERE r.id = accounts.resident_id
        AND r.unreachable_at IS NOT NULL);
