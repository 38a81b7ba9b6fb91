-- When the messenger says a message reached the person's device: a Zalo ZBS template's
-- delivery receipt (`user_received_message` naming the template's tracking_id, kept in the
-- row's ref as 'zbs:<tracking_id>'). NULL: no receipt (yet, or the messenger sends none).
ALTER TABLE outbox ADD COLUMN received_at TEXT;
