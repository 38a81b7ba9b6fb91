"""Text helpers shared by every layer: cleaning free text, accent-insensitive matching.

Telegram's HTML (its lengths, splitting and validation) is bot/markup.py's."""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the form user-facing Vietnamese is stored in."""
    return unicodedata.normalize("NFC", text)


# Characters that draw nothing though Unicode classes them as letters, symbols or marks:
# Hangul fillers (a favourite for "empty" names), the Braille blank, the combining grapheme
# joiner and the Mongolian vowel separator.
_BLANK_CHARS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u180e")
# Categories that are never visible on their own: controls, format characters (zero-width
# space, joiners, U+2060, the BOM …), surrogates, private use, unassigned, separators.
_BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_MARKS = frozenset({"Mn", "Me"})  # combining marks: visible only on a base character
_KEPT_CONTROLS = frozenset("\n\t")


def _blank(char: str) -> bool:
    return (char.isspace() or char in _BLANK_CHARS
            or unicodedata.category(char) in _BLANK_CATEGORIES)


def clean(text: str | None) -> str:
    """Free text as the bot takes and stores it; "" when nothing visible is left.

    NFC; NUL and other control characters and lone surrogates removed (line breaks and tabs
    kept, CR LF made LF); blank and invisible characters (spaces, U+200B, U+2060, U+FEFF,
    U+3164 …) trimmed from both ends. A text of nothing but such characters, or of combining
    marks with nothing to combine with, is empty: the caller asks again."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = nfc("".join(char for char in text if char in _KEPT_CONTROLS
                       or unicodedata.category(char) not in ("Cc", "Cs")))
    start, end = 0, len(text)
    while start < end and (_blank(text[start]) or unicodedata.category(text[start]) in _MARKS):
        start += 1  # a mark at the start has nothing to combine with
    while end > start and _blank(text[end - 1]):
        end -= 1  # a mark at the end belongs to the letter before it: kept
    return text[start:end]


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


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, "…" marking a cut, which falls between words
    where one ends in the second half ("Cảnh giác lừa đảo qua…", never "… điện tho")."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2 and not text[limit - 1].isspace():
        cut = cut[:space]
    return cut.rstrip() + "…"
