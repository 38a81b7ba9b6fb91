-- Keys of the outside systems that file and follow reports through Open311 GeoReport v2
-- (bot/web/open311.py): a province's operation centre, a hotline operator's tool. Each key
-- belongs to one commune; only its SHA-256 is kept (the key itself is printed once, by
-- `anninh api-keys create`). A revoked key stays, so the audit's origin still names it.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    commune_id  INTEGER NOT NULL REFERENCES communes (id) ON DELETE CASCADE,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_keys_commune ON api_keys (commune_id);
