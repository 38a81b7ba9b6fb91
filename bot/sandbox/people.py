"""Simulated people: a `SimUser` talks to the bot privately, a `SimGroup` is a group chat.

Tests read like a conversation: `await lan.send("trom cap")`, `await lan.press("Đồng ý")`,
`await lan.wait_for("Cảm ơn")`. Waiting is event-driven: a timeout is only an upper bound.
"""

from __future__ import annotations

import asyncio
import struct
from typing import Any

from bot.sandbox.api_base import public
from bot.sandbox.api_send import photo_sizes
from bot.sandbox.chat import Conversation, text_message
from bot.sandbox.members import STATUSES, chat_member
from bot.sandbox.views import BotMessage, CallbackAnswer, Event
from bot.sandbox.world import ChatState, World

JSON = dict[str, Any]


def fake_jpeg(width: int, height: int, size: int, serial: int = 0) -> bytes:
    """Bytes that start like a JPEG of the given size (enough for a header reader); `serial`
    makes them differ, as two photos taken do."""
    header = b"\xff\xd8\xff\xc0" + struct.pack(">HBHHQ", 17, 8, height, width, serial)
    return header + b"\0" * max(0, size - len(header))


class SimUser(Conversation):
    """A person with a private chat with the bot."""

    def __init__(self, world: World, state: ChatState, user: JSON, phone: str | None) -> None:
        super().__init__(world, state)
        self.user = user
        self.phone = phone or f"+8490{user['id'] % 10_000_000:07d}"

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def name(self) -> str:
        return str(self.user["first_name"])

    async def send(self, text: str, *, reply_to: BotMessage | JSON | int | None = None) -> JSON:
        return self.post(self, {**text_message(text), **self.reply_fields(reply_to)})

    async def command(self, name: str, *args: str) -> JSON:
        return await self.send(" ".join([f"/{name.lstrip('/')}", *args]))

    async def edit(self, message: JSON | int, text: str) -> JSON:
        """Edit a message this person sent in the private chat (its text, or a caption)."""
        return self.edit_post(self, message, text)

    async def press(self, label: str, *, chat: SimGroup | None = None) -> str:
        """Press the inline button labelled `label`; return the callback query id."""
        where: Conversation = chat if chat is not None else self
        message, button = where.find_button(label, inline=True)
        if "callback_data" not in button:
            action = next((k for k in button if k != "text"), "?")
            raise LookupError(f"button {button['text']!r} is a {action} button, not pressable")
        query_id = str(self.world.next_id() * 7 + 4_000_000_000_000_000)
        query: JSON = {
            "id": query_id,
            "from": self.user,
            "message": public(message),
            "chat_instance": f"{abs(where.chat_id) * 31 + 17}",
            "data": button["callback_data"],
        }
        self.world.callback_queries[query_id] = query
        state = where.state
        event = Event("press", state.name, self.name, None, str(button["text"]), state.is_private)
        self.world.emit(event)
        self.world.push_update("callback_query", query)
        return query_id

    async def press_data(
        self, data: str, *, chat: SimGroup | None = None, label: str = "(crafted)"
    ) -> str:
        """A callback query with arbitrary data on the newest bot message in the chat: what a
        modified client or a replayed old button would send. Returns the query id."""
        where: Conversation = chat if chat is not None else self
        if not where.state.bot_messages:
            raise LookupError(f"{where.state.name}: no bot message to press on")
        message = self.world.message(where.chat_id, where.state.bot_messages[-1])
        assert message is not None
        query_id = str(self.world.next_id() * 7 + 4_000_000_000_000_000)
        query: JSON = {
            "id": query_id, "from": self.user, "message": public(message),
            "chat_instance": f"{abs(where.chat_id) * 31 + 17}", "data": data,
        }
        self.world.callback_queries[query_id] = query
        state = where.state
        self.world.emit(Event("press", state.name, self.name, None, label, state.is_private))
        self.world.push_update("callback_query", query)
        return query_id

    async def answer_for(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - an upper bound, the wait is event-driven
    ) -> CallbackAnswer:
        """The bot's answerCallbackQuery for `query_id`, waiting for it if need be."""
        world = self.world
        if query_id not in world.callback_answers:
            waiter = world.answer_waiters.setdefault(query_id, asyncio.Event())
            try:
                await asyncio.wait_for(waiter.wait(), timeout)
            except TimeoutError:
                raise AssertionError(
                    f"the bot did not answer callback query {query_id} within {timeout} s"
                ) from None
        answer = world.callback_answers[query_id]
        return CallbackAnswer(answer["text"], bool(answer["show_alert"]), answer.get("url"))

    async def tap(
        self, label: str, *, latitude: float = 10.95, longitude: float = 107.16
    ) -> JSON:
        """Tap a button of the reply keyboard that is showing in the private chat."""
        _, button = self.find_button(label, inline=False)
        if button.get("request_location"):
            return await self.share_location(latitude, longitude)
        if button.get("request_contact"):
            return await self.share_contact()
        return await self.send(str(button["text"]))

    async def share_location(self, latitude: float, longitude: float) -> JSON:
        return self.post(self, {"location": {"latitude": latitude, "longitude": longitude}})

    async def share_contact(
        self, phone: str | None = None, *, first_name: str | None = None
    ) -> JSON:
        contact: JSON = {
            "phone_number": phone or self.phone,
            "first_name": first_name or self.name,
        }
        if phone is None or phone == self.phone:
            contact["user_id"] = self.id
        return self.post(self, {"contact": contact})

    async def send_photo(
        self,
        caption: str | None = None,
        *,
        width: int = 1280,
        height: int = 960,
        file_size: int = 180_000,
        media_group_id: str | None = None,
        reply_to: BotMessage | JSON | int | None = None,
        data: bytes | None = None,
    ) -> JSON:
        """A photo: `data` as its bytes, else a new fake JPEG of `file_size` bytes (each photo
        sent differs from the others, as photos taken do)."""
        if data is None:
            data = fake_jpeg(width, height, file_size, self.world.next_id())
        stored = self.world.store_file(data, "photos", ".jpg")
        sizes = photo_sizes(stored, width, height)
        for size in sizes[:-1]:
            self.world.files[size["file_id"]] = stored
        self.world.media[stored.file_id] = {"photo": sizes}
        fields: JSON = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        if media_group_id is not None:
            fields["media_group_id"] = media_group_id
        return self.post(self, {**fields, **self.reply_fields(reply_to)})

    async def send_album(self, count: int, caption: str | None = None) -> list[JSON]:
        """`count` photos sent together, as Telegram delivers an album: one message each,
        sharing a media_group_id, the caption on the first."""
        group = str(10**16 + self.world.next_id())
        return [await self.send_photo(caption if index == 0 else None, media_group_id=group)
                for index in range(count)]

    async def send_document(
        self, data: bytes, file_name: str = "file.bin", mime_type: str = "application/octet-stream"
    ) -> JSON:
        suffix = "." + file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        stored = self.world.store_file(data, "documents", suffix)
        document: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        self.world.media[stored.file_id] = {"document": document}
        return self.post(self, {"document": document})

    async def send_voice(self, duration: int = 5, data: bytes | None = None) -> JSON:
        """A voice note: `data` as its bytes, else a new fake Ogg file of 2 KB."""
        if data is None:
            data = b"OggS" + self.world.next_id().to_bytes(8, "big") + b"\0" * 2000
        stored = self.world.store_file(data, "voice", ".oga")
        voice: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }
        self.world.media[stored.file_id] = {"voice": voice}  # the bot may resend it by file_id
        return self.post(self, {"voice": voice})

    async def send_sticker(self, emoji: str = "👍") -> JSON:
        stored = self.world.store_file(b"RIFF" + b"\0" * 500, "stickers", ".webp")
        sticker: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }
        self.world.media[stored.file_id] = {"sticker": sticker}
        return self.post(self, {"sticker": sticker})

    async def answer_poll(self, poll_message: BotMessage, option_index: int) -> JSON:
        """Vote for option `option_index` of a poll the bot sent (private chat or group).

        As on Telegram: the stored poll's counts change and the bot gets a `poll` update with
        the new state, plus a `poll_answer` (option_ids and option_persistent_ids) when the
        poll is not anonymous. Returns the poll_answer (or, for anonymous polls, the poll)."""
        message = self.world.message(poll_message.chat_id, poll_message.message_id)
        poll: JSON | None = (message or {}).get("poll")
        if message is None or poll is None:
            raise LookupError(f"message {poll_message.message_id} is not a poll the bot sent")
        options: list[JSON] = poll["options"]
        if not 0 <= option_index < len(options):
            raise LookupError(f"the poll has {len(options)} options, not {option_index + 1}")
        if poll["is_closed"]:
            raise LookupError(f"the poll {poll['question']!r} is closed")
        votes = self.world.poll_votes.setdefault(str(poll["id"]), {})
        if self.id in votes and not poll.get("allows_revoting"):
            raise LookupError(f"{self.name} already answered {poll['question']!r}")
        previous = votes.get(self.id, [])
        votes[self.id] = [option_index]
        counts = [int(o["voter_count"]) for o in options]
        for index in previous:
            counts[index] -= 1
        counts[option_index] += 1
        poll = {
            **poll,
            "options": [{**o, "voter_count": n} for o, n in zip(options, counts, strict=True)],
            "total_voter_count": len(votes),
        }
        message["poll"] = poll
        where = self.world.chats[poll_message.chat_id]
        self.world.emit(Event("vote", where.name, self.name, None,
                              str(options[option_index]["text"]), where.is_private))
        self.world.push_update("poll", poll)
        if poll["is_anonymous"]:
            return poll
        answer: JSON = {
            "poll_id": poll["id"],
            "user": self.user,
            "option_ids": [option_index],
            "option_persistent_ids": [options[option_index]["persistent_id"]],
        }
        self.world.push_update("poll_answer", answer)
        return answer

    async def send_raw(self, message_fields: JSON) -> JSON:
        """Any message content (for odd inputs): the fields go into the message as given."""
        return self.post(self, message_fields)

    def block_bot(self) -> None:
        self._membership(blocked=True)

    def unblock_bot(self) -> None:
        self._membership(blocked=False)

    def _membership(self, *, blocked: bool) -> None:
        if self.state.blocked == blocked:
            return
        self.state.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        bot = self.world.bot_user
        update: JSON = {
            "chat": self.state.chat,
            "from": self.user,
            "date": self.world.now(),
            "old_chat_member": chat_member(old, bot),
            "new_chat_member": chat_member(new, bot),
        }
        self.world.push_update("my_chat_member", update)


