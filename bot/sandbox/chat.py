"""A chat seen from the sandbox: the bot's messages in it, waiting for them, finding buttons,
and posting or editing a person's message into it. `people.py` puts people on top of it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.sandbox.api_base import public
from bot.sandbox.markup import command_entities
from bot.sandbox.views import BotMessage, Event, describe, format_event
from bot.sandbox.world import ChatState, World
from bot.text import fold, matches

if TYPE_CHECKING:
    from bot.sandbox.people import SimUser

JSON = dict[str, Any]
Predicate = Callable[[BotMessage], bool]


class Conversation:
    """A chat seen from the sandbox: the bot's messages in it and a read cursor."""

    def __init__(self, world: World, state: ChatState) -> None:
        self.world = world
        self.state = state
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        return self.state.id

    @property
    def inbox(self) -> list[BotMessage]:
        """Every bot message in this chat, edits applied, oldest first."""
        messages = self.world.messages
        return [self.world.view(messages[(self.chat_id, m)]) for m in self.state.bot_messages]

    @property
    def last(self) -> BotMessage | None:
        if not self.state.bot_messages:
            return None
        message = self.world.messages[(self.chat_id, self.state.bot_messages[-1])]
        return self.world.view(message)

    def skip(self) -> None:
        """Mark everything received so far as read."""
        self._cursor = len(self.state.activity)

    async def wait_for(
        self,
        text: str | None = None,
        *,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - an upper bound, the wait is event-driven
    ) -> BotMessage:
        """The next bot message (new or edited) after the cursor that matches; advance past it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            activity = self.state.activity
            while self._cursor < len(activity):
                _, snapshot = activity[self._cursor]
                self._cursor += 1
                view = self.world.view(snapshot)
                if text is not None and not matches(view.text, text):
                    continue
                if predicate is not None and not predicate(view):
                    continue
                return view
            remaining = deadline - loop.time()
            if remaining <= 0:
                wanted = repr(text) if text is not None else "any message"
                raise AssertionError(
                    f"{self.state.name}: no bot message matching {wanted} within {timeout} s.\n"
                    f"Last messages in this chat:\n{self.transcript()}"
                )
            if self.state.waiter is None:
                self.state.waiter = asyncio.Event()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.state.waiter.wait(), remaining)

    def transcript(self, count: int = 8) -> str:
        """The last `count` events in this chat, one readable line each."""
        name = self.state.name
        lines = [format_event(e) for e in self.world.log if e.chat == name][-count:]
        if not lines:
            lines = [f"bot → {name}: {describe(m)}" for _, m in self.state.activity[-count:]]
        return "\n".join(f"  {line}" for line in lines) or "  (nothing)"

    def find_button(self, label: str, *, inline: bool) -> tuple[JSON, JSON]:
        """The newest (message, button) whose label matches; exact folds beat substrings."""
        wanted = fold(label)
        seen: list[str] = []
        candidates: list[JSON]
        if inline:
            ids = reversed(self.state.bot_messages)
            found = (self.world.message(self.chat_id, m) for m in ids)
            candidates = [m for m in found if m is not None]
        else:
            candidates = [self.state.keyboard] if self.state.keyboard is not None else []
        for message in candidates:
            markup = message.get("reply_markup") or {}
            rows = markup.get("inline_keyboard" if inline else "keyboard") or []
            buttons = [button for row in rows for button in row]
            seen.extend(str(b.get("text", "")) for b in buttons)
            exact = [b for b in buttons if fold(str(b.get("text", ""))) == wanted]
            loose = [b for b in buttons if matches(str(b.get("text", "")), label)]
            if exact or loose:
                return message, (exact or loose)[0]
        kind = "inline button" if inline else "reply keyboard button"
        there = " ".join(f"[{text}]" for text in seen) or "(none)"
        raise LookupError(f"no {kind} matching {label!r} in {self.state.name}; there: {there}")

    def post(self, sender: SimUser, fields: JSON) -> JSON:
        """A message from `sender` into this chat, delivered to the bot as an update."""
        world, state = self.world, self.state
        message: JSON = {
            "message_id": world.take_message_id(state.id),
            "from": sender.user,
            "chat": state.chat,
            "date": world.now(),
            **fields,
        }
        world.messages[(state.id, message["message_id"])] = message
        if state.is_private:
            state.started = True
        private = state.is_private
        world.emit(Event("user_message", state.name, sender.name, message, private=private))
        world.push_update("message", message)
        return message

    def edit_post(self, sender: SimUser, message: JSON | int, text: str) -> JSON:
        """`sender` edits a message they sent here, as Telegram delivers it: the whole message
        again (same id and date) with the new text, or caption for media, and an `edit_date`,
        in an `edited_message` update."""
        world, state = self.world, self.state
        message_id = int(message["message_id"]) if isinstance(message, dict) else message
        original = world.message(state.id, message_id)
        elsewhere = isinstance(message, dict) and message["chat"]["id"] != state.id
        if original is None or elsewhere or original.get("from", {}).get("id") != sender.id:
            raise LookupError(f"{sender.name} sent no message {message_id} in {state.name}")
        edited = {k: v for k, v in original.items() if k not in ("entities", "caption")}
        if "text" in original:
            edited.update(text_message(text))
        else:
            edited["caption"] = text
        edited["edit_date"] = max(world.now(), int(original["date"]))
        world.messages[(state.id, message_id)] = edited
        world.emit(Event("user_edit", state.name, sender.name, edited, private=state.is_private))
        world.push_update("edited_message", edited)
        return edited

    def reply_fields(self, reply_to: BotMessage | JSON | int | None) -> JSON:
        if reply_to is None:
            return {}
        if isinstance(reply_to, BotMessage):
            message_id = reply_to.message_id
        elif isinstance(reply_to, dict):
            message_id = int(reply_to["message_id"])
        else:
            message_id = reply_to
        original = self.world.message(self.chat_id, message_id)
        if original is None:
            raise LookupError(f"no message {message_id} in {self.state.name} to reply to")
        return {"reply_to_message": public(original)}


def text_message(text: str) -> JSON:
    fields: JSON = {"text": text}
    entities = command_entities(text)
    if entities:
        fields["entities"] = entities
    return fields
