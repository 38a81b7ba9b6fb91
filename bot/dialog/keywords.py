"""Commands typed as words, for channels without a command menu (Zalo): "/baotin", "baotin",
"bao tin", "báo tin" and "Báo tin" are all /baotin; "tham gia HN01" is /thamgia HN01.

A keyword is the whole message (plus one argument for the commands that take one), so a
description that merely begins with "tổ …" is never taken for /to."""

from __future__ import annotations

from collections.abc import Collection

from bot.text import fold

CANCEL_WORDS = frozenset({"0", "huy", "cancel", "/huy", "/cancel", "thoat"})
MAX_WORDS = 3  # "tin da bao"


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS


def keyword_command(
    text: str, commands: Collection[str], with_argument: Collection[str] = ()
) -> tuple[str, str] | None:
    """(command, argument) for a message that is a command; None for anything else. A
    slash command is a command whatever its name (the caller answers unknown ones)."""
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
        if joined in with_argument and len(rest) == 1:
            return joined, rest[0]
    return None
