-- Personal data (Decree 13/2023/NĐ-CP).

-- A report's hamlet is where the incident happened, never where its reporter lives. Until now
-- it was copied from the reporter's own hamlet, which names the reporter of an anonymous
-- report in a small hamlet: those values are not the incident's, so they go.
UPDATE reports SET hamlet_id = NULL;

-- Alarm recipients who have since deleted their data: their rows in alarm_recipients go with
-- them, only these counts stay, so the commune's alarm figures keep meaning what they meant.
CREATE TABLE alarm_forgotten (
    alarm_id   INTEGER PRIMARY KEY REFERENCES alarms(id) ON DELETE CASCADE,
    recipients INTEGER NOT NULL DEFAULT 0,
    coming     INTEGER NOT NULL DEFAULT 0
);
