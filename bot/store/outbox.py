"""The durable outbox: one row per (broadcast, recipient) that the delivery engine drains.

A row names its channel and its chat there: Telegram's integer chat id in `chat_id`, another
messenger's id (text) in `address`; readers get whichever is set as the row's chat
(`coalesce(chat_id, address)`). A broadcast reaches a chat once and a person once, whatever
the channel (migration 0015).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.models import (
    LANE_PRIORITY,
    Address,
    Channel,
    Delivery,
    DeliveryCounts,
    DeliveryFailure,
    FailedDeliveries,
    Reach,
    Recipient,
)
from bot.store import routes
from bot.store.db import Database, Tx

_OPEN = "('queued', 'sending')"
LANES = len(LANE_PRIORITY)  # every priority is below this
PROPAGANDA = LANE_PRIORITY["propaganda"]
_CHAT = "coalesce(chat_id, address)"  # a row's chat, as outbox_chat indexes it
_DELIVERY = (f"SELECT resident_id, {_CHAT}, state, attempts, message_id, last_error, ref, "
             "channel FROM outbox")

# One row per recipient; a person goes to their preferred account (bot/store/routes.py), a
# chat with no person to the chat given. ?1 broadcast, ?2 person, ?3 channel, ?4 address
# (text), ?5 priority.
_ADD = (
    "INSERT OR IGNORE INTO outbox (broadcast_id, resident_id, channel, chat_id, address, "
    "priority) SELECT ?1, ?2, route.channel, CASE WHEN route.channel = 'telegram' "
    "THEN CAST(route.address AS INTEGER) END, CASE WHEN route.channel != 'telegram' "
    "THEN route.address END, ?5 FROM (SELECT coalesce(ra.channel, ?3) AS channel, "
    "coalesce(ra.external_id, ?4) AS address FROM (SELECT 1) "
    f"LEFT JOIN accounts ra ON ra.id = {routes.preferred_account('?2')}) AS route"
)


@dataclass(slots=True)
class Claimed:
    """An outbox row the engine holds in memory between claiming and recording it."""

    id: int
    broadcast_id: int
    chat_id: Address
    resident_id: int | None
    priority: int
    attempts: int
    channel: Channel = "telegram"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed row, written back in batches."""

    id: int
    broadcast_id: int
    # sent | failed | unreachable | skipped (by rule) | queued (retry later) | sending (moved)
    state: str
    attempts: int
    error: str | None = None
    message_id: int | str | None = None
    ref: str | None = None
    not_before: float = 0.0
    chat_id: int | None = None  # set when the chat moved (group upgraded to a supergroup)
    reach: Reach | None = None  # how a Zalo OA follower was reached, or why not
    waits_until: str | None = None  # skipped, but sent if the follower interacts before then


class OutboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- writes ----------------------------------------------------------------------------

    async def add(
        self, tx: Tx, broadcast_id: int, priority: int, recipients: Iterable[Recipient]
    ) -> int:
        """Queue one row per recipient, a person on their preferred account whatever chat is
        given (a chat or a person twice is queued once); returns the broadcast's count."""
        rows = [(broadcast_id, r.resident_id, r.channel,
                 str(int(r.chat_id)) if r.channel == "telegram" else str(r.chat_id), priority)
                for r in recipients]
        await tx.executemany(_ADD, rows)
        count = await (await tx.execute(
            "SELECT count(*) FROM outbox WHERE broadcast_id = ?", (broadcast_id,)
        )).fetchone()
        return int(count[0]) if count else 0

    async def claim(
        self, tx: Tx, limit: int, now: float, *, below: int = LANES, propaganda: bool = True,
        channel: Channel = "telegram",
    ) -> list[Claimed]:
        """Mark up to `limit` due rows of `channel` as sending and return them, most urgent and
        oldest first. `below` only takes priorities under it; `propaganda=False` leaves that
        lane queued."""
        ceiling = below if propaganda else min(below, PROPAGANDA)
        rows = await tx.execute_fetchall(
            "UPDATE outbox SET state = 'sending' WHERE id IN (SELECT id FROM outbox "
            "WHERE state = 'queued' AND channel = ? AND priority < ? AND not_before <= ? "
            "ORDER BY priority, id LIMIT ?) "
            f"RETURNING id, broadcast_id, {_CHAT}, resident_id, priority, attempts, channel",
            (channel, ceiling, now, limit),
        )
        claimed = [Claimed(*row) for row in rows]
        claimed.sort(key=lambda c: (c.priority, c.id))
        return claimed

    async def record(
        self, tx: Tx, outcomes: Sequence[Outcome]
    ) -> dict[tuple[Channel, Address], int]:
        """Write a batch of outcomes in one go (the engine calls this every ~100 messages);
        returns, per unreachable chat, how many other queued messages to it were given up.
        An unreachable chat's account is marked, and its person once none of their accounts
        is reachable."""
        now = self._db.now_iso()
        moved = [(o.chat_id, o.id) for o in outcomes if o.chat_id is not None]
        if moved:
            await tx.executemany("UPDATE OR IGNORE outbox SET chat_id = ? WHERE id = ?", moved)
        await tx.executemany(
            "UPDATE outbox SET state = ?, attempts = ?, last_error = ?, message_id = ?, ref = ?, "
            "not_before = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
            "failed_at = CASE WHEN ? IN ('failed', 'unreachable') THEN ? ELSE NULL END, "
            "reach = coalesce(?, reach) WHERE id = ?",
            [(o.state, o.attempts, o.error, o.message_id, o.ref, o.not_before, o.state, now,
              o.state, now, o.reach, o.id) for o in outcomes],
        )
        waiting = [(o.waits_until, o.id) for o in outcomes
                   if o.state == "skipped" and o.waits_until is not None]
        if waiting:  # migration 0036: the follower's next interaction queues them again
            await tx.executemany(
                "INSERT OR REPLACE INTO zalo_oa_waiting (outbox_id, address, until) "
                "SELECT id, address, ? FROM outbox WHERE id = ? AND address IS NOT NULL",
                waiting)
        dropped: dict[tuple[Channel, Address], int] = {}
        for outcome in outcomes:
            if outcome.state == "unreachable":
                await self._unreachable(tx, outcome, now, dropped)
        return dropped

    async def _unreachable(
        self, tx: Tx, outcome: Outcome, now: str, dropped: dict[tuple[Channel, Address], int]
    ) -> None:
        """Whoever blocked the bot gets nothing more from any queued broadcast on that chat;
        their account is marked, and they are once none of their accounts is reachable."""
        found = await tx.execute_fetchall(
            f"SELECT channel, {_CHAT}, resident_id FROM outbox WHERE id = ?", (outcome.id,))
        for channel, chat, resident_id in found:
            cursor = await tx.execute(
                "UPDATE outbox SET state = 'unreachable', last_error = ?, failed_at = ? "
                f"WHERE state = 'queued' AND channel = ? AND {_CHAT} = ?",
                (outcome.error, now, channel, chat))
            if cursor.rowcount > 0:
                dropped[(channel, chat)] = dropped.get((channel, chat), 0) + cursor.rowcount
            await routes.mark(tx, channel, str(chat), reachable=False, now=now,
                              resident_id=resident_id)

    async def received(self, ref: str) -> bool:
        """The messenger says the message with this ref reached the person's device (a ZBS
        template's receipt): stamped once (migration 0035)."""
        return await self._db.write(
            "UPDATE outbox SET received_at = ? WHERE ref = ? AND received_at IS NULL",
            (self._db.now_iso(), ref)) > 0

    async def release(self, tx: Tx, ids: Sequence[int]) -> None:
        """Give claimed rows back to the queue (the engine stops with rows still in hand)."""
        await tx.executemany(
            "UPDATE outbox SET state = 'queued' WHERE id = ? AND state = 'sending'",
            [(i,) for i in ids],
        )

    async def recover(self, tx: Tx) -> int:
        """After a crash: rows that were claimed but never recorded go back to the queue."""
        cursor = await tx.execute("UPDATE outbox SET state = 'queued' WHERE state = 'sending'")
        return cursor.rowcount

    # --- reads ---------------------------------------------------------------------------

    async def counts(self, broadcast_id: int) -> DeliveryCounts:
        rows = await self._db.fetchall(
            "SELECT state, count(*) FROM outbox WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,),
        )
        return _counts({row[0]: row[1] for row in rows})

    async def counts_by_channel(self, broadcast_id: int) -> dict[str, DeliveryCounts]:
        """Where a broadcast's messages stand on each channel it went out on."""
        rows = await self._db.fetchall(
            "SELECT channel, state, count(*) FROM outbox WHERE broadcast_id = ? "
            "GROUP BY channel, state ORDER BY channel",
            (broadcast_id,),
        )
        by_channel: dict[str, dict[str, int]] = {}
        for channel, state, count in rows:
            by_channel.setdefault(channel, {})[state] = count
        return {channel: _counts(states) for channel, states in by_channel.items()}

    async def open_broadcasts(self, broadcast_ids: Iterable[int]) -> set[int]:
        """Which of these broadcasts still have messages queued or in flight."""
        ids = sorted(set(broadcast_ids))
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        rows = await self._db.fetchall(
            f"SELECT DISTINCT broadcast_id FROM outbox WHERE state IN {_OPEN} "
            f"AND broadcast_id IN ({marks})",
            ids,
        )
        return {row[0] for row in rows}

    async def has_due(self, now: float, *, propaganda: bool) -> bool:
        found = await self._db.scalar(
            "SELECT 1 FROM outbox WHERE state = 'queued' AND priority < ? AND not_before <= ? "
            "LIMIT 1",
            (LANES if propaganda else PROPAGANDA, now),
        )
        return found is not None

    async def failures(self, since: str, limit: int = 100) -> list[DeliveryFailure]:
        """Messages given up on (failed or unreachable) at or after `since` (ISO 8601, as the
        store writes it), newest first: for `anninh doctor` and status commands."""
        rows = await self._db.fetchall(
            "SELECT o.broadcast_id, b.lane, b.origin, b.commune_id, "
            "coalesce(o.chat_id, o.address), o.resident_id, o.state, o.attempts, o.last_error, "
            "o.failed_at, o.channel FROM outbox o "
            "JOIN broadcasts b ON b.id = o.broadcast_id "
            "WHERE o.failed_at IS NOT NULL AND o.failed_at >= ? "
            "ORDER BY o.failed_at DESC, o.id DESC LIMIT ?",
            (since, limit),
        )
        return [DeliveryFailure(*row) for row in rows]

    async def failure_count(self, since: str) -> int:
        """How many messages were given up on at or after `since`."""
        return int(await self._db.scalar(
            "SELECT count(*) FROM outbox WHERE failed_at IS NOT NULL AND failed_at >= ?",
            (since,)) or 0)

    async def deliveries(self, broadcast_id: int) -> list[Delivery]:
        rows = await self._db.fetchall(
            f"{_DELIVERY} WHERE broadcast_id = ? ORDER BY id", (broadcast_id,))
        return [Delivery(*row) for row in rows]

    async def delivery(self, row_id: int) -> Delivery | None:
        row = await self._db.fetchone(f"{_DELIVERY} WHERE id = ?", (row_id,))
        return None if row is None else Delivery(*row)

    async def by_ref(self, ref: str) -> tuple[int, int | None] | None:
        """(broadcast id, resident id) of the message carrying `ref` (a quiz's poll id)."""
        row = await self._db.fetchone(
            "SELECT broadcast_id, resident_id FROM outbox WHERE ref = ?", (ref,)
        )
        return None if row is None else (row[0], row[1])

    async def queued_total(self) -> int:
        return int(await self._db.scalar(
            f"SELECT count(*) FROM outbox WHERE state IN {_OPEN}") or 0)

    async def queued_by_channel(self) -> dict[str, int]:
        """Messages queued or in flight, per channel (for `anninh doctor`)."""
        rows = await self._db.fetchall(
            f"SELECT channel, count(*) FROM outbox WHERE state IN {_OPEN} GROUP BY channel")
        return {row[0]: int(row[1]) for row in rows}

    async def failures_since(self, since: str) -> list[FailedDeliveries]:
        """Broadcasts created at or after `since` (ISO time) with failed or unreachable
        messages: how many of each and the latest error, newest broadcast first."""
        rows = await self._db.fetchall(
            "SELECT b.id, b.lane, b.origin, b.created_at, "
            "sum(o.state = 'failed'), sum(o.state = 'unreachable'), "
            "(SELECT last_error FROM outbox e WHERE e.broadcast_id = b.id "
            " AND e.state IN ('failed', 'unreachable') AND e.last_error IS NOT NULL "
            " ORDER BY e.id DESC LIMIT 1) "
            "FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id "
            "WHERE o.state IN ('failed', 'unreachable') AND b.created_at >= ? "
            "GROUP BY b.id ORDER BY b.id DESC",
            (since,),
        )
        return [FailedDeliveries(*row) for row in rows]


def _counts(by_state: dict[str, int]) -> DeliveryCounts:
    return DeliveryCounts(
        queued=by_state.get("queued", 0) + by_state.get("sending", 0),
        sent=by_state.get("sent", 0),
        failed=by_state.get("failed", 0),
        unreachable=by_state.get("unreachable", 0),
        skipped=by_state.get("skipped", 0),
    )
