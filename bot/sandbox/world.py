"""The sandbox's in-memory state: chats, messages, updates, files, rate limits, the event log.

Nothing here speaks HTTP; `server.py` puts the Bot API in front of it and `people.py` acts on it
as simulated users. Every lookup is a dict access, so a benchmark can push thousands of sends a
second through it.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.views import BotMessage, Event

JSON = dict[str, Any]

BOT_USER: JSON = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "anninh",
    "username": "anninh_sandbox_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}


class ApiError(Exception):
    """A Bot API error: becomes `{"ok": false, "error_code": …, "description": …}`."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass
class ChatState:
    """One chat the bot can see: its public dict plus the sandbox's bookkeeping."""

    chat: JSON
    blocked: bool = False  # private chats: the user blocked the bot
    started: bool = True  # private chats: the user has ever written to the bot
    bot_member: bool = True  # groups: the bot is still in the group
    bot_can_post: bool = True  # groups: False once an admin restricted the bot
    migrated_to: int | None = None  # groups: upgraded to this supergroup id
    next_message_id: int = 1
    bot_messages: list[int] = field(default_factory=list)
    # (message_id, message dict at that moment) for every bot send or edit, in order
    activity: list[tuple[int, JSON]] = field(default_factory=list)
    waiter: asyncio.Event | None = None
    members: dict[int, str] = field(default_factory=dict)  # groups: user id → status
    keyboard: JSON | None = None  # the bot message whose reply keyboard is showing

    @property
    def id(self) -> int:
        return int(self.chat["id"])

    @property
    def is_private(self) -> bool:
        return bool(self.chat["type"] == "private")

    @property
    def name(self) -> str:
        return str(self.chat.get("title") or self.chat.get("first_name") or self.id)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


@dataclass
class RateLimits:
    """Token-bucket parameters: Telegram's documented limits for a free bot."""

    global_rate: float = 30.0
    global_burst: float = 30.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20.0 / 60.0
    group_burst: float = 20.0


class _Bucket:
    __slots__ = ("stamp", "tokens")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp

    def refill(self, now: float, rate: float, burst: float) -> float:
        self.tokens = min(burst, self.tokens + (now - self.stamp) * rate)
        self.stamp = now
        return self.tokens


