-- Photos and voice notes are kept by anninh itself (bot/media.py): each row names its file by
-- its media key (the SHA-256 of its bytes, in hex). A Telegram file id is only a cache, absent
-- for what came through another channel. Rows from before this migration have no key.

-- SQLite cannot drop NOT NULL in place: report_media is rebuilt, its rows kept. Nothing refers
-- to it, and it has no index besides its primary key.
CREATE TABLE report_media_new (
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'photo' CHECK (kind IN ('photo', 'voice')),
    file_id        TEXT,  -- Telegram's, a cache
    file_unique_id TEXT,
    media_key      TEXT,
    PRIMARY KEY (report_id, position),
    CHECK (file_id IS NOT NULL OR media_key IS NOT NULL)
) WITHOUT ROWID;
INSERT INTO report_media_new (report_id, position, kind, file_id, file_unique_id)
    SELECT report_id, position, kind, file_id, file_unique_id FROM report_media;
DROP TABLE report_media;
ALTER TABLE report_media_new RENAME TO report_media;

-- The voice note told as a report's description (voice_file_id is its Telegram cache).
ALTER TABLE reports ADD COLUMN voice_media_key TEXT;

-- A photo sent in a reply about a report, or added with "Bổ sung" (file_id is the cache).
ALTER TABLE report_messages ADD COLUMN media_key TEXT;
