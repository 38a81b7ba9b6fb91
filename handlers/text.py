"""Small text helpers every flow shares: escaping user text for the bot's markup, clipping
names in long lists."""

from __future__ import annotations

from html import escape


def esc(value: object) -> str:
    return escape(str(value), quote=False)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, "…" marking the cut (names in long lists)."""
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