class SimGroup(Conversation):
    """A group chat with the bot and some members."""

    @property
    def title(self) -> str:
        return str(self.state.chat["title"])

    @property
    def id(self) -> int:
        return self.state.id

    def add(self, user: SimUser, status: str = "member") -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self.state.members[user.id] = status

    async def send(
        self, user: SimUser, text: str, *, reply_to: BotMessage | JSON | int | None = None
    ) -> JSON:
        if self.state.members.get(user.id, "left") in ("left", "kicked"):
            self.add(user)
        return self.post(user, {**text_message(text), **self.reply_fields(reply_to)})

    async def command(self, user: SimUser, name: str, *args: str) -> JSON:
        return await self.send(user, " ".join([f"/{name.lstrip('/')}", *args]))

    def remove_bot(self) -> None:
        """An admin removed the bot from the group: sends answer 403 (no update is sent)."""
        self.state.bot_member = False

    def restrict_bot(self) -> None:
        """An admin took the bot's right to write: it stays in the group, sends answer 400."""
        self.state.bot_can_post = False

    async def edit(self, user: SimUser, message: JSON | int, text: str) -> JSON:
        """`user` edits a message they sent in this group."""
        return self.edit_post(user, message, text)

    def migrate(self, new_id: int) -> ChatState:
        """Upgrade this group to a supergroup: sends to the old id now answer 400 with
        migrate_to_chat_id; the SimGroup follows the new chat."""
        old = self.state
        chat = {"id": new_id, "type": "supergroup", "title": old.chat["title"]}
        new = ChatState(chat=chat, members=dict(old.members))
        self.world.chats[new_id] = new
        old.migrated_to = new_id
        self.state, self._cursor = new, 0
        return new
