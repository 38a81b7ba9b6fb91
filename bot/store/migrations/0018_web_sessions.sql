-- The officers' web console (bot/web): no passwords. A login link is a one-time token sent to
-- an officer (by the bot, or printed by `anninh web link`); only its SHA-256 is kept, and it
-- is taken once, within its ten minutes. Taking it opens a session: the browser holds the
-- session's token in a cookie, the database its SHA-256. Both go with the person (deleting
-- their data deletes them).
CREATE TABLE web_logins (
    token_hash  TEXT PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    via         TEXT NOT NULL,        -- chat | cli
    name        TEXT,                 -- how the officer's messenger names them (chat only)
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_logins_resident ON web_logins (resident_id, created_at);

CREATE TABLE web_sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    resident_id  INTEGER NOT NULL REFERENCES residents (id) ON DELETE CASCADE,
    csrf         TEXT NOT NULL,       -- the token every form of the session carries
    via          TEXT NOT NULL,       -- how its login link was given: chat | cli
    name         TEXT,                -- the officer's name on the card's status line
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX web_sessions_resident ON web_sessions (resident_id);
