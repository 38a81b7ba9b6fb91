"""The Zalo sandbox's in-memory state: chats, the bot's messages, pending updates, images,
faults, the rate ceiling and the counters.

Nothing here speaks HTTP: `api.py` puts the Zalo Bot Platform's methods in front of it and
`people.py` acts on it as simulated people. Every operation is O(1), so a benchmark can push
tens of thousands of messages through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# With keep_log off a chat keeps only its newest few bot messages: enough for a conversation
# to wait for its next answer, not a record of everything a benchmark sent.
RECENT = 8


def zalo_id(seed: int | str) -> str:
    """A stable 20-hex-digit id, shaped like Zalo's, for a test's number (2001 → 'a41f…')."""
    return hashlib.blake2s(str(seed).encode(), digest_size=10).hexdigest()


def now_ms() -> int:
    return int(time.time() * 1000)


class ZaloApiError(Exception):
    """A Zalo Bot API error: `{"ok": false, "error_code": N, "description": …}`, HTTP status N."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description


def bad_request(detail: str) -> ZaloApiError:
    return ZaloApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Fault:
    error_code: int
    description: str


@dataclass(frozen=True)
class ZaloEvent:
    """One thing that happened, in order: a person's message or a bot's message."""

    kind: str  # user_message, bot_message
    chat: str  # the person's display name
    actor: str  # "bot" or the person's display name
    text: str
    detail: str = ""  # the event name or the bot message's kind

    def line(self) -> str:
        where = "bot" if self.kind == "user_message" else self.chat
        return f"{self.actor} → {where}: {self.body()}"

    def body(self) -> str:
        """The text on one line, after a `[kind]` marker for anything but text."""
        detail = self.detail  # "message.image.received" reads as [image]
        kind = detail.split(".")[1] if detail.startswith("message.") else detail
        marker = "" if kind in ("", "text") else f"[{kind}] "
        return f"{marker}{' '.join(self.text.split())}".rstrip()


@dataclass
class ZaloChat:
    """A private chat between the bot and one person."""

    user: JSON  # {"id", "display_name", "is_bot"}
    started: bool = True  # the person has written to the bot
    blocked: bool = False
    history: list[JSON] = field(default_factory=list)  # the bot's messages, oldest first
    dropped: int = 0  # messages trimmed from the front of history (keep_log off)
    waiter: asyncio.Event | None = None

    @property
    def id(self) -> str:
        return str(self.user["id"])

    @property
    def name(self) -> str:
        return str(self.user["display_name"])

    @property
    def received(self) -> int:
        """How many messages the bot has sent here, trimmed ones included."""
        return self.dropped + len(self.history)


@dataclass
class ZaloStats:
    requests: Counter[str] = field(default_factory=Counter)
    sent_messages: int = 0  # every accepted send: texts, photos, stickers
    sent_texts: int = 0
    sent_photos: int = 0
    too_many_requests: int = 0
    server_errors: int = 0
    bad_requests: int = 0
    updates_polled: int = 0
    duplicates: int = 0  # updates queued a second time
    webhook_posts: int = 0  # delivered (the bot answered 2xx)
    webhook_failures: int = 0  # attempts the bot refused or did not answer
    webhook_dropped: int = 0  # updates given up on after the retries
    sent_per_second: Counter[int] = field(default_factory=Counter)  # second → sends

    @property
    def peak_per_second(self) -> int:
        return max(self.sent_per_second.values(), default=0)


class RateCeiling:
    """A token bucket: at most `rate` sends a second (burst of one second's worth)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.tokens = max(rate, 1.0)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(max(self.rate, 1.0), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class ZaloWorld:
    """All state of one emulated Zalo bot and the people who talk to it."""

    def __init__(self, token: str, *, keep_log: bool = True) -> None:
        self.token = token
        self.bot: JSON = {
            "id": token.split(":", 1)[0],
            "account_name": "bot.anninh",
            "account_type": "BASIC",
            "can_join_groups": False,
        }
        self.keep_log = keep_log
        self.base_url = ""  # set when the server starts: photo_url addresses need it
        self.chats: dict[str, ZaloChat] = {}
        self.images: dict[str, bytes] = {}  # name → bytes, served at /files/{name}
        self.updates: deque[JSON] = deque()
        self.updates_event = asyncio.Event()
        self.polling = asyncio.Event()  # set while a getUpdates is waiting
        self.pollers = 0
        self.webhook: JSON | None = None  # {"url", "secret_token", "updated_at"}
        self.webhook_set = asyncio.Event()
        self.faults: dict[str, deque[Fault]] = {}
        self.send_faults: deque[Fault] = deque()
        self.duplicate_pending = 0
        self.ceiling: RateCeiling | None = None
        self.max_poll_seconds: float | None = None
        self.stats = ZaloStats()
        self.log: list[ZaloEvent] = []
        self.listeners: list[Callable[[ZaloEvent], None]] = []
        self.closing = False
        self._started = time.monotonic()
        self._counter = 0

    def next_hex(self) -> str:
        self._counter += 1
        return zalo_id(f"message:{self._counter}")

    # ---- the bot's messages ------------------------------------------------------------

    def record(self, chat: ZaloChat, message: JSON) -> None:
        """Keep a bot message (or only count it), wake whoever waits in its chat, log it."""
        chat.history.append(message)
        if not self.keep_log and len(chat.history) > 2 * RECENT:
            del chat.history[:RECENT]
            chat.dropped += RECENT
        stats = self.stats
        stats.sent_messages += 1
        stats.sent_per_second[int(time.monotonic() - self._started)] += 1
        if chat.waiter is not None:
            chat.waiter.set()
            chat.waiter = None
        text = str(message.get("text") or message.get("caption") or "")
        self.emit(ZaloEvent("bot_message", chat.name, "bot", text, str(message["kind"])))

    def emit(self, event: ZaloEvent) -> None:
        if self.keep_log:
            self.log.append(event)
        for listener in self.listeners:
            listener(event)

    # ---- updates -----------------------------------------------------------------------

    def push_update(self, update: JSON) -> None:
        self.updates.append(update)
        if self.duplicate_pending > 0:
            self.duplicate_pending -= 1
            self.updates.append(update)
            self.stats.duplicates += 1
        self.wake()

    def wake(self) -> None:
        """Wake every pending getUpdates and the webhook pusher."""
        self.updates_event.set()
        self.updates_event = asyncio.Event()

    async def next_update(self, timeout: float) -> JSON | None:  # noqa: ASYNC109
        """The oldest pending update, waiting up to `timeout` seconds for one to come."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self.pollers += 1
        self.polling.set()
        try:
            while True:
                if self.closing or self.webhook is not None:
                    return None
                if self.updates:
                    self.stats.updates_polled += 1
                    return self.updates.popleft()
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.updates_event.wait(), remaining)
        finally:
            self.pollers -= 1
            if not self.pollers:
                self.polling.clear()

    # ---- faults and limits -------------------------------------------------------------

    def take_fault(self, method: str, *, is_send: bool) -> Fault | None:
        queue = self.faults.get(method.lower())
        if queue:
            return queue.popleft()
        if is_send and self.send_faults:
            return self.send_faults.popleft()
        return None

    def check_rate(self) -> None:
        if self.ceiling is not None and not self.ceiling.take():
            raise ZaloApiError(429, "Too Many Requests: quota exceeded")
