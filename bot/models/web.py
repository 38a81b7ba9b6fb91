"""The officers' web console: a browser's session (bot/store/web.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WebSession:
    id: int
    resident_id: int
    csrf: str
    via: str  # how its login link was given: chat | cli
    name: str | None  # how their messenger names the officer (the card's status line)
    created_at: str
    expires_at: str
    last_seen_at: str
    revoked_at: str | None
