-- When the scheduler first saw each campaign file. A campaign has no slots before that moment:
-- a new file whose schedule had slots earlier today sends nothing for them.
CREATE TABLE campaign_seen (
    campaign_id   TEXT PRIMARY KEY,
    first_seen_at TEXT NOT NULL
) WITHOUT ROWID;

-- A campaign that already has recorded slots was seen by its first slot at the latest.
INSERT INTO campaign_seen (campaign_id, first_seen_at)
SELECT substr(source, length('campaign:') + 1), min(slot_at)
FROM schedule_slots WHERE source LIKE 'campaign:%' GROUP BY source;
