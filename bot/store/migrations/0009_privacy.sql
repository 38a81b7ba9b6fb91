-- Personal data (Decree 13/2023/NĐ-CP).

-- A report's hamlet is where the incident happened, never where its reporter lives. Until now
-- it was copied from the reporter's own hamlet, which names the reporter of an anonymous
-- report in a small hamlet: those values are not the incident's, so they go.
UPDATE reports SET hamlet_id = NULL;
