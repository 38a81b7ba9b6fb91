"""bot.text.clean: free text as the bot takes and stores it."""

from __future__ import annotations

import pytest

from bot.text import clean, clip

EMPTY = [
    None, "", " ", "\n\t \r\n", "\u200b", "\u200b\u200c\u200d", "\u2060", "\ufeff", "\u3164",
    "\u115f\u1160\uffa0", "\u2800", "\x00", "\x00\x01\x1f\x7f", "\u0301", "\u034f\u180e",
    "\u00a0\u2003\u3000", "\u2028\u2029", "\U000e0041", "\ud800", "\ufe0f",
]


@pytest.mark.parametrize("text", EMPTY, ids=repr)
def test_nothing_visible_is_empty(text: str | None) -> None:
    assert clean(text) == ""


@pytest.mark.parametrize(("text", "stored"), [
    ("  Mất xe máy  ", "Mất xe máy"),
    ("\u200bMất xe\u200b", "Mất xe"),
    ("Mất\x00 xe", "Mất xe"),
    ("dòng 1\r\ndòng 2\rdòng 3", "dòng 1\ndòng 2\ndòng 3"),
    ("cột\tcột", "cột\tcột"),
    ("Tie\u0302\u0301ng Vie\u0323\u0302t", "Tiếng Việt"),  # decomposed → NFC
    ("❤️", "❤️"),  # a variation selector at the end belongs to its emoji
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # joiners inside are kept
    ("a\ud800b", "ab"),  # a lone surrogate cannot even be stored by SQLite
    ("\u0301a", "a"),  # a mark with nothing before it
])
def test_visible_text_is_kept_without_controls_or_invisible_ends(
    text: str, stored: str
) -> None:
    assert clean(text) == stored


def test_a_clipped_label_ends_between_words() -> None:
    assert clip("Cảnh giác lừa đảo qua điện thoại", 30) == "Cảnh giác lừa đảo qua điện…"
    assert clip("Ngắn", 30) == "Ngắn"
    assert clip("Mộttừrấtdàikhôngcókhoảngtrắngnàocả", 10) == "Mộttừrấtd…"  # no space: cut
