-- The honour board (issue 14): a person appears on it by name only if they chose to (/caidat).
ALTER TABLE residents ADD COLUMN on_board INTEGER NOT NULL DEFAULT 0;
