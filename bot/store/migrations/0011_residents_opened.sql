-- When the person first wrote to the bot in a private chat: "opened the bot". Until then
-- Telegram refuses every message the bot starts (403 "bot can't initiate conversation"), so a
-- leader or officer who never opened it cannot be told anything. Whoever answered the consent
-- question had opened it.
ALTER TABLE residents ADD COLUMN opened_at TEXT;
UPDATE residents SET opened_at = coalesce(consent_at, created_at) WHERE consent != 'none';
