"""A typed answer to a prompt's choices: by its number (where the channel shows numbers) or
by the label's words, accent-, case- and emoji-insensitive."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialog.kit import Choice
from bot.text import fold


def match(typed: str, choices: Sequence[Choice], *, numbered: bool) -> Choice | None:
    """The one choice `typed` names; None when it names none or several."""
    wanted = typed.strip().rstrip(".")
    if numbered and wanted.isascii() and wanted.isdigit():
        index = int(wanted)
        return choices[index - 1] if 1 <= index <= len(choices) else None
    folded = fold(typed)
    if not folded:
        return None
    found = [c for c in choices if fold(c.label) == folded]
    return found[0] if len(found) == 1 else None
