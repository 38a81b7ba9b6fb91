"""For the delivery engine's tests: a fast configuration and a fake `Sender` that records,
fails on request and hangs at a gate. (The `db` and `engine` fixtures are in conftest.py.)"""

from __future__ import annotations

import asyncio
import time
from zoneinfo import ZoneInfo

from bot.config import BroadcastConfig
from bot.delivery import OutMessage, SendError, Sent
from bot.models import Address, Channel

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FAST = BroadcastConfig(rate_per_second=1000, paid_broadcast=True, per_chat_seconds=0.05,
                       poll_seconds=0.02, progress_seconds=0.05, max_attempts=3)
DATABASE = "delivery.sqlite3"  # the `db` fixture's file in tmp_path


class FakeSender:
    """A Sender of one channel that records what it sends and fails on request, per chat
    (`failures`) or for every send (`always`); from the `after_sends`-th send on, sends wait
    for `gate`. Message ids are integers on Telegram, hex text on other channels."""

    def __init__(self, channel: Channel = "telegram") -> None:
        self.channel = channel
        self.sent: list[tuple[Address, OutMessage, float]] = []
        self.edits: list[tuple[Address, int, str]] = []
        self.tries = 0
        self.failures: dict[Address, list[SendError]] = {}
        self.always: SendError | None = None
        self.gate: asyncio.Event | None = None
        self.after_sends: int | None = None
        self.waiting = asyncio.Event()  # set while a send waits at the gate
        self.count_reached: tuple[int, asyncio.Event] | None = None

    async def send(self, chat_id: Address, message: OutMessage) -> Sent:
        self.tries += 1
        if self.gate is not None and self.after_sends is not None \
                and len(self.sent) >= self.after_sends:
            self.waiting.set()
            await self.gate.wait()
        if self.always is not None:
            raise self.always
        queue = self.failures.get(chat_id)
        if queue:
            raise queue.pop(0)
        self.sent.append((chat_id, message, time.monotonic()))
        if self.count_reached and len(self.sent) >= self.count_reached[0]:
            self.count_reached[1].set()
        number = len(self.sent)
        return Sent(message_id=number if self.channel == "telegram" else f"{number:08x}")

    async def edit_text(self, chat_id: Address, message_id: int, text: str) -> None:
        self.edits.append((chat_id, message_id, text))

    async def wait_sent(self, count: int) -> None:
        """Until `count` messages are sent (10 s at most: a guard, not a measure)."""
        self.count_reached = (count, asyncio.Event())
        if len(self.sent) < count:
            await asyncio.wait_for(self.count_reached[1].wait(), 10)

    def chats(self) -> list[Address]:
        return [chat for chat, _, _ in self.sent]
