"""The delivery engine's pace: one channel's limits, kept in memory (one Pacer per channel).

- a global token bucket (Telegram: `[broadcast] rate_per_second`; alarms may use up to
  `alarm_rate_per_second`, Telegram's ceiling), with a small burst;
- the pause a 429 asked for (RetryAfter), which stops everything on the channel — or, for a
  Telegram group, that group only;
- one message per private chat per `per_chat_seconds` and `group_per_minute` per group: a row
  whose chat is not ready yet waits in a heap, soonest first, while others go ahead. Only
  Telegram's ids tell a group (negative); any other chat keeps the private gap.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from dataclasses import dataclass

from bot.config import BroadcastConfig
from bot.models import Address
from bot.store.outbox import Claimed

MAX_TRACKED_CHATS = 50_000


@dataclass(frozen=True)
class PacerConfig:
    """One channel's limits: messages a second (alarms may go up to `alarm_rate_per_second`),
    the gap between two messages to one private chat, messages a minute to one group, and
    how many sends may be in flight at once."""

    rate_per_second: float = 10.0
    alarm_rate_per_second: float = 0.0  # 0: no faster than rate_per_second
    per_chat_seconds: float = 1.0
    group_per_minute: int = 20
    concurrency: int = 16

    @classmethod
    def of(cls, config: BroadcastConfig) -> PacerConfig:
        """Telegram's limits, from `[broadcast]`."""
        return cls(config.rate_per_second, config.alarm_rate_per_second,
                   config.per_chat_seconds, config.group_per_minute, config.concurrency)


def is_group(chat_id: Address) -> bool:
    """Whether the chat is a Telegram group (negative id); another messenger's id can't tell."""
    return isinstance(chat_id, int) and chat_id < 0


class Pacer:
    def __init__(self, config: PacerConfig | BroadcastConfig) -> None:
        if isinstance(config, BroadcastConfig):
            config = PacerConfig.of(config)
        self.config = config
        self.rate = config.rate_per_second
        # Alarms may go faster than the configured pace, up to Telegram's ceiling.
        self.alarm_rate = max(config.rate_per_second, config.alarm_rate_per_second)
        self._private_gap = config.per_chat_seconds
        self._group_gap = 60.0 / config.group_per_minute
        self.burst = max(2.0, self.rate * 0.05)
        self._tokens = 1.0
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._chat_ready: dict[Address, float] = {}
        self._held: list[tuple[float, int, int, Claimed]] = []
        self.taken = 0  # tokens given out so far
        self._turn = asyncio.Lock()

    # --- the global rate and RetryAfter ---------------------------------------------------

    async def take(self, *, alarm: bool = False) -> None:
        """Wait for a token of the global bucket (and for any pause a 429 asked for)."""
        async with self._turn:  # one waiter at a time, in order: no herd woken per token
            await self._take(self.alarm_rate if alarm else self.rate)

    async def _take(self, rate: float) -> None:
        while True:
            now = time.monotonic()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                self.taken += 1
                return
            await asyncio.sleep((1 - self._tokens) / rate)

    def pause(self, seconds: float) -> None:
        """The channel said 429: nothing goes out on it for `seconds`."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def hold(self, chat_id: Address, seconds: float) -> None:
        """Telegram said 429 for one group: nothing goes to that chat for `seconds`; the
        others go on (a group's 20 a minute is that group's own)."""
        ready = time.monotonic() + seconds
        self._chat_ready[chat_id] = max(self._chat_ready.get(chat_id, 0.0), ready)

    # --- per chat -------------------------------------------------------------------------

    def ready(self, row: Claimed, now: float) -> bool:
        """Whether the row's chat may receive now; if not, the row waits in the heap."""
        ready = self._chat_ready.get(row.chat_id, 0.0)
        if ready <= now:
            return True
        heapq.heappush(self._held, (ready, row.priority, row.id, row))
        return False

    def mark(self, chat_id: Address) -> None:
        """A message is going to `chat_id`: the next one waits for the chat's gap."""
        now = time.monotonic()
        gap = self._group_gap if is_group(chat_id) else self._private_gap
        self._chat_ready[chat_id] = now + gap
        if len(self._chat_ready) > MAX_TRACKED_CHATS:
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}

    def pop_held(self, now: float) -> Claimed | None:
        """The held row whose chat became ready first, if its time has come. A row whose chat
        got another message meanwhile (several held for one chat: a relay in parts, replies
        in a row) waits again, in its turn: each of them keeps the chat's gap."""
        while self._held and self._held[0][0] <= now:
            _, priority, row_id, row = heapq.heappop(self._held)
            ready = self._chat_ready.get(row.chat_id, 0.0)
            if ready > now:
                heapq.heappush(self._held, (ready, priority, row_id, row))
                continue
            return row
        return None

    def next_held_in(self, now: float) -> float | None:
        """Seconds until the first held row may go; None when nothing is held."""
        return max(0.0, self._held[0][0] - now) if self._held else None

    def release_held(self) -> list[Claimed]:
        """Every held row (the engine stops and gives them back to the outbox)."""
        rows = [entry[3] for entry in self._held]
        self._held.clear()
        return rows
