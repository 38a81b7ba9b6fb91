"""Scheduled sending: campaign files, repeating announcements and "Hẹn giờ" announcements.

`Scheduler.tick(now)` does all the work and is what tests call with a chosen `now`; in the bot,
the start calls it once to catch up, then PTB's JobQueue every `TICK_SECONDS`.

Every slot is recorded in `schedule_slots` (source, slot time) in the same transaction as its
broadcast and outbox rows, so a restart at the minute of a slot neither skips nor repeats it.
Slots missed while the bot was down collapse into at most one send per source: the newest slot
at most `[broadcast] campaign_grace_minutes` late is sent, every other one is recorded as
missed. A source has no slots before it existed: a repeating announcement before its creation,
a campaign before the scheduler first saw its file (kept in `campaign_seen`). A paused
campaign's slots are recorded as skipped. Quiet hours and mutes are applied downstream (the
engine holds propaganda; audiences leave muted residents out).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.config import Config
from bot.delivery import DeliveryEngine, OutMessage
from bot.media import MediaStore
from bot.models import Audience, BroadcastSchedule, Lane, Recipient
from bot.services import audiences
from bot.services.broadcasts import BroadcastService, iso
from bot.services.campaigns import Campaign, cron, kept_messages, load_campaigns
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


@dataclass(frozen=True)
class Send:
    """What a slot that is sent queues: these messages to this audience."""

    audience: Audience
    messages: list[OutMessage]
    origin: str
    created_by: int | None = None


@dataclass(frozen=True)
class Source:
    """Something with a schedule: a campaign file or a repeating announcement."""

    key: str  # campaign:<id> | schedule:<id>
    expressions: tuple[str, ...]
    not_before: datetime  # it has no slots before this moment
    state: Callable[[datetime], str | None]  # "send", "skipped", or None: no slot that day
    # None: cannot be sent now (logged); "held": its sender may no longer send (recorded)
    send: Callable[[], Awaitable[Send | str | None]]


def slots_between(expressions: Iterable[str], since: datetime, until: datetime,
                  config: Config, limit: int | None = MAX_SLOTS) -> list[datetime]:
    """Fire times of the cron expressions in (since, until], oldest first (the oldest
    `limit` of them)."""
    found: set[datetime] = set()
    for expression in expressions:
        trigger = cron(expression, config.locale.tz)
        if isinstance(trigger, datetime):
            if since < trigger <= until:
                found.add(trigger)
            continue
        moment = trigger.get_next_fire_time(None, since + timedelta(seconds=1))
        count = 0
        while moment is not None and moment <= until and (limit is None or count < limit):
            found.add(moment)
            count += 1
            moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return sorted(found)[:limit]


class Scheduler:
    def __init__(
        self, store: Store, engine: DeliveryEngine, broadcasts: BroadcastService,
        config: Config, catalog: Catalog, files: MediaStore,
    ) -> None:
        self.store = store
        self.files = files  # a campaign's photo is put there when it is sent
        self.engine = engine
        self.broadcasts = broadcasts
        self.config = config
        self.catalog = catalog
        self.grace = timedelta(minutes=config.broadcast.campaign_grace_minutes)
        # Set once the bot has caught up at start (bot/app.py). What drives time by hand
        # (tests) waits for it, then sets `by_hand`: the repeating tick leaves the schedules
        # to them from then on, and never races their own `tick`.
        self.caught_up = asyncio.Event()
        self.by_hand = False
        # What else runs on each tick with its `now` (patrol reminders: bot/services/patrols.py).
        self.hooks: list[Callable[[datetime], Awaitable[object]]] = []

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
        for source in await self._sources():
            await self._run_source(source, now, result)
        for hook in self.hooks:
            await hook(now)
        if result.sent:
            self.engine.notify()
        return result

    async def _sources(self) -> list[Source]:
        """Every campaign file (first sight recorded now for a new one) and every active
        repeating announcement."""
        campaigns = self.campaigns()
        seen = await self.store.schedules.first_seen()
        if new := [c.id for c in campaigns if c.id not in seen]:
            async with self.store.db.transaction() as tx:
                await self.store.schedules.mark_seen(tx, new)
            seen = await self.store.schedules.first_seen()
        paused = await self.store.schedules.paused()
        sources = [self._campaign_source(c, datetime.fromisoformat(seen[c.id]), paused)
                   for c in campaigns]
        sources += [self._schedule_source(schedule)
                    for schedule in await self.store.schedules.all() if schedule.active]
        return sources

    def _campaign_source(self, campaign: Campaign, seen: datetime, paused: set[str]) -> Source:
        def state(slot: datetime) -> str | None:
            if not campaign.valid_on(slot.astimezone(self.config.locale.tz).date()):
                return None
            return "skipped" if campaign.id in paused else "send"

        async def send() -> Send | None:
            audience = await self._audience(campaign)
            if audience is None:
                return None
            return Send(audience, await kept_messages(campaign, self.files), campaign.source)

        return Source(campaign.source, campaign.schedule, seen, state, send)

    def _schedule_source(self, schedule: BroadcastSchedule) -> Source:
        planned = Send(audiences.from_json(schedule.audience),
                       [OutMessage.from_json(schedule.payload)], f"schedule:{schedule.id}",
                       schedule.created_by)

        async def send() -> Send | str:
            """Sent while its creator is an officer of the commune (checked in the database
            at every slot), else held."""
            if not await self.broadcasts.may_announce(schedule.created_by, schedule.commune_id):
                await self.broadcasts.hold_schedule(schedule)
                return "held"
            return planned

        # a slot at the very second it was created is not one of its own
        created = datetime.fromisoformat(schedule.created_at) + timedelta(seconds=1)
        return Source(planned.origin, (schedule.cron,), created, lambda _slot: "send", send)

    async def _run_source(self, source: Source, now: datetime, result: TickResult) -> None:
        """Record the source's slots since the last recorded one; send at most the newest."""
        last = await self.store.schedules.last_slot(source.key)
        since = source.not_before - timedelta(seconds=1)  # slots_between excludes `since`
        if last is not None:
            since = max(since, datetime.fromisoformat(last))
        horizon = now - self.grace
        # Every slot within the grace period (at most one a minute), and the oldest of those
        # before it, which are only recorded as missed.
        slots = set(slots_between(source.expressions, max(since, horizon), now, self.config,
                                  limit=None))
        if since < horizon:
            slots.update(slots_between(source.expressions, since, horizon, self.config))
        planned = [(slot, state) for slot in sorted(slots)
                   if (state := source.state(slot)) is not None]
        due = [slot for slot, state in planned if state == "send" and now - slot <= self.grace]
        newest = max(due, default=None)
        send = await source.send() if newest is not None else None
        for slot, state in planned:
            if state == "send" and slot == newest:
                if send is None:
                    continue  # not recorded: tried again next tick while within grace
                if isinstance(send, str):  # held: recorded, not sent
                    recorded, outcome = await self._record(source.key, slot, "skipped", None), send
                else:
                    recorded = await self._record(source.key, slot, "sent", send)
                    outcome = "sent"
            else:
                outcome = "missed" if state == "send" else state
                recorded = await self._record(source.key, slot, outcome, None)
            if recorded:
                getattr(result, outcome).append((source.key, iso(slot)))

    async def _audience(self, campaign: Campaign) -> Audience | None:
        codes, code = campaign.audience, campaign.audience.commune
        if code is None:  # the deployment's first commune (bot/services/campaigns.py)
            first, count = await self.store.areas.first_commune()
            if first is None:
                return None
            if count > 1:
                log.warning("%s: audience: no commune named: it goes to %s, the first of the "
                            "deployment's %d; name one (commune = \"CODE\")", campaign.path,
                            first.code, count)
            code = first.code
        try:
            return await audiences.from_codes(
                self.store, self.catalog, code, hamlets=codes.hamlets, teams=codes.teams,
                team_kinds=codes.team_kinds, tags=codes.tags)
        except audiences.AudienceError as error:
            log.warning("%s: audience: %s", campaign.path, error)
            return None

    async def _record(self, source: str, slot: datetime, state: str, send: Send | None) -> bool:
        """Record the slot and, when it is sent, its broadcasts, all in one transaction."""
        recipients: list[Recipient] = []
        lane: Lane = "propaganda"
        if send is not None:
            lane = "propaganda" if send.origin.startswith("campaign:") else "announcement"
            recipients = await self.store.broadcasts.recipients(
                send.audience, include_muted=BroadcastService.include_muted(lane, False))
        async with self.store.db.transaction() as tx:
            if not await self.store.schedules.record_slot(tx, source, iso(slot), state):
                return False
            if send is not None:
                ids = [await self.engine.write(
                    tx, lane, message, recipients, commune_id=send.audience.commune_id,
                    origin=send.origin, created_by=send.created_by,
                    audience=audiences.to_json(send.audience),
                ) for message in send.messages]
                await self.store.schedules.attach_broadcast(tx, source, iso(slot), ids[0])
        return True

