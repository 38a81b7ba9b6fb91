"""Scheduled sending: campaign files, repeating announcements and "Hẹn giờ" announcements.

`Scheduler.tick(now)` does all the work and is what tests call with a chosen `now`; in the bot,
PTB's JobQueue calls it every `TICK_SECONDS` (and once at start, to catch up).

Every slot is recorded in `schedule_slots` (source, slot time) in the same transaction as its
broadcast and outbox rows, so a restart at the minute of a slot neither skips nor repeats it.
Slots missed while the bot was down are sent on start if at most `[broadcast]
campaign_grace_minutes` late, else recorded as missed. A paused campaign's slots are recorded as
skipped. Quiet hours and mutes are applied downstream (the engine holds propaganda; audiences
leave muted residents out).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.catalog import Catalog
from bot.config import Config
from bot.delivery import DeliveryEngine, OutMessage
from bot.models import Audience, BroadcastSchedule, Lane
from bot.services import audiences
from bot.services.broadcasts import BroadcastService, iso
from bot.services.campaigns import Campaign, cron, load_campaigns
from bot.store import Store

log = logging.getLogger(__name__)

TICK_SECONDS = 20
MAX_SLOTS = 500  # per source and tick: a long outage records at most this many as missed


@dataclass
class TickResult:
    sent: list[tuple[str, str]] = field(default_factory=list)
    missed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    # (source, slot) not sent because the creator is no longer an officer of the commune:
    # "broadcast:<id>" for a one-off "Hẹn giờ", "schedule:<id>" for a repeating one.
    held: list[tuple[str, str]] = field(default_factory=list)


def slots_between(expressions: Iterable[str], since: datetime, until: datetime,
                  config: Config) -> list[datetime]:
    """Fire times of the cron expressions in (since, until], oldest first."""
    found: set[datetime] = set()
    for expression in expressions:
        trigger = cron(expression, config.locale.tz)
        if isinstance(trigger, datetime):
            if since < trigger <= until:
                found.add(trigger)
            continue
        moment = trigger.get_next_fire_time(None, since + timedelta(seconds=1))
        while moment is not None and moment <= until and len(found) < MAX_SLOTS:
            found.add(moment)
            moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return sorted(found)


class Scheduler:
    def __init__(
        self, store: Store, engine: DeliveryEngine, broadcasts: BroadcastService,
        config: Config, catalog: Catalog,
    ) -> None:
        self.store = store
        self.engine = engine
        self.broadcasts = broadcasts
        self.config = config
        self.catalog = catalog
        self.grace = timedelta(minutes=config.broadcast.campaign_grace_minutes)

    def campaigns(self) -> list[Campaign]:
        """The campaign files as they are now (edits apply without a restart)."""
        found, errors = load_campaigns(self.config.content.folder, self.config.locale.tz,
                                       self.catalog)
        for error in errors:
            log.warning("campaign file skipped: %s", error)
        return found

    async def tick(self, now: datetime) -> TickResult:
        """Queue everything due at `now`: scheduled announcements, campaign and repeat slots."""
        released = await self.broadcasts.release_due(now)
        result = TickResult(released=released.sent, held=[
            (f"broadcast:{b.id}", b.send_at or "") for b in released.held])
        paused = await self.store.schedules.paused()
        for campaign in self.campaigns():
            await self._run_source(
                campaign.source, campaign.schedule, now, result, None,
                lambda slot, c=campaign: self._campaign_slot(c, slot, paused))
        for schedule in await self.store.schedules.all():
            if schedule.active:
                await self._run_source(
                    f"schedule:{schedule.id}", [schedule.cron], now, result,
                    datetime.fromisoformat(schedule.created_at),
                    lambda _slot, s=schedule: self._schedule_slot(s))
        if result.sent:
            self.engine.notify()
        return result

    async def _run_source(
        self, source: str, expressions: Iterable[str], now: datetime, result: TickResult,
        created: datetime | None, plan: Any,
    ) -> None:
        last = await self.store.schedules.last_slot(source)
        since = datetime.fromisoformat(last) if last else now - self.grace
        if created is not None:
            since = max(since, created)
        for slot in slots_between(expressions, since, now, self.config):
            key = (source, iso(slot))
            planned = await plan(slot)
            if planned is None:
                continue
            state, work = planned
            if state == "send" and now - slot > self.grace:
                state, work = "missed", None
            if await self._record(source, slot, state, work):
                getattr(result, "sent" if state == "send" else state).append(key)

    async def _campaign_slot(
        self, campaign: Campaign, slot: datetime, paused: set[str]
    ) -> tuple[str, Any] | None:
        if not campaign.valid_on(slot.astimezone(self.config.locale.tz).date()):
            return None
        if campaign.id in paused:
            return "skipped", None
        audience = await self._audience(campaign)
        if audience is None:
            return None
        return "send", (audience, campaign.messages(), campaign.source, None)

    async def _schedule_slot(self, schedule: BroadcastSchedule) -> tuple[str, Any]:
        """A repeating announcement's slot: sent while its creator is an officer of the
        commune (checked in the database at every slot), else held."""
        if not await self.broadcasts.may_announce(schedule.created_by, schedule.commune_id):
            await self.broadcasts.hold_schedule(schedule)
            return "held", None
        message = OutMessage.from_json(schedule.payload)
        audience = audiences.from_json(schedule.audience)
        return "send", (audience, [message], f"schedule:{schedule.id}", schedule.created_by)

    async def _audience(self, campaign: Campaign) -> Audience | None:
        codes = campaign.audience
        try:
            return await audiences.from_codes(
                self.store, self.catalog, codes.commune, hamlets=codes.hamlets,
                teams=codes.teams, team_kinds=codes.team_kinds, tags=codes.tags)
        except audiences.AudienceError as error:
            log.warning("%s: audience: %s", campaign.path, error)
            return None

    async def _record(self, source: str, slot: datetime, state: str, work: Any) -> bool:
        """Record the slot and, when it is sent, its broadcasts, all in one transaction."""
        recipients: list[Any] = []
        lane: Lane = "propaganda"
        if work is not None:
            audience, _, origin, _ = work
            lane = "propaganda" if origin.startswith("campaign:") else "announcement"
            recipients = await self.store.broadcasts.recipients(
                audience, include_muted=BroadcastService.include_muted(lane, False))
        async with self.store.db.transaction() as tx:
            stored = {"send": "sent", "held": "skipped"}.get(state, state)
            if not await self.store.schedules.record_slot(tx, source, iso(slot), stored):
                return False
            if work is not None:
                audience, messages, origin, created_by = work
                ids = [await self.engine.write(
                    tx, lane, message, recipients, commune_id=audience.commune_id,
                    origin=origin, created_by=created_by, audience=audiences.to_json(audience),
                ) for message in messages]
                await self.store.schedules.attach_broadcast(tx, source, iso(slot), ids[0])
        return True
