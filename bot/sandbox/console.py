"""An interactive terminal chat with the bot through the sandbox (`anninh sandbox`).

You type as the current persona; bot messages are printed as they arrive, with their buttons
numbered so that typing the number presses one. The console's own commands are `/as USER_ID
[NAME]`, `/loc LAT LON`, `/photo [CAPTION]`, `/contact`, `/who` and `/quit`; every other line
(other `/commands` included) goes to the bot as text.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from bot.sandbox.emulator import Sandbox
from bot.sandbox.people import SimUser
from bot.sandbox.views import Event, button_text, describe, inline_rows, keyboard_rows

InputFn = Callable[[str], str | Awaitable[str]]
JSON = dict[str, Any]

HELP = (
    "Type to chat as {name}. A number presses that button. "
    "/as ID [NAME] switches persona, /loc LAT LON shares a location, /photo sends a photo, "
    "/contact shares the phone number, /who lists personas, /quit leaves."
)


class Console:
    def __init__(self, sandbox: Sandbox, people: list[SimUser], output: TextIO) -> None:
        self.sandbox = sandbox
        self.people = {person.id: person for person in people}
        self.current = people[0]
        self.output = output

    def write(self, line: str) -> None:
        self.output.write(line + "\n")
        self.output.flush()

    def on_event(self, event: Event) -> None:
        """Print what the bot does, as it happens."""
        if event.kind == "callback_answer":
            if event.actor == self.current.name:
                self.write(f"  (bot answers: {event.detail})")
            return
        if event.kind not in ("bot_message", "edit") or event.message is None:
            return
        message = event.message
        chat_id = int(message["chat"]["id"])
        mark = "✎ " if event.kind == "edit" else ""
        who = "" if chat_id == self.current.chat_id else f" → {event.chat}"
        self.write(f"bot{who}: {mark}{describe(_without_buttons(message))}")
        labels = self.numbered(message)
        if labels:
            self.write("  " + "  ".join(f"[{n}] {label}" for n, label in enumerate(labels, 1)))

    @staticmethod
    def numbered(message: JSON) -> list[str]:
        inline = [button_text(b) for row in inline_rows(message) for b in row]
        return inline or [label for row in keyboard_rows(message) or [] for label in row]

    def newest_buttons(self) -> tuple[list[str], bool]:
        """Labels of the newest message with buttons in the current chat; True when inline."""
        for view in reversed(self.current.inbox):
            if view.deleted:
                continue
            if view.buttons:
                return [label for row in view.buttons for label in row], True
            if view.reply_keyboard:
                return [label for row in view.reply_keyboard for label in row], False
        return [], False

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the console should end."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        person = self.current
        if word == "/quit":
            return False
        if word == "/who":
            for pid, other in self.people.items():
                marker = "*" if other is person else " "
                self.write(f" {marker} {pid} {other.name}")
        elif word == "/as":
            self.switch(rest)
        elif word == "/loc":
            parts = rest.replace(",", " ").split()
            if len(parts) != 2:
                self.write("  usage: /loc LAT LON")
            else:
                await person.share_location(float(parts[0]), float(parts[1]))
        elif word == "/photo":
            await person.send_photo(caption=rest or None)
        elif word == "/contact":
            await person.share_contact()
        elif line.isdigit():
            await self.press_number(int(line), line)
        else:
            await person.send(line)
        return True

    def switch(self, rest: str) -> None:
        parts = rest.split(maxsplit=1)
        if not parts or not parts[0].lstrip("-").isdigit():
            self.write("  usage: /as USER_ID [NAME]")
            return
        user_id = int(parts[0])
        name = parts[1] if len(parts) > 1 else f"User {user_id}"
        person = self.people.get(user_id) or self.sandbox.user(user_id, first_name=name)
        self.people[user_id] = self.current = person
        self.write(f"  now chatting as {person.name} ({person.id})")

    async def press_number(self, number: int, line: str) -> None:
        labels, inline = self.newest_buttons()
        if not 1 <= number <= len(labels):
            await self.current.send(line)
            return
        label = labels[number - 1]
        if inline:
            try:
                await self.current.press(label)
            except LookupError as error:
                self.write(f"  {error}")
        else:
            await self.current.tap(label)


def _without_buttons(message: JSON) -> JSON:
    return {k: v for k, v in message.items() if k != "reply_markup"}


async def _read(input_fn: InputFn | None, prompt: str) -> str:
    """A line from `input_fn` (sync or async), or from stdin without blocking the loop."""
    if input_fn is None:
        return await asyncio.get_running_loop().run_in_executor(None, input, prompt)
    result = input_fn(prompt)
    return await result if inspect.isawaitable(result) else result


async def run_console(
    sandbox: Sandbox,
    personas: dict[int, str] | list[SimUser],
    *,
    input_fn: InputFn | None = None,
    output: TextIO = sys.stdout,
) -> None:
    """Chat with the bot from the terminal until `/quit` or end of input."""
    if isinstance(personas, dict):
        people = [sandbox.user(pid, first_name=name) for pid, name in personas.items()]
    else:
        people = list(personas)
    if not people:
        people = [sandbox.user(1001, first_name="Lan")]
    console = Console(sandbox, people, output)
    unsubscribe = sandbox.on_event(console.on_event)
    console.write(HELP.format(name=console.current.name))
    try:
        while True:
            try:
                line = await _read(input_fn, f"{console.current.name}> ")
            except (EOFError, StopIteration, StopAsyncIteration, KeyboardInterrupt):
                break
            if not await console.handle(line):
                break
    finally:
        unsubscribe()
