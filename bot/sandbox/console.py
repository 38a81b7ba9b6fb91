"""An interactive terminal chat with the bot through a sandbox (`anninh sandbox`).

You type as the current persona; bot messages are printed as they arrive. `ChatConsole` is the
loop every messenger shares: `/as ID [NAME]` switches persona, `/who` lists them, `/photo
[CAPTION]` sends a photo, `/quit` leaves, and every other line goes to the bot as text.
`Console` is Telegram's: messages show as they look (line breaks kept, long lines wrapped),
their buttons under them numbered once per screen (the numbers go on across the bot's messages
until you type again), typing a number presses that button, `/loc LAT LON` and `/contact` share
a location or the phone number, and `/group` acts in the police's staff group (text goes there,
`/reply TEXT` answers the group's newest bot message, numbers press its buttons) until
`/private`. Zalo's is in `bot.sandbox.zalo.console`.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import textwrap
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TextIO, TypeVar

from bot.sandbox.emulator import Sandbox
from bot.sandbox.people import SimGroup, SimUser
from bot.sandbox.views import Event, button_text, inline_rows, message_kind, message_text

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


WIDTH = 76  # a message's lines are wrapped to this, under a two-space margin


@dataclass(frozen=True)
class Numbered:
    """A button shown with a number on this screen: where it is and what it does."""

    label: str
    group: SimGroup | None  # None: the current persona's private chat
    inline: bool
    request: str | None = None  # "location" / "contact" for a keyboard button that shares


class Console(ChatConsole[SimUser]):
    """Telegram: messages as they look, their buttons numbered once per screen."""

    HELP = (
        "Type to chat as {name}. A number presses that button. "
        "/as ID [NAME] switches persona, /loc LAT LON shares a location, /photo sends a photo, "
        "/contact shares the phone number, /group acts in the police's group (/reply TEXT, "
        "/private to come back), /who lists personas, /quit leaves."
    )

    def __init__(self, sandbox: Sandbox, people: list[SimUser], output: TextIO) -> None:
        super().__init__({person.id: person for person in people}, output)
        self.sandbox = sandbox
        self.in_group: SimGroup | None = None
        self.shown: list[Numbered] = []  # this screen's numbered buttons, in order
        self.pressable: list[Numbered] = []  # the previous screen's, while a line is handled

    def person(self, user_id: int, name: str) -> SimUser:
        return self.sandbox.user(user_id, first_name=name)

    async def handle(self, line: str) -> bool:
        """A typed line starts a new screen: the bot's answer is numbered from 1 again (a
        number typed presses a button of the screen it was read on)."""
        self.pressable, self.shown = self.shown, []
        return await super().handle(line)

    def on_event(self, event: Event) -> None:
        """Print what the bot does, as it happens (in the current persona's chat, and in a
        group they are in)."""
        if event.kind == "callback_answer":
            if event.actor == self.current.name and not event.detail.startswith("("):
                self.write(f"  (bot answers: {event.detail})")
            return
        if event.kind not in ("bot_message", "edit") or event.message is None:
            return
        message = event.message
        chat_id = int(message["chat"]["id"])
        where = "" if chat_id == self.current.chat_id else f" → {event.chat}"
        self.show(message, where, "✎ " if event.kind == "edit" else "")

    def show(self, message: JSON, where: str, mark: str = "") -> None:
        """One message as it looks, its buttons numbered on this screen."""
        group = self.sandbox.groups.get(int(message["chat"]["id"]))
        lines = self.body(message)
        head = " ".join(part for part in (self.header(message), lines[0].strip() if lines
                                          else "") if part)
        self.write(f"bot{where}: {mark}{head}")
        for line in lines[1:]:
            self.write(line)
        self.number_buttons(message, group)

    @staticmethod
    def header(message: JSON) -> str:
        kind = message_kind(message)
        if kind == "location":
            location = message["location"]
            return f"[location] {location['latitude']}, {location['longitude']}"
        if kind == "contact":
            return f"[contact] {message['contact'].get('phone_number', '')}"
        return "" if kind == "text" else f"[{kind}]"

    @staticmethod
    def body(message: JSON) -> list[str]:
        """The text as the person reads it: its own line breaks, long lines wrapped."""
        lines: list[str] = []
        for paragraph in message_text(message).splitlines():
            wrapped = textwrap.wrap(paragraph, WIDTH, initial_indent="  ",
                                    subsequent_indent="  ")
            lines.extend(wrapped or [""])
        return lines

    def number_buttons(self, message: JSON, group: SimGroup | None) -> None:
        """Its buttons under it, a row a line, numbered on from this screen's last number."""
        inline = inline_rows(message)
        rows: list[list[Numbered]] = [[Numbered(button_text(b), group, True) for b in row]
                                      for row in inline]
        if not inline:
            for row in (message.get("reply_markup") or {}).get("keyboard") or []:
                rows.append([Numbered(button_text(b), group, False, _request(b)) for b in row])
        for row in rows:
            cells = []
            for button in row:
                self.shown.append(button)
                cells.append(f"[{len(self.shown)}] {button.label}")
            self.write("  " + "  ".join(cells))

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
        elif word == "/group":
            self.enter_group()
        elif word == "/private":
            self.in_group = None
            self.write(f"  back in {person.name}'s private chat with the bot")
        elif word == "/reply":
            await self.reply_in_group(rest)
        elif line.isdigit():
            await self.press_number(int(line), line)
        elif self.in_group is not None:
            await self.in_group.send(person, line)
        else:
            return False
        return True

    def enter_group(self) -> None:
        groups = [g for g in self.sandbox.groups.values()
                  if g.state.members.get(self.current.id, "left") not in ("left", "kicked")]
        if not groups:
            self.write(f"  {self.current.name} is in no group (the officer 1001 is in the "
                       "police's group)")
            return
        group = self.in_group = groups[0]
        self.write(f"  now in the group “{group.title}”: text goes there, /reply TEXT "
                   "answers its newest bot message, /private comes back")
        newest = next((m for m in reversed(group.inbox) if not m.deleted), None)
        if newest is not None:  # what to act on, numbered on this screen
            self.show(newest.raw, f" → {group.title}")

    async def reply_in_group(self, text: str) -> None:
        group = self.in_group
        newest = None if group is None else next(
            (m for m in reversed(group.inbox) if not m.deleted), None)
        if group is None or newest is None or not text:
            self.write("  usage: /group first, then /reply TEXT (to the group's newest bot "
                       "message)")
            return
        await group.send(self.current, text, reply_to=newest)

    async def press_number(self, number: int, line: str) -> None:
        if not 1 <= number <= len(self.pressable):
            if self.in_group is not None:
                await self.in_group.send(self.current, line)
            else:
                await self.current.send(line)
            return
        button = self.pressable[number - 1]
        person = self.current
        if button.inline:
            try:
                await person.press(button.label, chat=button.group)
            except LookupError as error:
                self.write(f"  {error}")
        elif button.request == "location":  # nothing made up: the person says where
            self.write("  to share a location, type /loc LAT LON (e.g. /loc 11.07 107.17)")
        elif button.request == "contact":
            await person.share_contact()
        else:
            await person.tap(button.label)


def _request(button: JSON | str) -> str | None:
    if isinstance(button, str):
        return None
    if button.get("request_location"):
        return "location"
    return "contact" if button.get("request_contact") else None


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
