-- The Zalo OA webhook's inbox: each event Zalo posts is kept here (its raw body) before the
-- webhook answers 200, and deleted once the bot has handled it. Zalo does not post an event
-- again after a 200, so an event taken in and not yet handled when the bot stops is handled
-- from here at the next start (its msg_id keeps it from being acted on twice).
CREATE TABLE zalo_oa_inbox (
    id          INTEGER PRIMARY KEY,
    body        BLOB NOT NULL,
    received_at TEXT NOT NULL
);
