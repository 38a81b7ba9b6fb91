-- Choices sent outside any flow (the gong's "Đang đến" / "Không thể", a leader's "Duyệt" …) to
-- a chat that shows choices as numbered lines (Zalo): a typed number or label is matched
-- against them, the newest prompt first. Telegram needs none of this (its buttons carry the
-- action themselves).
CREATE TABLE open_prompts (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    choices    TEXT NOT NULL,       -- JSON [[label, action], …]
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX open_prompts_chat ON open_prompts (channel, address, created_at);
CREATE INDEX open_prompts_expiry ON open_prompts (expires_at);

-- A prompt offered to a chat while a flow is open there is newer than the flow's question:
-- the flow's row remembers the first such prompt, until the flow asks again.
ALTER TABLE dialogs ADD COLUMN shadowed_by INTEGER;
