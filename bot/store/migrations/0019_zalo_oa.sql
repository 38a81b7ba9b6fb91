-- Zalo Official Accounts: a commune may name its OA; each OA's tokens (the refresh token is
-- single-use, so the pair is replaced in one statement before it is used); a consent link's
-- PKCE verifier until its code comes back; and on each zalo_oa account the OA it follows
-- and its last interaction (the 7-day window), so deleting the account takes them too.
ALTER TABLE communes ADD COLUMN zalo_oa_id TEXT;
CREATE UNIQUE INDEX communes_zalo_oa ON communes (zalo_oa_id) WHERE zalo_oa_id IS NOT NULL;

CREATE TABLE zalo_oa_tokens (
    oa_id              TEXT PRIMARY KEY,
    access_token       TEXT,            -- NULL: refresh before the first call
    access_expires_at  TEXT,
    refresh_token      TEXT NOT NULL,
    refresh_expires_at TEXT,
    generation         INTEGER NOT NULL DEFAULT 1,  -- +1 with every new pair
    updated_at         TEXT NOT NULL,
    failed_at          TEXT,            -- the last refresh that failed (an admin must act)
    failure            TEXT
) WITHOUT ROWID;

CREATE TABLE zalo_oa_consents (
    commune_id INTEGER PRIMARY KEY REFERENCES communes(id) ON DELETE CASCADE,
    verifier   TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

ALTER TABLE accounts ADD COLUMN oa_id TEXT;
ALTER TABLE accounts ADD COLUMN interacted_at TEXT;
