"""One channel's worker for the delivery engine (bot/delivery.py).

A `Drain` claims its channel's outbox rows, holds them in priority lanes (alarm > personal >
announcement > propaganda), paces them with its channel's own `Pacer`, sends them through its
channel's `Sender` and hands every outcome to the engine's ledger. The engine runs one Drain
per channel, side by side: a slow or rate-limited channel holds back only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from bot.models import LANE_PRIORITY, Address, Channel
from bot.pacing import Pacer, is_group
from bot.sending import (
    Deferred,
    Migrated,
    RateLimited,
    Rejected,
    Sender,
    Skipped,
    Transient,
    Unreachable,
    chat_label,
)
from bot.store.outbox import LANES, Claimed

if TYPE_CHECKING:
    from bot.delivery import DeliveryEngine

log = logging.getLogger("bot.delivery")

ALARM = LANE_PRIORITY["alarm"]
PROPAGANDA = LANE_PRIORITY["propaganda"]


class Drain:
    """Drains one channel's rows of the outbox until cancelled."""

    def __init__(
        self, engine: DeliveryEngine, channel: Channel, sender: Sender[Any], pacer: Pacer
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.sender = sender
        # A Zalo OA decides per message by its lane (bot/sending.py: LaneSender).
        self.send_on = getattr(sender, "send_on", None)
        self.pacer = pacer
        # A sender that paces its own calls (a Zalo OA: a message may take several calls, or
        # none) takes the pacer's tokens itself; the loop then takes none per row.
        pace_with = getattr(sender, "pace_with", None)
        self.sender_paces = pace_with is not None
        if pace_with is not None:
            pace_with(pacer.take)
        self.batch = max(20, min(1000, int(pacer.rate)))
        self.stats = {"sent": 0, "rate_limited": 0, "retried": 0}
        self.task: asyncio.Task[None] | None = None
        self.in_flight: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._lanes: dict[int, deque[Claimed]] = {p: deque() for p in LANE_PRIORITY.values()}
        # chat → the newest row claimed when it proved unreachable: rows claimed by then are
        # not tried; a message queued later (a relay to someone who unblocked) is.
        self._unreachable: dict[Address, int] = {}
        self._claimed_up_to = 0
        self._slots = asyncio.Semaphore(pacer.config.concurrency)

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"delivery-{self.channel}")

    def wake(self) -> None:
        self._wake.set()

    def held(self) -> list[Claimed]:
        """Every row in hand but not sent (to give back to the outbox), emptying the lanes."""
        rows = [row for lane in self._lanes.values() for row in lane]
        rows += self.pacer.release_held()
        for lane in self._lanes.values():
            lane.clear()
        return rows

    # --- the loop -------------------------------------------------------------------------

    async def _run(self) -> None:
        last_claim = 0.0
        poll = self.engine.config.poll_seconds
        while True:
            now = time.monotonic()
            buffered = sum(len(lane) for lane in self._lanes.values())
            woken = self._wake.is_set()
            if woken or (buffered < self.batch // 2 and now - last_claim >= poll):
                self._wake.clear()
                claimed = await self._claim(buffered)
                last_claim = now if claimed < self.batch // 2 else 0.0
            row = self._next(time.monotonic())
            if row is None:
                await self._sleep_until_work()
                last_claim = 0.0  # idle: look at the outbox again now (other processes)
                continue
            if row.id <= self._unreachable.get(row.chat_id, 0):
                self.engine.ledger.record(row, "unreachable", row.attempts,
                                          "recipient unreachable")
                continue
            if not self.sender_paces:
                await self.pacer.take(alarm=row.priority == ALARM)
            await self._slots.acquire()
            if row.priority == PROPAGANDA and self.engine.quiet.contains(self.engine.clock.now()):
                self._slots.release()
                self._give_back_propaganda(row)  # quiet hours began after it was claimed
                continue
            self.pacer.mark(row.chat_id)
            task = asyncio.create_task(self._deliver(row))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    def _give_back_propaganda(self, row: Claimed) -> None:
        """Quiet hours: this row and the rest of the propaganda lane go back to the outbox,
        untried; the claim leaves them there until the quiet hours end."""
        lane = self._lanes[PROPAGANDA]
        for waiting in (row, *lane):
            self.engine.ledger.record(waiting, "queued", waiting.attempts)
        lane.clear()
        self.engine.ledger.flushed.set()

    async def _sleep_until_work(self) -> None:
        wait = self.engine.config.poll_seconds
        held_in = self.pacer.next_held_in(time.monotonic())
        if held_in is not None:
            wait = min(wait, held_in)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), wait)

    async def _claim(self, buffered: int) -> int:
        """Take due rows from the outbox into the lanes; alarms even when the lanes are full."""
        worst = max((p for p, lane in self._lanes.items() if lane), default=None)
        room = self.batch - buffered
        below = LANES if room > 0 else (worst if worst is not None else LANES)
        limit = room if room > 0 else self.batch
        if below == 0:
            return 0
        engine = self.engine
        quiet = engine.quiet.contains(engine.clock.now())
        async with engine.store.db.transaction() as tx:
            rows = await engine.store.outbox.claim(
                tx, limit, time.time(), below=below, propaganda=not quiet, channel=self.channel)
        for broadcast_id in {row.broadcast_id for row in rows}:
            await engine.prepare(broadcast_id)
        for row in rows:
            self._lanes[row.priority].append(row)
            self._claimed_up_to = max(self._claimed_up_to, row.id)
        if len(rows) == limit and any(row.priority == ALARM for row in rows):
            self._wake.set()  # more alarm rows may be waiting: claim them before anything else
        return len(rows)

    def _next(self, now: float) -> Claimed | None:
        """The most urgent row whose chat may receive now; the pacer holds the others."""
        held = self.pacer.pop_held(now)
        if held is not None:
            return held
        for priority in sorted(self._lanes):
            lane = self._lanes[priority]
            while lane:
                row = lane.popleft()
                if self.pacer.ready(row, now):
                    return row
        return None

    # --- one message ----------------------------------------------------------------------

    async def _deliver(self, row: Claimed) -> None:
        engine, record = self.engine, self.engine.ledger.record
        prepared = engine.prepared[row.broadcast_id]
        message = prepared.message
        if (prepared.lane == "announcement" and not prepared.urgent
                and engine.quiet.contains(engine.clock.now())):
            message = dataclasses.replace(message, silent=True)
        attempts = row.attempts + 1
        try:
            if self.send_on is not None:
                sent = await self.send_on(row.chat_id, message, prepared.lane, prepared.urgent)
            else:
                sent = await self.sender.send(row.chat_id, message)
        except RateLimited as error:
            self.stats["rate_limited"] += 1
            log.info("%s on %s: rate limited for %g s", chat_label(row.chat_id), self.channel,
                     error.retry_after)
            if is_group(row.chat_id):
                self.pacer.hold(row.chat_id, error.retry_after)  # a group's limit is its own
            else:
                self.pacer.pause(error.retry_after)  # this channel only
            self._lanes[row.priority].appendleft(row)
        except Migrated as error:
            record(row, "sending", row.attempts, str(error), chat_id=error.new_chat_id)
            row.chat_id = error.new_chat_id
            self._lanes[row.priority].appendleft(row)
        except Unreachable as error:
            self._unreachable[row.chat_id] = self._claimed_up_to
            record(row, "unreachable", attempts, str(error))
        except Deferred as error:
            record(row, "queued", row.attempts, str(error),
                   not_before=time.time() + error.seconds)
        except Skipped as error:
            record(row, "skipped", attempts, str(error), reach=error.reach,
                   waits_until=error.waits_until)
        except Rejected as error:
            record(row, "failed", attempts, str(error))
        except Exception as error:  # Transient, and anything unexpected: bounded retries
            if not isinstance(error, Transient):
                log.exception("unexpected error sending to %s on %s",
                              chat_label(row.chat_id, row.id), self.channel)
            reason = str(error) or type(error).__name__
            if attempts >= engine.config.max_attempts:
                record(row, "failed", attempts, reason)
            else:
                self.stats["retried"] += 1
                backoff = min(60.0, engine.backoff * 2.0 ** (attempts - 1))
                record(row, "queued", attempts, reason, not_before=time.time() + backoff)
        else:
            self.stats["sent"] += 1
            record(row, "sent", attempts, sent.note, message_id=sent.message_id, ref=sent.ref,
                   reach=sent.reach)
            if sent.ref is not None:
                engine.ledger.flushed.set()  # a quiz: record its poll id now, before any answer
        finally:
            self._slots.release()
