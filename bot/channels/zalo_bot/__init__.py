"""The Zalo Bot Platform channel: our own async client, update parsing, text rendering."""
