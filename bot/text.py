"""Text helpers shared by every layer: accent-insensitive matching and safe lengths."""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the form user-facing Vietnamese is stored in."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold `text` for matching: lower case, no diacritics, đ → d, no emoji, single spaces.

    "Trộm cắp" and "trom cap" fold to the same string; so do "🔔 Đồng ý" and "dong y".
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":  # combining marks: the diacritics
            continue
        if category in ("So", "Sk", "Cf", "Cs", "Co"):  # symbols, emoji, joiners
            kept.append(" ")
            continue
        kept.append(char)
    return " ".join("".join(kept).casefold().split())


def matches(label: str, wanted: str) -> bool:
    """True when `wanted` names `label`, ignoring case, diacritics and emoji."""
    folded_label, folded_wanted = fold(label), fold(wanted)
    return folded_label == folded_wanted or (
        bool(folded_wanted) and folded_wanted in folded_label
    )
