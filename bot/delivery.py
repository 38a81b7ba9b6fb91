"""The delivery engine: the only code that sends to many people.

Every broadcast is written to the durable `outbox` table (one row per recipient, in one
transaction) before anything is sent. A row names its channel and its chat there; a person's
row goes to their preferred account (bot/store/routes.py: the reachable one they used last),
and a broadcast reaches a person once, whatever the channel. Each channel with a `Sender` —
Telegram (bot/telegram_sender.py), the Zalo Bot Platform (bot/channels/zalo_bot/sender.py) —
is drained by its own worker (bot/drain.py), side by side, at that channel's own pace (the
message, the protocol and its errors are in bot/sending.py, re-exported here):

- a rate per channel (Telegram: `[broadcast] rate_per_second`; another channel: the
  `PacerConfig` given to `start`), one message per private chat per `per_chat_seconds`,
  `group_per_minute` per Telegram group;
- priority lanes within each channel: alarm > personal (relays about a report, the notices
  about them) > announcement > propaganda. Rows are claimed most urgent first, and an alarm
  queued while thousands of propaganda rows are in hand is claimed and sent next;
- errors: `RateLimited` pauses that channel for the time asked (a Telegram group's 429 holds
  only that group: its limit is its own); `Unreachable` (blocked, chat not found) marks the
  account (and the person once none of their accounts is reachable) and drops the chat's other
  queued messages; `Transient` (timeouts, network) retries with bounded backoff; `Rejected`
  and the `max_attempts`-th failure are recorded as failed with the reason;
- propaganda waits during quiet hours (rows claimed just before they began go back to the
  outbox untried); announcements that are not urgent go out silently then.

A row for a channel with no Sender stays queued (`anninh doctor` lists such channels) and
goes once a later start has a Sender for it.

Crash safety: a claimed row is marked `sending`; outcomes are written back in batches by the
ledger (bot/ledger.py, which also logs every message given up on and closes finished
broadcasts). After kill -9, `start()` puts every `sending` row back in the queue, so nothing
queued is lost, and only messages that were in flight — sent but not yet recorded, at most
`concurrency + FLUSH_EVERY` (bot/ledger.py) per channel — can be sent a second time.

Starting: `start(TelegramSender(bot))` (Telegram alone, paced by `[broadcast]`), or one Sender
per channel with the other channels' limits::

    await engine.start({"telegram": TelegramSender(bot), "zalo": ZaloSender(client)},
                       describe, pacing={"zalo": PacerConfig(rate_per_second=5)})

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
        d.resident_id, d.channel, d.chat_id, d.state, d.message_id  # edit them later

`on_delivered` runs once per recipient after its outcome is recorded (state sent, failed or
unreachable, with `message_id` when sent). It lives in memory; what must survive a restart
registers for a kind of origin instead: `on_finished("relay", handler)` is called with every
closed broadcast whose origin is 'relay:…', whenever it closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import BroadcastConfig
from bot.drain import Drain
from bot.ledger import Finished, Ledger, Listener, Progress, Progressed
from bot.models import LANE_PRIORITY, Channel, Lane, Recipient
from bot.pacing import Pacer, PacerConfig
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
    Skipped,
    Transient,
    Unreachable,
)
from bot.store import Store, Tx

__all__ = [
    "DeliveryEngine", "Migrated", "OutMessage", "PacerConfig", "QuietHours", "Quiz",
    "RateLimited", "Rejected", "SendError", "Sender", "Sent", "Skipped", "Transient",
    "Unreachable",
]

log = logging.getLogger(__name__)

# A channel started without a PacerConfig of its own (Telegram's comes from [broadcast]).
DEFAULT_PACING = PacerConfig()


@dataclass(frozen=True)
class Prepared:
    """A broadcast's message as its drains send it."""

    lane: Lane
    urgent: bool
    message: OutMessage


