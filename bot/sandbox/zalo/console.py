"""The terminal chat as a Zalo resident (`anninh sandbox --channel zalo`).

The Zalo Bot Platform has no buttons: the bot lists choices as `1. Label` lines, and a person
answers by typing the number (or the words). So here a typed number is sent as it is, like
any other text. Console commands: `/photo [CAPTION]` sends an image, `/sticker` a sticker,
`/as N [NAME]` switches persona (N becomes a Zalo id with `zalo_id(N)`), `/who`, `/quit`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.sandbox.console import ChatConsole, InputFn
from bot.sandbox.zalo.emulator import ZaloSandbox
from bot.sandbox.zalo.people import SimZaloUser
from bot.sandbox.zalo.views import one_line, split_choices
from bot.sandbox.zalo.world import ZaloEvent


class ZaloConsole(ChatConsole[SimZaloUser]):
    HELP = (
        "Zalo: type to chat as {name}; there are no buttons, so answer a choice by typing its "
        "number (or its words). Keywords, not slash commands: “báo tin”, “menu”, “trợ giúp”; "
        "“0” or “hủy” cancels. /photo [CAPTION] sends an image, /sticker a sticker, "
        "/as N [NAME] switches persona, /who lists personas, /quit leaves."
    )

    def __init__(self, zalo: ZaloSandbox, people: dict[int, SimZaloUser], output: TextIO) -> None:
        super().__init__(people, output)
        self.zalo = zalo

    def person(self, user_id: int, name: str) -> SimZaloUser:
        return self.zalo.user(user_id, name)

    async def act(self, word: str, rest: str, line: str) -> bool:
        del rest, line
        if word != "/sticker":
            return False  # a number is text on Zalo: it goes to the bot as typed
        await self.current.send_sticker()
        return True

    def on_event(self, event: ZaloEvent) -> None:
        """Print the bot's messages as they arrive: the text, then its numbered choices."""
        if event.kind != "bot_message":
            return
        who = "" if event.chat == self.current.name else f" → {event.chat}"
        marker = "" if event.detail in ("", "text") else f"[{event.detail}] "
        body, choices = split_choices(event.text)
        self.write(f"bot{who}: {marker}{one_line(body)}".rstrip())
        if choices:
            self.write("  " + "   ".join(f"{n}. {label}" for n, label in choices))


async def run_zalo_console(
    zalo: ZaloSandbox,
    personas: dict[int, str],
    *,
    input_fn: InputFn | None = None,
    output: TextIO | None = None,
) -> None:
    """Chat with the bot on Zalo from the terminal until `/quit` or end of input; the first
    persona speaks first."""
    output = sys.stdout if output is None else output
    people = {number: zalo.user(number, name) for number, name in personas.items()}
    if not people:
        people = {3001: zalo.user(3001, "Lan")}
    console = ZaloConsole(zalo, people, output)
    await console.run(input_fn, zalo.on_event(console.on_event))
