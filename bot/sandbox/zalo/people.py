"""`SimZaloUser`: a simulated person in a private chat with the Zalo bot.

The API runs parallel to the Telegram `SimUser`, so one story can be told on both channels:
`await lan.send("tham gia HN01")`, `await lan.wait_for("Cảm ơn")`, `await lan.choose("Trộm
cắp")`. A Zalo bot has no buttons: `choose` (and `press`, its Telegram-shaped alias) finds the
newest bot message listing `N. Label` lines and types the number, or the label's words.
Waiting is event-driven: a timeout is only an upper bound.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, Literal

from bot.sandbox.people import fake_jpeg
from bot.sandbox.zalo.views import ZaloBotMessage, choice_lines
from bot.sandbox.zalo.world import ZaloChat, ZaloEvent, ZaloWorld, now_ms
from bot.text import fold, matches

JSON = dict[str, Any]
Predicate = Callable[[ZaloBotMessage], bool]


class SimZaloUser:
    def __init__(self, world: ZaloWorld, chat: ZaloChat) -> None:
        self.world = world
        self.chat = chat
        self._chat_ref: JSON = {"id": chat.id, "chat_type": "PRIVATE"}
        self._cursor = 0

    @property
    def id(self) -> str:
        return self.chat.id

    @property
    def chat_id(self) -> str:
        return self.chat.id  # in a private chat, chat.id == from.id

    @property
    def name(self) -> str:
        return self.chat.name

    @property
    def user(self) -> JSON:
        return self.chat.user

    # ---- what the bot sent -------------------------------------------------------------

    @property
    def messages(self) -> list[ZaloBotMessage]:
        """The bot's messages to this person, oldest first (only the newest few when the
        sandbox keeps no log)."""
        return [ZaloBotMessage.from_record(message) for message in self.chat.history]

    inbox = messages  # the Telegram SimUser's name for the same list

    @property
    def last(self) -> ZaloBotMessage | None:
        history = self.chat.history
        return ZaloBotMessage.from_record(history[-1]) if history else None

    def skip(self) -> None:
        """Mark everything received so far as read."""
        self._cursor = self.chat.received

    async def wait_for(
        self,
        text: str | None = None,
        *,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - an upper bound, the wait is event-driven
    ) -> ZaloBotMessage:
        """The next bot message after the cursor that matches; advance past it."""
        chat = self.chat
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._cursor = max(self._cursor, chat.dropped)
            while self._cursor < chat.received:
                view = ZaloBotMessage.from_record(chat.history[self._cursor - chat.dropped])
                self._cursor += 1
                if text is not None and not matches(view.text, text):
                    continue
                if predicate is not None and not predicate(view):
                    continue
                return view
            remaining = deadline - loop.time()
            if remaining <= 0:
                wanted = repr(text) if text is not None else "any message"
                raise AssertionError(
                    f"{self.name}: no bot message matching {wanted} within {timeout} s.\n"
                    f"Last messages in this chat:\n{self.transcript()}"
                )
            if chat.waiter is None:
                chat.waiter = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(chat.waiter.wait(), remaining)

    def transcript(self, count: int = 8) -> str:
        """The last `count` events in this chat, one readable line each."""
        lines = [event.line() for event in self.world.log if event.chat == self.name][-count:]
        if not lines:
            lines = [f"bot → {self.name}: {m.text}" for m in self.messages[-count:]]
        return "\n".join(f"  {line}" for line in lines) or "  (nothing)"

    # ---- choices -----------------------------------------------------------------------

    def find_choice(self, label: str) -> tuple[ZaloBotMessage, int, str]:
        """The newest bot message listing a choice that matches `label`, with the choice's
        number and label; an exact match (case, accents and emoji aside) beats a partial one."""
        wanted = fold(label)
        seen: list[str] = []
        for record in reversed(self.chat.history):
            message = ZaloBotMessage.from_record(record)
            choices = choice_lines(message.text)
            seen.extend(text for _, text in choices)
            exact = [(n, text) for n, text in choices if fold(text) == wanted]
            loose = [(n, text) for n, text in choices if matches(text, label)]
            if exact or loose:
                number, text = (exact or loose)[0]
                return message, number, text
        there = " ".join(f"[{text}]" for text in seen) or "(none)"
        raise LookupError(f"no numbered choice matching {label!r} for {self.name}; there: {there}")

    async def choose(self, label: str, *, by: Literal["number", "label"] = "number") -> JSON:
        """Answer the newest choice matching `label`: type its number, or its words."""
        _, number, text = self.find_choice(label)
        if by == "number":
            return await self.send(str(number))
        words = [word for word in text.split() if any(char.isalnum() for char in word)]
        return await self.send(" ".join(words))

    async def press(self, label: str) -> JSON:
        """What pressing a button comes to on a text-only channel: typing the choice's number."""
        return await self.choose(label)

    # ---- what the person sends ---------------------------------------------------------

    def _post(self, event_name: str, fields: JSON, shown: str = "") -> JSON:
        world, chat = self.world, self.chat
        message: JSON = {
            "message_id": world.next_hex(),
            "from": chat.user,
            "chat": self._chat_ref,
            "date": now_ms(),
            **fields,
        }
        update: JSON = {"event_name": event_name, "message": message}
        chat.started = True
        world.emit(ZaloEvent("user_message", chat.name, chat.name, shown, event_name))
        world.push_update(update)
        return update

    async def send(self, text: str) -> JSON:
        """A text message; returns the update as the bot receives it."""
        return self._post("message.text.received", {"text": text}, text)

    async def command(self, name: str, *args: str) -> JSON:
        return await self.send(" ".join([f"/{name.lstrip('/')}", *args]))

    async def send_image(self, data: bytes | None = None, *, caption: str | None = None) -> JSON:
        """An image: the bot gets a `photo_url` the sandbox serves, and the caption if any."""
        if not self.world.base_url:
            raise RuntimeError("start the Zalo sandbox before sending images")
        name = f"{self.world.next_hex()}.jpg"
        self.world.images[name] = data if data is not None else fake_jpeg(1280, 960, 20_000)
        fields: JSON = {"photo_url": f"{self.world.base_url}/files/{name}"}
        if caption:
            fields["caption"] = caption
        return self._post("message.image.received", fields, caption or "")

    async def send_photo(self, caption: str | None = None, *, data: bytes | None = None) -> JSON:
        """`send_image` with the Telegram SimUser's signature."""
        return await self.send_image(data, caption=caption)

    async def send_sticker(self) -> JSON:
        return self._post("message.sticker.received", {"sticker": self.world.next_hex()})

    async def send_voice(self) -> JSON:
        """A voice message (an event reported in 2026; its fields are not documented)."""
        return self._post("message.voice.received", {})

    async def send_unsupported(self) -> JSON:
        """Anything the platform does not pass on (a file, a location …): content withheld."""
        return self._post("message.unsupported.received", {})

    def block_bot(self) -> None:
        self.chat.blocked = True

    def unblock_bot(self) -> None:
        self.chat.blocked = False
