-- A repeated press acts once. A report and an alarm carry the token of the conversation
-- draft they were made from: a second "Gửi" or "Phát kẻng" on the same draft finds the first
-- one instead of making another, even when both presses arrive in the same instant.
ALTER TABLE reports ADD COLUMN draft_token TEXT;
CREATE UNIQUE INDEX reports_draft_token ON reports (draft_token) WHERE draft_token IS NOT NULL;
ALTER TABLE alarms ADD COLUMN draft_token TEXT;
CREATE UNIQUE INDEX alarms_draft_token ON alarms (draft_token) WHERE draft_token IS NOT NULL;

-- Notification state: when the assigned team's leader said "Đã đến" for the current
-- assignment (the police group is told once; a new assignment clears it).
ALTER TABLE reports ADD COLUMN arrived_at TEXT;
