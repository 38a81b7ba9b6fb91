"""An interactive terminal chat with the bot through a sandbox (`anninh sandbox`).

You type as the current persona; bot messages are printed as they arrive. `ChatConsole` is the
loop every messenger shares: `/as ID [NAME]` switches persona, `/who` lists them, `/photo
[CAPTION]` sends a photo, `/quit` leaves, and every other line goes to the bot as text.
`Console` is Telegram's: buttons are numbered, typing the number presses one, and `/loc LAT
LON` and `/contact` share a location or the phone number. Zalo's is in `bot.sandbox.zalo.console`.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, Protocol, TextIO, TypeVar

from bot.sandbox.emulator import Sandbox
from bot.sandbox.people import SimUser
from bot.sandbox.views import Event, button_text, describe, inline_rows, keyboard_rows

InputFn = Callable[[str], str | Awaitable[str]]
JSON = dict[str, Any]


class Persona(Protocol):
    """A simulated person on any messenger, as far as the console needs one."""

    @property
    def name(self) -> str: ...

    async def send(self, text: str) -> Any: ...

    async def send_photo(self, caption: str | None = None) -> Any: ...


P = TypeVar("P", bound=Persona)


class ChatConsole(Generic[P]):
    """The terminal loop: read a line, act on it as the current persona, until `/quit`."""

    HELP: ClassVar[str]

    def __init__(self, people: dict[int, P], output: TextIO) -> None:
        self.people = dict(people)
        self.current_id = next(iter(self.people))
        self.output = output

    @property
    def current(self) -> P:
        return self.people[self.current_id]

    def write(self, line: str) -> None:
        self.output.write(line + "\n")
        self.output.flush()

    def person(self, user_id: int, name: str) -> P:
        """The persona `user_id` on this messenger, created with `name` on first use."""
        raise NotImplementedError

    async def act(self, word: str, rest: str, line: str) -> bool:
        """A line for this messenger's own commands; False when it is not one of them."""
        del word, rest, line
        return False

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the console should end."""
        line = line.strip()
        if not line:
            return True
        word, _, rest = line.partition(" ")
        if word == "/quit":
            return False
        if word == "/who":
            for pid, other in self.people.items():
                marker = "*" if pid == self.current_id else " "
                self.write(f" {marker} {pid} {other.name}")
        elif word == "/as":
            self.switch(rest)
        elif word == "/photo":
            await self.current.send_photo(caption=rest or None)
        elif not await self.act(word, rest, line):
            await self.current.send(line)
        return True

    def switch(self, rest: str) -> None:
        parts = rest.split(maxsplit=1)
        if not parts or not parts[0].lstrip("-").isdigit():
            self.write("  usage: /as USER_ID [NAME]")
            return
        user_id = int(parts[0])
        name = parts[1] if len(parts) > 1 else f"User {user_id}"
        if user_id not in self.people:
            self.people[user_id] = self.person(user_id, name)
        self.current_id = user_id
        self.write(f"  now chatting as {self.current.name} ({user_id})")

    async def run(self, input_fn: InputFn | None, unsubscribe: Callable[[], None]) -> None:
        """Chat until `/quit` or the end of input, then stop listening to the sandbox."""
        self.write(self.HELP.format(name=self.current.name))
        try:
            while True:
                try:
                    line = await _read(input_fn, f"{self.current.name}> ")
                except (EOFError, StopIteration, StopAsyncIteration, KeyboardInterrupt):
                    break
                if not await self.handle(line):
                    break
        finally:
            unsubscribe()


class Console(ChatConsole[SimUser]):
    """Telegram: buttons shown numbered; a number presses the newest message's button."""

    HELP = (
        "Type to chat as {name}. A number presses that button. "
        "/as ID [NAME] switches persona, /loc LAT LON shares a location, /photo sends a photo, "
        "/contact shares the phone number, /who lists personas, /quit leaves."
    )

    def __init__(self, sandbox: Sandbox, people: list[SimUser], output: TextIO) -> None:
        super().__init__({person.id: person for person in people}, output)
        self.sandbox = sandbox

    def person(self, user_id: int, name: str) -> SimUser:
        return self.sandbox.user(user_id, first_name=name)

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

    async def act(self, word: str, rest: str, line: str) -> bool:
        person = self.current
        if word == "/loc":
            parts = rest.replace(",", " ").split()
            if len(parts) != 2:
                self.write("  usage: /loc LAT LON")
            else:
                await person.share_location(float(parts[0]), float(parts[1]))
        elif word == "/contact":
            await person.share_contact()
        elif line.isdigit():
            await self.press_number(int(line), line)
        else:
            return False
        return True

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
    output: TextIO | None = None,
) -> None:
    """Chat with the bot on Telegram from the terminal until `/quit` or end of input."""
    output = sys.stdout if output is None else output
    if isinstance(personas, dict):
        people = [sandbox.user(pid, first_name=name) for pid, name in personas.items()]
    else:
        people = list(personas)
    if not people:
        people = [sandbox.user(1001, first_name="Lan")]
    console = Console(sandbox, people, output)
    await console.run(input_fn, sandbox.on_event(console.on_event))
