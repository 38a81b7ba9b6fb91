-- A Zalo OA follower silent for over 7 days cannot be sent ordinary news (Zalo's window):
-- such an outbox row is settled 'skipped' (its broadcast closes as usual) and, for the lanes
-- that wait, noted here until `until` (ISO 8601, UTC). When the follower next writes or
-- presses a button the row is queued again and goes out inside the window (free); after
-- `until` it simply stays skipped. `address` is the follower's id the row was for: erasing a
-- person clears the row's address, which ends its wait.
CREATE TABLE zalo_oa_waiting (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox(id) ON DELETE CASCADE,
    address   TEXT NOT NULL,
    until     TEXT NOT NULL
);
CREATE INDEX zalo_oa_waiting_address ON zalo_oa_waiting (address);
