"""The figures page's tables, kept for a minute per (communes, period): a year of a
district's reports takes a few hundred milliseconds to count, and officers reading their
monthly review open the page, its CSVs and the other periods in turn. A report filed or
changed in a commune drops what was kept for it at once, so the report tables are never
behind; gongs and announcements may be up to TTL behind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.models import Commune, Report
from bot.services.figures import FiguresService, Table
from bot.services.report_values import ReportChange

TTL = timedelta(seconds=60)
KEPT = 64  # (communes, period) pairs kept at once; the oldest goes first

Key = tuple[tuple[int, ...], int]


class FiguresCache:
    def __init__(self, figures: FiguresService, clock: Clock) -> None:
        self._figures, self._clock = figures, clock
        self._kept: dict[Key, tuple[datetime, list[Table]]] = {}

    async def tables(self, communes: Sequence[Commune], days: int) -> list[Table]:
        key = (tuple(sorted(commune.id for commune in communes)), days)
        now = self._clock.now()
        kept = self._kept.get(key)
        if kept is not None and now - kept[0] < TTL:
            return kept[1]
        tables = await self._figures.tables(communes, days)
        self._kept.pop(key, None)
        self._kept[key] = (now, tables)
        while len(self._kept) > KEPT:
            del self._kept[next(iter(self._kept))]
        return tables

    def forget(self, commune_id: int | None) -> None:
        for key in [k for k in self._kept if commune_id in k[0]]:
            del self._kept[key]

    async def filed(self, report: Report, duplicate: Report | None) -> None:
        del duplicate
        self.forget(report.commune_id)

    async def changed(self, change: ReportChange) -> None:
        self.forget(change.report.commune_id)
