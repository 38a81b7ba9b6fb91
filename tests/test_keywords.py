"""Commands typed as words (bot/dialog/keywords.py): a keyword with an argument is a command
only where that command takes an argument of that shape."""

from __future__ import annotations

import pytest

from bot.channels.keyword_chat import WITH_ARGUMENT
from bot.dialog.keywords import keyword_command
from handlers.help import COMMANDS as PRODUCT

COMMANDS = PRODUCT | {"totruong", "setleader"}  # and the runner's own


@pytest.mark.parametrize(("text", "command"), [
    ("tin TB-000123", ("tin", "TB-000123")),
    ("Tin tb-42", ("tin", "tb-42")),
    ("tin 123", ("tin", "123")),
    ("tham gia HN01", ("thamgia", "HN01")),
    ("Tham gia hnxeom", ("thamgia", "hnxeom")),
    ("liên kết ABCD-2345", ("lienket", "ABCD-2345")),
    ("tổ trưởng hn-01", ("totruong", "hn-01")),
    ("start join_HN01", ("start", "join_HN01")),
    ("báo tin", ("baotin", "")),
    ("tin", ("tin", "")),
    ("/tin cũ", ("tin", "cũ")),  # a slash command is one whatever follows (it says its usage)
])
def test_a_keyword_with_an_argument_of_its_shape_is_the_command(
    text: str, command: tuple[str, str]
) -> None:
    assert keyword_command(text, COMMANDS, WITH_ARGUMENT) == command


@pytest.mark.parametrize("text", [
    "tin cũ",  # "old news", not /tin
    "tin mới",
    "tin TB-000123 gấp",
    "tham gia nhé",
    "tham gia đi",
    "liên kết ngay",
    "tổ trưởng ơi",
    "báo tin trộm",  # a keyword that takes no argument, then words
    "tổ dân phố em có trộm",
])
def test_free_text_that_begins_with_a_keyword_is_not_a_command(text: str) -> None:
    assert keyword_command(text, COMMANDS, WITH_ARGUMENT) is None
