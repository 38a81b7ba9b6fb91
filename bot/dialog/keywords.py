"""Commands typed as words, for channels without a command menu (Zalo): "/baotin", "baotin",
"bao tin", "báo tin" and "Báo tin" are all /baotin; "tham gia HN01" is /thamgia HN01.

A keyword is the whole message, or the keyword and one argument of the shape its command takes
("tin TB-000123", "tham gia HN01"): a description that merely begins with "tổ …" is never taken
for /to, nor "tin cũ" ("old news") for /tin; such text goes to the open flow, or is answered as
a message outside any flow."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from bot.text import fold

CANCEL_WORDS = frozenset({"0", "huy", "cancel", "/huy", "/cancel", "thoat"})
MAX_WORDS = 3  # "tin da bao"


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS


def keyword_command(
    text: str, commands: Collection[str],
    with_argument: Mapping[str, re.Pattern[str]] | None = None,
) -> tuple[str, str] | None:
    """(command, argument) for a message that is a command; None for anything else. A
    slash command is a command whatever its name and argument (the caller answers unknown
    ones, the command a wrong argument); a keyword's argument must be one word that matches
    its command's shape in `with_argument`, whole."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head, _, argument = stripped.partition(" ")
        name = fold(head[1:].partition("@")[0]).replace(" ", "")
        return (name, argument.strip()) if name else None
    words, folded = stripped.split(), fold(stripped).split()
    if not folded or len(words) != len(folded):
        words = folded
    for size in range(min(MAX_WORDS, len(folded)), 0, -1):  # "tin mo" is /tinmo, not /tin mo
        joined = "".join(folded[:size])
        if joined not in commands:
            continue
        rest = words[size:]
        if not rest:
            return joined, ""
        shape = (with_argument or {}).get(joined)
        if shape is not None and len(rest) == 1 and shape.fullmatch(rest[0]):
            return joined, rest[0]
    return None
