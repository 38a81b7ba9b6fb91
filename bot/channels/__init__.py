"""One adapter per messenger: inbound events → neutral input for bot/dialog; prompts and
outbox messages → that messenger's messages (telegram/, zalo_bot/, …)."""
