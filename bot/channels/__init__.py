"""One adapter per messenger: inbound events → neutral input; neutral replies → messages."""
