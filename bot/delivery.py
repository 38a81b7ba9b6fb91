"""The delivery engine: the only code that sends to many people.

Every broadcast is written to the durable `outbox` table (one row per recipient, in one
transaction) before anything is sent. One worker drains it through a `Sender` — Telegram today
(bot/telegram_sender.py), anything with the same two methods tomorrow (the message, the
protocol and its errors are in bot/sending.py, re-exported here) — at the configured pace:

- a global rate (`[broadcast] rate_per_second`), one message per private chat per
  `per_chat_seconds`, `group_per_minute` per group;
- priority lanes: alarm > personal (relays about a report, the notices about them) >
  announcement > propaganda. Rows are claimed most urgent first, and an alarm queued while
  thousands of propaganda rows are in hand is claimed and sent next;
- errors: `RateLimited` pauses the whole engine for the time asked (a group's 429 holds only
  that group: its limit is its own); `Unreachable` (blocked, chat not found) marks the
  resident unreachable and drops their other queued messages;
  `Transient` (timeouts, network) retries with bounded backoff; `Rejected` and the
  `max_attempts`-th failure are recorded as failed with the reason;
- propaganda waits during quiet hours (rows claimed just before they began go back to the
  outbox untried); announcements that are not urgent go out silently then.

Crash safety: a claimed row is marked `sending`; outcomes are written back in batches by the
ledger (bot/ledger.py, which also logs every message given up on and closes finished
broadcasts). After kill -9, `start()` puts every `sending` row back
in the queue, so nothing queued is lost, and only messages that were in flight — sent but not
yet recorded, at most `concurrency + FLUSH_EVERY` (bot/ledger.py) — can be sent a second time.

API for other features (the gong, issue 6) — send now, on the alarm lane, with buttons, and
learn each message id::

    message = OutMessage(text=html, buttons=((("🏃 Đang đến", "al:go:7"),
                                              ("Không thể", "al:no:7")),))
    broadcast_id = await services.delivery.enqueue(
        "alarm", message, recipients,               # [Recipient(resident_id, chat_id), …]
        commune_id=commune.id, origin="alarm:7", created_by=caller_id,
        on_delivered=callback)                      # async (Delivery) -> None, optional
    await services.delivery.wait_done(broadcast_id)  # optional: until every row is settled
    for d in await services.store.outbox.deliveries(broadcast_id):
        d.resident_id, d.chat_id, d.state, d.message_id   # edit them later ("Đã an toàn")

`on_delivered` runs once per recipient after its outcome is recorded (state sent, failed or
unreachable, with `message_id` when sent). It lives in memory; what must survive a restart
registers for a kind of origin instead: `on_finished("relay", handler)` is called with every
closed broadcast whose origin is 'relay:…', whenever it closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import BroadcastConfig
from bot.ledger import Finished, Ledger, Listener, Progress
from bot.models import LANE_PRIORITY, Lane, Recipient
from bot.pacing import Pacer
from bot.sending import (
    Migrated,
    OutMessage,
    QuietHours,
    Quiz,
    RateLimited,
    Rejected,
    Sender,
    SendError,
    Sent,
    Transient,
    Unreachable,
    chat_label,
)
from bot.store import Store, Tx
from bot.store.outbox import LANES, Claimed

__all__ = [
    "DeliveryEngine", "Migrated", "OutMessage", "QuietHours", "Quiz", "RateLimited", "Rejected",
    "SendError", "Sender", "Sent", "Transient", "Unreachable",
]

log = logging.getLogger(__name__)

ALARM = LANE_PRIORITY["alarm"]
PROPAGANDA = LANE_PRIORITY["propaganda"]

# --- the engine -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    lane: Lane
    urgent: bool
    message: OutMessage


class DeliveryEngine:
    """Drains the outbox. `start(sender)` in post_init, `stop()` in post_shutdown."""

    def __init__(self, store: Store, config: BroadcastConfig, clock: Clock, tz: ZoneInfo) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.quiet = QuietHours(config.quiet_hours, tz)
        self.pacer = Pacer(config)
        self.batch = max(20, min(1000, int(config.rate_per_second)))
        self._sender: Sender | None = None
        self._task: asyncio.Task[None] | None = None
        self._aux: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._lanes: dict[int, deque[Claimed]] = {p: deque() for p in LANE_PRIORITY.values()}
        # chat → the newest row claimed when it proved unreachable: rows claimed by then are
        # not tried; a message queued later (a relay to someone who unblocked) is.
        self._unreachable: dict[int, int] = {}
        self._claimed_up_to = 0
        self._prepared: dict[int, _Prepared] = {}
        self.ledger = Ledger(store, config.progress_seconds, self.notify, self._forget)
        self._record = self.ledger.record
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(config.concurrency)
        self.backoff = 2.0  # seconds before the first retry, doubling, at most a minute
        self.stats = {"sent": 0, "rate_limited": 0, "retried": 0}

    # --- public API -----------------------------------------------------------------------

    async def enqueue(
        self, lane: Lane, message: OutMessage, recipients: Iterable[Recipient], *,
        commune_id: int | None, origin: str, created_by: int | None = None,
        urgent: bool = False, audience: str = "{}", progress: tuple[int, int] | None = None,
        on_delivered: Listener | None = None,
    ) -> int:
        """Write a broadcast and its outbox rows in one transaction, wake the worker, return
        the broadcast id. Safe to call from any process (the bot picks rows up by polling)."""
        async with self.store.db.transaction() as tx:
            broadcast_id = await self.write(
                tx, lane, message, recipients, commune_id=commune_id, origin=origin,
                created_by=created_by, urgent=urgent, audience=audience, progress=progress)
        if on_delivered is not None:
            self.ledger.subscribe(broadcast_id, on_delivered)
        self.notify()
        return broadcast_id

    async def write(
        self, tx: Tx, lane: Lane, message: OutMessage, recipients: Iterable[Recipient], *,
        commune_id: int | None, origin: str, created_by: int | None = None,
        urgent: bool = False, audience: str = "{}", progress: tuple[int, int] | None = None,
    ) -> int:
        """`enqueue` inside the caller's transaction (to record something else atomically,
        e.g. a schedule slot); call `notify()` after the commit."""
        store = self.store
        broadcast_id = await store.broadcasts.create(
            tx, commune_id=commune_id, lane=lane, payload=message.to_json(), audience=audience,
            urgent=urgent, origin=origin, created_by=created_by, progress=progress,
        )
        total = await store.outbox.add(tx, broadcast_id, LANE_PRIORITY[lane], recipients)
        await store.broadcasts.set_queued(tx, broadcast_id, total)
        if total == 0:
            await store.broadcasts.finish(tx, [broadcast_id])
        return broadcast_id

    def notify(self) -> None:
        """Something was queued: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def wait_done(self, broadcast_id: int, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once every message of the broadcast is sent, failed or unreachable."""
        await self.ledger.wait_done(broadcast_id, timeout)

    def subscribe(self, broadcast_id: int, listener: Listener) -> None:
        self.ledger.subscribe(broadcast_id, listener)

    def on_finished(self, kind: str, handler: Finished) -> None:
        """Durable follow-up: `handler(broadcast)` once a broadcast of origin `kind:…` closes."""
        self.ledger.on_finished(kind, handler)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, sender: Sender, describe: Progress | None = None) -> None:
        """Recover rows left in flight by a crash, then drain the outbox until `stop()`."""
        self._sender = self.ledger.sender = sender
        self.ledger.describe = describe
        async with self.store.db.transaction() as tx:
            recovered = await self.store.outbox.recover(tx)
        if recovered:
            log.warning("requeued %d message(s) left in flight by the last run", recovered)
        self._task = asyncio.create_task(self._run(), name="delivery")
        self._aux = [
            asyncio.create_task(self.ledger.flush_loop(), name="delivery-flush"),
            # progress reports, and closing what is settled (after a crash, or by the CLI)
            asyncio.create_task(self.ledger.progress_loop(), name="delivery-progress"),
        ]

    async def stop(self) -> None:
        """Stop claiming, let messages in flight finish, record them, give back the rest."""
        if self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=10)
        for aux in self._aux:
            aux.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await aux
        await self.ledger.flush()
        held = [row for lane in self._lanes.values() for row in lane]
        held += self.pacer.release_held()
        if held:
            async with self.store.db.transaction() as tx:
                await self.store.outbox.release(tx, [row.id for row in held])
        for lane in self._lanes.values():
            lane.clear()

    async def crash(self) -> None:
        """Tests only: vanish like kill -9 — no flush, no release, tasks cancelled."""
        for task in [self._task, *self._aux, *self._in_flight]:
            if task is not None:
                task.cancel()
        self._task, self._aux = None, []
        self.ledger.clear()

    # --- the worker -----------------------------------------------------------------------

    async def _run(self) -> None:
        last_claim = 0.0
        while True:
            now = time.monotonic()
            buffered = sum(len(lane) for lane in self._lanes.values())
            woken = self._wake.is_set()
            if woken or (buffered < self.batch // 2 and now - last_claim >= self._idle_wait()):
                self._wake.clear()
                claimed = await self._claim(buffered)
                last_claim = now if claimed < self.batch // 2 else 0.0
            row = self._next(time.monotonic())
            if row is None:
                await self._sleep_until_work()
                last_claim = 0.0  # idle: look at the outbox again now (other processes)
                continue
            if row.id <= self._unreachable.get(row.chat_id, 0):
                self._record(row, "unreachable", row.attempts, "recipient unreachable")
                continue
            await self.pacer.take(alarm=row.priority == ALARM)
            await self._slots.acquire()
            if row.priority == PROPAGANDA and self.quiet.contains(self.clock.now()):
                self._slots.release()
                self._give_back_propaganda(row)  # quiet hours began after it was claimed
                continue
            self.pacer.mark(row.chat_id)
            task = asyncio.create_task(self._deliver(row))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

    def _give_back_propaganda(self, row: Claimed) -> None:
        """Quiet hours: this row and the rest of the propaganda lane go back to the outbox,
        untried; the claim leaves them there until the quiet hours end."""
        lane = self._lanes[PROPAGANDA]
        for waiting in (row, *lane):
            self._record(waiting, "queued", waiting.attempts)
        lane.clear()
        self.ledger.flushed.set()

    def _forget(self, broadcast_id: int) -> None:
        self._prepared.pop(broadcast_id, None)

    def _idle_wait(self) -> float:
        return self.config.poll_seconds

    async def _sleep_until_work(self) -> None:
        wait = self.config.poll_seconds
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
        quiet = self.quiet.contains(self.clock.now())
        async with self.store.db.transaction() as tx:
            rows = await self.store.outbox.claim(
                tx, limit, time.time(), below=below, propaganda=not quiet)
        unknown = {row.broadcast_id for row in rows} - self._prepared.keys()
        for broadcast_id in unknown:
            await self._prepare(broadcast_id)
        for row in rows:
            self._lanes[row.priority].append(row)
            self._claimed_up_to = max(self._claimed_up_to, row.id)
        if len(rows) == limit and any(row.priority == ALARM for row in rows):
            self._wake.set()  # more alarm rows may be waiting: claim them before anything else
        return len(rows)

    async def _prepare(self, broadcast_id: int) -> None:
        broadcast = await self.store.broadcasts.get(broadcast_id)
        assert broadcast is not None
        message = OutMessage.from_json(broadcast.payload)
        self._prepared[broadcast_id] = _Prepared(broadcast.lane, broadcast.urgent, message)

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

    async def _deliver(self, row: Claimed) -> None:
        assert self._sender is not None
        prepared = self._prepared[row.broadcast_id]
        message = prepared.message
        if (prepared.lane == "announcement" and not prepared.urgent
                and self.quiet.contains(self.clock.now())):
            message = dataclasses.replace(message, silent=True)
        attempts = row.attempts + 1
        try:
            sent = await self._sender.send(row.chat_id, message)
        except RateLimited as error:
            self.stats["rate_limited"] += 1
            log.info("%s: rate limited for %g s", chat_label(row.chat_id), error.retry_after)
            if row.chat_id < 0:
                self.pacer.hold(row.chat_id, error.retry_after)  # a group's limit is its own
            else:
                self.pacer.pause(error.retry_after)
            self._lanes[row.priority].appendleft(row)
        except Migrated as error:
            self._record(row, "sending", row.attempts, str(error), chat_id=error.new_chat_id)
            row.chat_id = error.new_chat_id
            self._lanes[row.priority].appendleft(row)
        except Unreachable as error:
            self._unreachable[row.chat_id] = self._claimed_up_to
            self._record(row, "unreachable", attempts, str(error))
        except Rejected as error:
            self._record(row, "failed", attempts, str(error))
        except Exception as error:  # Transient, and anything unexpected: bounded retries
            if not isinstance(error, Transient):
                log.exception("unexpected error sending to %s", chat_label(row.chat_id, row.id))
            reason = str(error) or type(error).__name__
            if attempts >= self.config.max_attempts:
                self._record(row, "failed", attempts, reason)
            else:
                self.stats["retried"] += 1
                backoff = min(60.0, self.backoff * 2.0 ** (attempts - 1))
                self._record(row, "queued", attempts, reason, not_before=time.time() + backoff)
        else:
            self.stats["sent"] += 1
            self._record(row, "sent", attempts, message_id=sent.message_id, ref=sent.ref)
            if sent.ref is not None:
                self.ledger.flushed.set()  # a quiz: record its poll id now, before anyone answers
        finally:
            self._slots.release()
