-- Person-to-person and group messages (relays about a report, and the notices telling their
-- writers whether they arrived) go through the outbox on a lane of their own, "personal":
-- below the gong, above announcements. Priorities become alarm 0 > personal 1 >
-- announcement 2 > propaganda 3. (SQLite cannot change a CHECK in place: the lane column is
-- renamed, added again with the new CHECK, copied and the old one dropped.)
ALTER TABLE broadcasts RENAME COLUMN lane TO lane_before_0010;
ALTER TABLE broadcasts ADD COLUMN lane TEXT NOT NULL DEFAULT 'announcement'
    CHECK (lane IN ('alarm', 'personal', 'announcement', 'propaganda'));
UPDATE broadcasts SET lane = lane_before_0010;
ALTER TABLE broadcasts DROP COLUMN lane_before_0010;
UPDATE outbox SET priority = priority + 1 WHERE priority >= 1;
CREATE INDEX broadcasts_origin ON broadcasts (origin);

-- When a message was given up on (failed or unreachable), so that recent failures can be
-- listed (OutboxStore.failures). Older failures get their broadcast's time.
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
UPDATE outbox SET failed_at = (SELECT coalesce(b.finished_at, b.created_at) FROM broadcasts b
                               WHERE b.id = outbox.broadcast_id)
    WHERE state IN ('failed', 'unreachable');
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;

-- A message relayed about a report. Its parts are broadcasts with origin 'relay:<id>' on the
-- personal lane; once every part is settled, the delivered messages are linked to the report
-- (a reply to them is for `party`) and the writer is told, in their language, whether it
-- arrived. The writer's chat and message are cleared once they have been told.
CREATE TABLE relays (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    party           TEXT NOT NULL CHECK (party IN ('reporter', 'leader')),
    notify_chat_id  INTEGER,
    notify_reply_to INTEGER,
    delivered_text  TEXT NOT NULL,
    failed_text     TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'delivered', 'failed')),
    created_at      TEXT NOT NULL,
    settled_at      TEXT
);
CREATE INDEX relays_queued ON relays (id) WHERE state = 'queued';
