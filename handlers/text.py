"""Small text helpers every flow shares: escaping user text for the bot's markup, clipping
names in long lists, ids read from a choice's value."""

from __future__ import annotations

from html import escape

from bot.text import clip

__all__ = ["as_id", "clip", "esc"]


def esc(value: object) -> str:
    return escape(str(value), quote=False)


MAX_ID = 2**63 - 1  # the largest INTEGER SQLite stores


def as_id(part: str | None) -> int | None:
    """An id from a choice's value or a typed argument: ASCII digits from 1 to MAX_ID; None
    for anything else (negative, zero, too large for SQLite, not a number): a crafted or
    corrupted value, acted on never."""
    if part is None or not part.isascii() or not part.isdigit() or len(part) > 19:
        return None
    value = int(part)
    return value if 0 < value <= MAX_ID else None
