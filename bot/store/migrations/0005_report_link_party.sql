-- Whom a reply to a linked message is for: the reporter (the card, the reporter's relays and
-- chat) or the assigned team's leader (the task, the leader's relays and chat).
ALTER TABLE report_links ADD COLUMN party TEXT NOT NULL DEFAULT 'reporter'
    CHECK (party IN ('reporter', 'leader'));
