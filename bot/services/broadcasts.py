"""Announcements: who gets them, sending now, at a set time, or repeating; progress texts."""

from __future__ import annotations

from datetime import datetime

from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import LANE_PRIORITY, Audience, Broadcast, DeliveryCounts, Lane
from bot.services import audiences
from bot.store import Store


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class BroadcastService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n) -> None:
        self._store = store
        self._engine = engine
        self._i18n = i18n

    @staticmethod
    def include_muted(lane: Lane, urgent: bool) -> bool:
        """Muted residents still get alarms and urgent announcements, nothing else."""
        return lane == "alarm" or urgent

    async def count(self, audience: Audience, *, urgent: bool = False) -> int:
        return await self._store.broadcasts.count_recipients(
            audience, include_muted=self.include_muted("announcement", urgent))

    async def send(
        self, audience: Audience, message: OutMessage, *, lane: Lane = "announcement",
        urgent: bool = False, created_by: int | None = None, origin: str = "chat",
        progress: tuple[int, int] | None = None,
    ) -> int:
        """Queue now: every recipient's row is written before the engine sends any."""
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted(lane, urgent))
        return await self._engine.enqueue(
            lane, message, recipients, commune_id=audience.commune_id, origin=origin,
            created_by=created_by, urgent=urgent, audience=audiences.to_json(audience),
            progress=progress,
        )

    async def schedule(
        self, audience: Audience, message: OutMessage, send_at: datetime, *,
        urgent: bool = False, created_by: int | None = None,
        progress: tuple[int, int] | None = None,
    ) -> int:
        """Keep for later; `release_due` queues it when its time comes."""
        async with self._store.db.transaction() as tx:
            return await self._store.broadcasts.create(
                tx, commune_id=audience.commune_id, lane="announcement",
                payload=message.to_json(), audience=audiences.to_json(audience), urgent=urgent,
                created_by=created_by, send_at=iso(send_at), progress=progress,
            )

    async def repeat(
        self, audience: Audience, message: OutMessage, cron: str, created_by: int | None
    ) -> int:
        """A repeating announcement (cron in the configured time zone), run by the scheduler."""
        async with self._store.db.transaction() as tx:
            return await self._store.schedules.add(
                tx, audience.commune_id, message.to_json(), audiences.to_json(audience), cron,
                created_by)

    async def cancel(self, broadcast_id: int) -> bool:
        async with self._store.db.transaction() as tx:
            return await self._store.broadcasts.cancel(tx, broadcast_id)

    async def release_due(self, now: datetime) -> list[int]:
        """Queue every scheduled announcement whose time has come (audience as of now)."""
        released = []
        for broadcast in await self._store.broadcasts.due(iso(now)):
            await self.release(broadcast)
            released.append(broadcast.id)
        if released:
            self._engine.notify()
        return released

    async def release(self, broadcast: Broadcast) -> None:
        audience = audiences.from_json(broadcast.audience)
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted(broadcast.lane, broadcast.urgent))
        async with self._store.db.transaction() as tx:
            total = await self._store.outbox.add(
                tx, broadcast.id, LANE_PRIORITY[broadcast.lane], recipients)
            await self._store.broadcasts.set_queued(tx, broadcast.id, total)
            if total == 0:
                await self._store.broadcasts.finish(tx, [broadcast.id])

    def describe(self, broadcast: Broadcast, counts: DeliveryCounts, final: bool) -> str:
        """The sender's progress message: sent / failed / unreachable / remaining."""
        key = "broadcast.progress_done" if final else "broadcast.progress"
        return self._i18n.t(
            self._i18n.default, key, id=broadcast.id, sent=counts.sent, failed=counts.failed,
            unreachable=counts.unreachable, remaining=counts.queued, total=counts.total,
        )
