"""The delivery engine: the only code that sends to many people.

Every broadcast is written to the durable `outbox` table (one row per recipient, in one
transaction) before anything is sent. One worker drains it through a `Sender` — Telegram today
(bot/telegram_sender.py), anything with the same two methods tomorrow (the message, the
protocol and its errors are in bot/sending.py, re-exported here) — at the configured pace:

- a global rate (`[broadcast] rate_per_second`), one message per private chat per
  `per_chat_seconds`, `group_per_minute` per group;
- priority lanes: alarm > announcement > propaganda. Rows are claimed most urgent first, and an
  alarm queued while thousands of propaganda rows are in hand is claimed and sent next;
- errors: `RateLimited` pauses the whole engine for the time asked; `Unreachable` (blocked,
  chat not found) marks the resident unreachable and drops their other queued messages;
  `Transient` (timeouts, network) retries with bounded backoff; `Rejected` and the
  `max_attempts`-th failure are recorded as failed with the reason;
- propaganda waits during quiet hours (rows claimed just before they began go back to the
  outbox untried); announcements that are not urgent go out silently then.

Crash safety: a claimed row is marked `sending`; outcomes are written back in batches (every
`FLUSH_EVERY` messages or `FLUSH_SECONDS`). After kill -9, `start()` puts every `sending` row back
in the queue, so nothing queued is lost, and only messages that were in flight — sent but not
yet recorded, at most `concurrency + FLUSH_EVERY` — can be sent a second time.

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
unreachable, with `message_id` when sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import BroadcastConfig
from bot.models import LANE_PRIORITY, Broadcast, Delivery, DeliveryCounts, Lane, Recipient
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
)
from bot.store import Store, Tx
from bot.store.outbox import Claimed, Outcome

__all__ = [
    "DeliveryEngine", "Migrated", "OutMessage", "QuietHours", "Quiz", "RateLimited", "Rejected",
    "SendError", "Sender", "Sent", "Transient", "Unreachable",
]

log = logging.getLogger(__name__)

FLUSH_EVERY = 100
FLUSH_SECONDS = 0.2
ALARM = LANE_PRIORITY["alarm"]
PROPAGANDA = LANE_PRIORITY["propaganda"]

# --- the engine -------------------------------------------------------------------------------

Progress = Callable[[Broadcast, DeliveryCounts, bool], str]
Listener = Callable[[Delivery], Awaitable[None]]


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
        self._describe: Progress | None = None
        self._task: asyncio.Task[None] | None = None
        self._aux: list[asyncio.Task[None]] = []
        self._wake = asyncio.Event()
        self._lanes: dict[int, deque[Claimed]] = {p: deque() for p in LANE_PRIORITY.values()}
        self._unreachable: set[int] = set()
        self._prepared: dict[int, _Prepared] = {}
        self._listeners: dict[int, Listener] = {}
        self._done_events: dict[int, asyncio.Event] = {}
        self._outcomes: list[Outcome] = []
        self._flushed = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(config.concurrency)
        self._progress_text: dict[int, str] = {}
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
            self._listeners[broadcast_id] = on_delivered
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
        event = self._done_events.setdefault(broadcast_id, asyncio.Event())
        if not await self.store.outbox.open_broadcasts([broadcast_id]):
            return
        await asyncio.wait_for(event.wait(), timeout)

    def subscribe(self, broadcast_id: int, listener: Listener) -> None:
        self._listeners[broadcast_id] = listener

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self, sender: Sender, describe: Progress | None = None) -> None:
        """Recover rows left in flight by a crash, then drain the outbox until `stop()`."""
        self._sender, self._describe = sender, describe
        async with self.store.db.transaction() as tx:
            recovered = await self.store.outbox.recover(tx)
        if recovered:
            log.warning("requeued %d message(s) left in flight by the last run", recovered)
        self._task = asyncio.create_task(self._run(), name="delivery")
        self._aux = [asyncio.create_task(self._flush_loop(), name="delivery-flush")]
        if describe is not None:
            self._aux.append(asyncio.create_task(self._progress_loop(), name="delivery-progress"))

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
        await self._flush()
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
        self._outcomes.clear()

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
            if row.chat_id in self._unreachable:
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
        self._flushed.set()

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
        below = 3 if room > 0 else (worst if worst is not None else 3)
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
            self.pacer.pause(error.retry_after)
            self._lanes[row.priority].appendleft(row)
        except Migrated as error:
            self._record(row, "sending", row.attempts, str(error), chat_id=error.new_chat_id)
            row.chat_id = error.new_chat_id
            self._lanes[row.priority].appendleft(row)
        except Unreachable as error:
            self._unreachable.add(row.chat_id)
            self._record(row, "unreachable", attempts, str(error))
        except Rejected as error:
            self._record(row, "failed", attempts, str(error))
        except Exception as error:  # Transient, and anything unexpected: bounded retries
            if not isinstance(error, Transient):
                log.exception("unexpected error sending to %s", row.chat_id)
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
                self._flushed.set()  # a quiz: record its poll id now, before anyone answers
        finally:
            self._slots.release()
        if len(self._outcomes) >= FLUSH_EVERY:
            self._flushed.set()

    # --- bookkeeping ----------------------------------------------------------------------

    def _record(
        self, row: Claimed, state: str, attempts: int, error: str | None = None, **more: Any
    ) -> None:
        self._outcomes.append(Outcome(row.id, row.broadcast_id, state, attempts, error, **more))

    async def _flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._flushed.wait(), FLUSH_SECONDS)
            self._flushed.clear()
            try:
                await self._flush()
            except Exception:
                log.exception("could not record delivery outcomes; will try again")

    async def _flush(self) -> None:
        """Write outcomes in one transaction, then tell listeners and close finished ones."""
        if not self._outcomes:
            return
        outcomes, self._outcomes = self._outcomes, []
        try:
            async with self.store.db.transaction() as tx:
                await self.store.outbox.record(tx, outcomes)
        except BaseException:
            self._outcomes[:0] = outcomes
            raise
        if any(o.state == "queued" for o in outcomes):
            self._wake.set()  # a retry is due later; the claim query honours not_before
        touched = {o.broadcast_id for o in outcomes}
        await self._notify_listeners(outcomes)
        open_ids = await self.store.outbox.open_broadcasts(touched)
        finished = [i for i in touched if i not in open_ids]
        if finished:
            await self._finish(finished)

    async def _notify_listeners(self, outcomes: list[Outcome]) -> None:
        if not self._listeners:
            return
        for outcome in outcomes:
            listener = self._listeners.get(outcome.broadcast_id)
            if listener is None or outcome.state in ("queued", "sending"):
                continue
            delivery = await self.store.outbox.delivery(outcome.id)
            try:
                if delivery is not None:
                    await listener(delivery)
            except Exception:
                log.exception("a delivery listener failed")

    async def _finish(self, broadcast_ids: list[int]) -> None:
        async with self.store.db.transaction() as tx:
            await self.store.broadcasts.finish(tx, broadcast_ids)
        for broadcast_id in broadcast_ids:
            self._prepared.pop(broadcast_id, None)
            self._listeners.pop(broadcast_id, None)
            await self._report(broadcast_id, final=True)
            self._done_events.setdefault(broadcast_id, asyncio.Event()).set()

    async def _progress_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.progress_seconds)
            try:
                for broadcast in await self.store.broadcasts.in_progress():
                    await self._report(broadcast.id, final=False)
                await self._close_finished()
            except Exception:
                log.exception("could not report broadcast progress")

    async def _close_finished(self) -> None:
        """Broadcasts queued elsewhere (CLI) with nothing left to send are closed here."""
        active = [b.id for b in await self.store.broadcasts.in_progress()]
        open_ids = await self.store.outbox.open_broadcasts(active)
        finished = [i for i in active if i not in open_ids]
        if finished:
            await self._finish(finished)

    async def _report(self, broadcast_id: int, *, final: bool) -> None:
        broadcast = await self.store.broadcasts.get(broadcast_id)
        if (broadcast is None or self._describe is None or self._sender is None
                or broadcast.progress_chat_id is None or broadcast.progress_message_id is None):
            return
        counts = await self.store.outbox.counts(broadcast_id)
        text = self._describe(broadcast, counts, final)
        if self._progress_text.get(broadcast_id) == text:
            return
        self._progress_text[broadcast_id] = text
        if final:
            self._progress_text.pop(broadcast_id, None)
        try:
            await self._sender.edit_text(
                broadcast.progress_chat_id, broadcast.progress_message_id, text)
        except SendError as error:
            log.warning("could not update the progress of broadcast %d: %s", broadcast_id, error)