class DeliveryEngine:
    """Drains the outbox. `start(senders)` in post_init, `stop()` in post_shutdown."""

    def __init__(self, store: Store, config: BroadcastConfig, clock: Clock, tz: ZoneInfo) -> None:
        self.store = store
        self.config = config
        self.clock = clock
        self.quiet = QuietHours(config.quiet_hours, tz)
        self.pacer = Pacer(config)  # Telegram's
        self.drains: dict[Channel, Drain] = {}
        self.prepared: dict[int, Prepared] = {}
        self.ledger = Ledger(store, config.progress_seconds, self.notify, self._forget)
        self._aux: list[asyncio.Task[None]] = []
        self.backoff = 2.0  # seconds before the first retry, doubling, at most a minute

    # --- public API -----------------------------------------------------------------------

    async def enqueue(
        self, lane: Lane, message: OutMessage, recipients: Iterable[Recipient], *,
        commune_id: int | None, origin: str, created_by: int | None = None,
        urgent: bool = False, audience: str = "{}", progress: tuple[int, int] | None = None,
        on_delivered: Listener | None = None,
    ) -> int:
        """Write a broadcast and its outbox rows in one transaction, wake the workers, return
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
        for drain in self.drains.values():
            drain.wake()

    async def wait_done(self, broadcast_id: int, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once every message of the broadcast is sent, failed or unreachable."""
        await self.ledger.wait_done(broadcast_id, timeout)

    def subscribe(self, broadcast_id: int, listener: Listener) -> None:
        self.ledger.subscribe(broadcast_id, listener)

    def on_finished(self, kind: str, handler: Finished) -> None:
        """Durable follow-up: `handler(broadcast)` once a broadcast of origin `kind:…` closes."""
        self.ledger.on_finished(kind, handler)

    def on_progress(self, listener: Progressed) -> Callable[[], None]:
        """`listener(broadcast_ids)` each time outcomes of those broadcasts are recorded (and
        after any of them closed); returns what stops it."""
        self.ledger.progressed.append(listener)
        return lambda: self.ledger.progressed.remove(listener)

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> bool:
        """Change a progress message (Telegram's, the only channel with edits); False when
        there is none to change or the edit failed (the message may be gone)."""
        sender = self.ledger.sender
        if sender is None:
            return False
        try:
            await sender.edit_text(chat_id, message_id, text)
        except SendError:
            return False
        return True

    @property
    def running(self) -> bool:
        return any(d.task is not None and not d.task.done() for d in self.drains.values())

    @property
    def channels(self) -> frozenset[Channel]:
        """The channels being drained (those started with a Sender)."""
        return frozenset(self.drains)

    @property
    def stats(self) -> dict[str, int]:
        """Messages sent, 429s and retries, over every channel."""
        total = {"sent": 0, "rate_limited": 0, "retried": 0}
        for drain in self.drains.values():
            for key, count in drain.stats.items():
                total[key] += count
        return total

    async def start(
        self, senders: Sender[Any] | Mapping[Channel, Sender[Any]],
        describe: Progress | None = None, *, pacing: Mapping[Channel, PacerConfig] | None = None,
    ) -> None:
        """Recover rows left in flight by a crash, then drain the outbox until `stop()`: one
        worker per channel in `senders` (a lone Sender is Telegram's). Each channel is paced
        by its `pacing` entry; Telegram's defaults to `[broadcast]`, another channel's to
        DEFAULT_PACING. Progress messages (`describe`) are edited through Telegram's Sender."""
        outlets: dict[Channel, Sender[Any]] = (
            dict(senders) if isinstance(senders, Mapping) else {"telegram": senders})
        pacing = pacing or {}
        self.ledger.sender = outlets.get("telegram")
        self.ledger.describe = describe
        async with self.store.db.transaction() as tx:
            recovered = await self.store.outbox.recover(tx)
        if recovered:
            log.warning("requeued %d message(s) left in flight by the last run", recovered)
        for channel, sender in outlets.items():
            if channel in pacing:
                pacer = Pacer(pacing[channel])
                if channel == "telegram":
                    self.pacer = pacer
            else:
                pacer = self.pacer if channel == "telegram" else Pacer(DEFAULT_PACING)
            self.drains[channel] = Drain(self, channel, sender, pacer)
            self.drains[channel].start()
        self._aux = [
            asyncio.create_task(self.ledger.flush_loop(), name="delivery-flush"),
            # progress reports, and closing what is settled (after a crash, or by the CLI)
            asyncio.create_task(self.ledger.progress_loop(), name="delivery-progress"),
        ]

    async def stop(self) -> None:
        """Stop claiming, let messages in flight finish, record them, give back the rest."""
        tasks = [d.task for d in self.drains.values() if d.task is not None]
        if not tasks:
            return
        for drain in self.drains.values():
            drain.task = None
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        in_flight = {task for drain in self.drains.values() for task in drain.in_flight}
        if in_flight:
            await asyncio.wait(in_flight, timeout=10)
        for aux in self._aux:
            aux.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await aux
        await self.ledger.flush()
        held = [row for drain in self.drains.values() for row in drain.held()]
        if held:
            async with self.store.db.transaction() as tx:
                await self.store.outbox.release(tx, [row.id for row in held])

    async def crash(self) -> None:
        """Tests only: vanish like kill -9 — no flush, no release, tasks cancelled."""
        for drain in self.drains.values():
            for task in [drain.task, *drain.in_flight]:
                if task is not None:
                    task.cancel()
            drain.task = None
        for aux in self._aux:
            aux.cancel()
        self._aux = []
        self.ledger.clear()

    # --- for the drains -------------------------------------------------------------------

    async def prepare(self, broadcast_id: int) -> Prepared:
        """The broadcast's message, read once and kept until the broadcast is closed."""
        found = self.prepared.get(broadcast_id)
        if found is None:
            broadcast = await self.store.broadcasts.get(broadcast_id)
            assert broadcast is not None
            found = Prepared(broadcast.lane, broadcast.urgent,
                             OutMessage.from_json(broadcast.payload))
            self.prepared[broadcast_id] = found
        return found

    def _forget(self, broadcast_id: int) -> None:
        self.prepared.pop(broadcast_id, None)
