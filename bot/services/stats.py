"""Statistics for the commune police: registrations, teams, reports, gongs, announcements."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.models import Commune, Resident
from bot.models.zalo_oa import OaUsage
from bot.store import Store
from bot.store.stats import CommuneCounts

OPEN_STATES = ("submitted", "accepted", "assigned")


class Period(enum.StrEnum):
    TODAY = "today"
    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class Statistics:
    commune: Commune
    period: Period
    counts: CommuneCounts
    oa: OaUsage | None = None  # how the commune's Zalo OA followers were reached, if it has one

    @property
    def reports(self) -> int:
        return sum(self.counts.reports_by_state.values())

    @property
    def open_reports(self) -> int:
        return sum(self.counts.reports_by_state.get(s, 0) for s in OPEN_STATES)

    @property
    def median_minutes_to_accept(self) -> float | None:
        values = self.counts.minutes_to_accept
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2

    @property
    def alarm_response_rate(self) -> float | None:
        counts = self.counts
        return counts.alarm_coming / counts.alarm_recipients if counts.alarm_recipients else None


class StatsService:
    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo) -> None:
        self._store = store
        self._clock = clock
        self._tz = tz

    async def for_commune(self, officer: Resident, commune_id: int,
                          period: Period) -> Statistics | None:
        communes = await self._store.areas.staff_communes(officer.id)  # checked in the database
        commune = next((c for c in communes if c.id == commune_id), None)
        if commune is None:
            return None
        since = self.since(period)
        counts = await self._store.stats.commune(commune.id, since)
        oa = None
        if (found := await self._store.zalo_oa.oa_of_commune(commune.code)) and found[1]:
            until = (self._clock.now() + timedelta(days=1)).astimezone(ZoneInfo("UTC"))
            oa = await self._store.zalo_oa.usage(since, until.isoformat(), commune.id)
        return Statistics(commune, period, counts, oa)

    def since(self, period: Period) -> str:
        """The start of the period in stored form (UTC ISO 8601); local midnight for today."""
        now = self._clock.now()
        local_midnight = now.astimezone(self._tz).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
        start = {
            Period.TODAY: local_midnight,
            Period.WEEK: now - timedelta(days=7),
            Period.MONTH: now - timedelta(days=30),
            Period.ALL: datetime(2000, 1, 1, tzinfo=self._tz),
        }[period]
        return start.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")
