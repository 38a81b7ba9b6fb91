-- A message about a report remembers the relay that carried it (bot/services/relays.py), so
-- the web console can show whether an officer's words reached the reporter. Older messages,
-- and the reporter's additions (no relay), have none.
ALTER TABLE report_messages ADD COLUMN relay_id INTEGER REFERENCES relays(id) ON DELETE SET NULL;
