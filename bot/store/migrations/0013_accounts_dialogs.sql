-- A person (a residents row) may reach anninh on several messengers: each is an account
-- (channel, external id as text). Telegram accounts are copied from residents.telegram_id,
-- which stays as Telegram's fast path until every flow reads accounts.
CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    resident_id    INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    channel        TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo', 'zalo_oa')),
    external_id    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_seen_at   TEXT,            -- the person's last message on this account
    unreachable_at TEXT,
    UNIQUE (channel, external_id)
);
CREATE INDEX accounts_resident ON accounts (resident_id);
INSERT INTO accounts (resident_id, channel, external_id, created_at, last_seen_at)
    SELECT id, 'telegram', CAST(telegram_id AS TEXT), created_at, opened_at
    FROM residents WHERE telegram_id IS NOT NULL;

-- A second account is linked with a one-time code issued on an account the person already
-- uses (/lienket); only a hash of the code is kept.
CREATE TABLE link_codes (
    code_hash   TEXT PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL
) WITHOUT ROWID;

-- The open conversation of each person (one at most): the flow, its step, its draft (JSON),
-- and the prompt it is waiting on (its choices, so a typed "1" answers it).
CREATE TABLE dialogs (
    resident_id INTEGER PRIMARY KEY REFERENCES residents(id) ON DELETE CASCADE,
    flow        TEXT NOT NULL,
    step        TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    channel     TEXT NOT NULL,
    address     TEXT NOT NULL,      -- the chat the flow talks in
    prompt_seq  INTEGER NOT NULL DEFAULT 0,
    choices     TEXT NOT NULL DEFAULT '[]',
    updated_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX dialogs_expiry ON dialogs (expires_at);

-- Messages already taken in, per channel: a message delivered twice is taken once.
CREATE TABLE inbound_seen (
    channel    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (channel, message_id)
) WITHOUT ROWID;
CREATE INDEX inbound_seen_age ON inbound_seen (seen_at);
