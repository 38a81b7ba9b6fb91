"""A typed answer to a prompt's choices: by its number (where the channel shows numbers) or
by the label's words, accent-, case-, emoji- and punctuation-insensitive."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.dialog.kit import Choice
from bot.text import fold


def match(typed: str, choices: Sequence[Choice], *, numbered: bool) -> Choice | None:
    """The one choice `typed` names; None when it names none or several. A number chooses
    only where the channel shows numbers (`numbered`)."""
    if not numbered and _NUMBER.match(typed.strip()):
        return None
    index = match_choice(typed, [choice.label for choice in choices])
    return None if index is None else choices[index]


def _words(text: str) -> str:
    """Lower case, no accents, no emoji, no punctuation: "🚨 Trộm cắp!" → "trom cap"."""
    return " ".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


_NUMBER = re.compile(r"^([0-9]+)[.)]?(?:\s+(.*))?$", re.DOTALL)


def match_choice(typed: str, labels: Sequence[str]) -> int | None:
    """The index into `labels` that `typed` picks, or None.

    A number picks by position ("2" → index 1; a copied line "2. Bỏ qua" works too); words
    pick the label they name, ignoring case, accents, emoji and punctuation. An exact match
    wins; else the label that holds the typed words, if exactly one does. Ambiguous → None."""
    stripped = typed.strip()
    number = _NUMBER.match(stripped)
    if number is not None:
        index = int(number[1]) - 1
        in_range = 0 <= index < len(labels)
        if not number[2]:
            return index if in_range else None
        if in_range and _words(number[2]) == _words(labels[index]):
            return index
    wanted = _words(stripped)
    if not wanted:
        return None
    folded = [_words(label) for label in labels]
    exact = [index for index, label in enumerate(folded) if label == wanted]
    if exact:
        return exact[0] if len(exact) == 1 else None
    if len(wanted) < 2:
        return None
    loose = [index for index, label in enumerate(folded) if f" {wanted} " in f" {label} "]
    return loose[0] if len(loose) == 1 else None