class RateLimiter:
    """A global bucket and one bucket per chat; O(1) per request."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._global = _Bucket(limits.global_burst, time.monotonic())
        self._chats: dict[int, _Bucket] = {}

    def acquire(self, chat_id: int, private: bool) -> int | None:
        """Take one token, or return the whole seconds to wait when over the limit."""
        lim = self.limits
        now = time.monotonic()
        rate, burst = (
            (lim.private_rate, lim.private_burst) if private else (lim.group_rate, lim.group_burst)
        )
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _Bucket(burst, now)
        waits = []
        if self._global.refill(now, lim.global_rate, lim.global_burst) < 1:
            waits.append((1 - self._global.tokens) / lim.global_rate)
        if bucket.refill(now, rate, burst) < 1:
            waits.append((1 - bucket.tokens) / rate)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._global.tokens -= 1
        bucket.tokens -= 1
        return None


@dataclass
class Stats:
    requests: Counter[str] = field(default_factory=Counter)
    sent_messages: int = 0
    too_many_requests: int = 0


@dataclass(frozen=True)
class Fault:
    error_code: int
    description: str
    retry_after: int | None = None


class World:
    """All state of one emulated bot and the people around it."""

    def __init__(self, *, rate_limits: bool = False, limits: RateLimits | None = None) -> None:
        self.bot_user: JSON = dict(BOT_USER)
        self.rate_limits = rate_limits
        self.limiter = RateLimiter(limits or RateLimits())
        self.stats = Stats()
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, JSON] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.deleted: set[tuple[int, int]] = set()
        self.edit_counts: Counter[tuple[int, int]] = Counter()
        self.silent: set[tuple[int, int]] = set()  # sent with disable_notification
        self.protected: set[tuple[int, int]] = set()  # sent with protect_content
        self.files: dict[str, StoredFile] = {}
        self.media: dict[str, JSON] = {}  # file_id → the message field it was sent as
        self.poll_votes: dict[str, dict[int, list[int]]] = {}  # poll id → voter → option ids
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.settings: dict[str, Any] = {}  # webhook, menu button, descriptions …
        self.faults: dict[str, deque[Fault]] = {}
        self.log: list[Event] = []
        self.keep_log = True
        self.listeners: list[Callable[[Event], None]] = []
        self.updates: deque[JSON] = deque()
        self.allowed_updates: list[str] = []
        self.next_update_id = 1
        self.updates_event = asyncio.Event()
        self.poll_generation = 0
        self.polling = asyncio.Event()  # set while a getUpdates long poll is waiting
        self.webhook_set = asyncio.Event()  # set while a webhook is set (updates go there)
        self.closing = False
        self.callback_queries: dict[str, JSON] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.answer_waiters: dict[str, asyncio.Event] = {}
        self._counter = 0

    # ---- identifiers and time ----------------------------------------------------------

    def next_id(self) -> int:
        self._counter += 1
        return self._counter

    @staticmethod
    def now() -> int:
        return int(time.time())

    # ---- chats and messages ------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatState:
        state = self.chats.get(chat_id)
        if state is None:
            raise bad_request("chat not found")
        return state

    def take_message_id(self, chat_id: int) -> int:
        state = self.chats[chat_id]
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        if (chat_id, message_id) in self.deleted:
            return None
        return self.messages.get((chat_id, message_id))

    def view(self, message: JSON) -> BotMessage:
        """The test-facing view of a stored message, edits and deletion included."""
        key = (message["chat"]["id"], message["message_id"])
        document = None
        if "document" in message:
            stored = self.files.get(message["document"]["file_id"])
            document = stored.data if stored else None
        return BotMessage.from_message(
            message,
            edits=self.edit_counts[key],
            deleted=key in self.deleted,
            document=document,
            disable_notification=key in self.silent,
        )

    def record_bot_message(self, message: JSON, *, edited: bool = False) -> None:
        """Store a bot message (new or edited), wake waiters in its chat and log it."""
        chat_id, message_id = message["chat"]["id"], message["message_id"]
        self.messages[(chat_id, message_id)] = message
        state = self.chats[chat_id]
        if edited:
            self.edit_counts[(chat_id, message_id)] += 1
        else:
            state.bot_messages.append(message_id)
            self.stats.sent_messages += 1
        state.activity.append((message_id, message))
        if state.waiter is not None:
            state.waiter.set()
            state.waiter = None
        kind = "edit" if edited else "bot_message"
        self.emit(Event(kind, state.name, "bot", message, private=state.is_private))

    def emit(self, event: Event) -> None:
        if self.keep_log:
            self.log.append(event)
        for listener in self.listeners:
            listener(event)

    # ---- updates -----------------------------------------------------------------------

    def push_update(self, kind: str, payload: JSON) -> int:
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.wake_pollers()
        return update_id

    def wake_pollers(self) -> None:
        """Wake every pending getUpdates (to deliver, to end it with 409, or to shut down)."""
        self.updates_event.set()
        self.updates_event = asyncio.Event()

    def confirm_updates(self, offset: int) -> None:
        if offset < 0:  # Telegram: -N keeps only the last N updates
            while len(self.updates) > -offset:
                self.updates.popleft()
            return
        while self.updates and self.updates[0]["update_id"] < offset:
            self.updates.popleft()

    def pending_updates(self, limit: int) -> list[JSON]:
        allowed = self.allowed_updates
        result = []
        for update in self.updates:
            if allowed and not any(key in allowed for key in update if key != "update_id"):
                continue
            result.append(update)
            if len(result) >= limit:
                break
        return result

    # ---- files -------------------------------------------------------------------------

    def store_file(self, data: bytes, folder: str, suffix: str) -> StoredFile:
        n = self.next_id()
        stored = StoredFile(
            file_id=f"SBX{folder[:3].upper()}{n:010d}AAQ",
            file_unique_id=f"AQ{n:08d}",
            file_path=f"{folder}/file_{n}{suffix}",
            data=data,
        )
        self.files[stored.file_id] = stored
        self.files["path:" + stored.file_path] = stored
        return stored

    # ---- faults and limits -------------------------------------------------------------

    def take_fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method.lower())
        if not queue:
            return None
        return queue.popleft()

    def check_rate(self, state: ChatState) -> None:
        if not self.rate_limits:
            return
        wait = self.limiter.acquire(state.id, state.is_private)
        if wait is not None:
            self.stats.too_many_requests += 1
            raise ApiError(
                429, f"Too Many Requests: retry after {wait}", {"retry_after": wait}
            )
