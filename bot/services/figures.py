"""The figures the commune police need for their monthly and thematic reviews, for the web
console's `/figures` page and its CSV downloads: over the officer's communes and one period
(the last 7, 30 or 90 days, or the last year) — reports over time (per day, week or month:
`SPANS`), by category and by hamlet, the time
to accept and to resolve a report (median and 90th percentile), the gongs and how many came,
the announcements and how many were reached on each messenger.

Each is a `Table` of texts and numbers, already in the officers' language, so the page and
the CSV show the same thing."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.clock import Clock
from bot.i18n import I18n
from bot.models import Commune, open_states
from bot.services.categories import Categories
from bot.store import Store

PERIODS = (7, 30, 90, 365)  # days
TABLES = ("days", "categories", "hamlets", "times", "gongs", "broadcasts")
SPANS = {7: "day", 30: "day", 90: "week", 365: "month"}  # the "days" table's rows, by period
Cell = str | int | None
Counted = tuple[str, int | None, str, int]  # category, hamlet id, state, reports


@dataclass(frozen=True)
class Table:
    name: str  # one of TABLES: the CSV's name
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


def quantile(values: Sequence[float], q: float) -> float | None:
    """The `q` quantile of `values`, interpolated between the closest ranks; None for none."""
    return quantiles(values, (q,))[0]


def quantiles(values: Sequence[float], qs: Sequence[float]) -> list[float | None]:
    """Each quantile of `qs` as `quantile` gives it, sorting `values` once (a year of
    reports is a hundred thousand of them)."""
    ordered = sorted(values)
    if not ordered:
        return [None for _ in qs]
    found: list[float | None] = []
    for q in qs:
        position = (len(ordered) - 1) * q
        low, high = math.floor(position), math.ceil(position)
        found.append(ordered[low] + (ordered[high] - ordered[low]) * (position - low))
    return found


class FiguresService:
    def __init__(self, store: Store, i18n: I18n, catalog: Catalog, categories: Categories,
                 clock: Clock, tz: tzinfo) -> None:
        self._store, self._i18n, self._catalog = store, i18n, catalog
        self._categories, self._clock, self._tz = categories, clock, tz

    def since(self, days: int) -> str:
        start = self._clock.now() - timedelta(days=days)
        return start.astimezone(ZoneInfo("UTC")).isoformat(timespec="seconds")

    async def tables(self, communes: Sequence[Commune], days: int) -> list[Table]:
        """Every table for `communes` over the last `days` (the caller checked the officer)."""
        ids, since = [commune.id for commune in communes], self.since(days)
        counted = await self._store.figures.reports_by(ids, since)
        return [await self._days(ids, since, days),
                self._categories_table(counted), await self._hamlets(ids, counted),
                await self._times(ids, since), await self._gongs(ids, since),
                await self._broadcasts(ids, since)]

    # --- inside ----------------------------------------------------------------------------

    def _t(self, key: str, **values: object) -> str:
        return self._i18n.t(self._i18n.default, f"web.fig_{key}", **values)

    def _report_columns(self, first: str) -> tuple[str, ...]:
        return (self._t(first), *(self._t(k) for k in ("reports", "open", "resolved",
                                                         "rejected")))

    @staticmethod
    def _by_state(counted: list[tuple[str | int | None, str, int]]
                  ) -> dict[str | int | None, list[int]]:
        """Per key: [all, open, resolved, rejected], the largest first."""
        totals: dict[str | int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for key, state, count in counted:
            row = totals[key]
            row[0] += count
            row[1] += count if state in open_states() else 0
            row[2] += count if state == "resolved" else 0
            row[3] += count if state == "rejected" else 0
        return dict(sorted(totals.items(), key=lambda item: (-item[1][0], str(item[0]))))

    async def _days(self, ids: list[int], since: str, days: int) -> Table:
        """Reports filed per day, week (from Monday) or month of local time, every one of the
        period's included (an empty one is a 0, so a chart shows the quiet days too)."""
        span = SPANS.get(days, "day")
        today = self._clock.now().astimezone(self._tz).date()
        first = self._span_of(today - timedelta(days=days), span)
        starts = [first]
        while (following := self._next(starts[-1], span)) <= today:
            starts.append(following)
        counted: list[tuple[str | int | None, str, int]] = []
        for hour, state, count in await self._store.figures.reports_by_hour(ids, since):
            local = datetime.fromisoformat(f"{hour}:00+00:00").astimezone(self._tz).date()
            counted.append((self._span_of(local, span).isoformat(), state, count))
        totals = self._by_state(counted)
        rows: list[tuple[Cell, ...]] = [
            (self._label(start, span), *totals.get(start.isoformat(), [0, 0, 0, 0]))
            for start in starts]
        return Table("days", self._t(f"by_{span}"), self._report_columns(span), rows)

    @staticmethod
    def _span_of(day: date, span: str) -> date:
        if span == "week":
            return day - timedelta(days=day.weekday())
        return day.replace(day=1) if span == "month" else day

    @staticmethod
    def _next(start: date, span: str) -> date:
        if span == "month":
            return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start + timedelta(days=7 if span == "week" else 1)

    def _label(self, start: date, span: str) -> str:
        if span == "month":
            return self._t("month_label", month=start.month, year=start.year)
        return self._t(f"{span}_label", day=start.day, month=start.month)

    def _categories_table(self, counted: list[Counted]) -> Table:
        lang = self._i18n.default
        totals = self._by_state([(category, state, n) for category, _, state, n in counted])
        return Table("categories", self._t("by_category"), self._report_columns("category"),
                     [(self._categories.name(str(code), lang), *row)
                      for code, row in totals.items()])

    async def _hamlets(self, ids: list[int], counted: list[Counted]) -> Table:
        names = {h.id: h.name for commune_id in ids
                 for h in await self._store.areas.hamlets(commune_id)}
        totals = self._by_state([(hamlet, state, n) for _, hamlet, state, n in counted])
        return Table("hamlets", self._t("by_hamlet"), self._report_columns("hamlet"),
                     [(names.get(key, self._t("no_hamlet")) if isinstance(key, int)
                       else self._t("no_hamlet"), *row) for key, row in totals.items()])

    async def _times(self, ids: list[int], since: str) -> Table:
        durations = await self._store.figures.durations(ids, since)
        rows: list[tuple[Cell, ...]] = []
        for key, values in (("to_accept", durations.to_accept),
                            ("to_resolve", durations.to_resolve)):
            median, p90 = quantiles(values, (0.5, 0.9))
            rows.append((self._t(key), len(values),
                         None if median is None else round(median),
                         None if p90 is None else round(p90)))
        return Table("times", self._t("times"), (
            self._t("measure"), self._t("reports"), self._t("median"), self._t("p90")), rows)

    async def _gongs(self, ids: list[int], since: str) -> Table:
        lang = self._i18n.default
        rows: list[tuple[Cell, ...]] = []
        for kind, alarms, recipients, coming in await self._store.figures.alarms_by_kind(
                ids, since):
            known = self._catalog.alarm_kinds.get(kind)
            rows.append((known.name(lang) if known else kind, alarms, recipients, coming,
                         f"{round(100 * coming / recipients)}%" if recipients else None))
        return Table("gongs", self._t("gongs"), tuple(self._t(k) for k in (
            "gong_kind", "gongs_sounded", "recipients", "coming", "coming_share")), rows)

    async def _broadcasts(self, ids: list[int], since: str) -> Table:
        rows: list[tuple[Cell, ...]] = [
            (self._t(f"channel_{channel}"), *counts) for channel, *counts
            in await self._store.figures.broadcasts_by_channel(ids, since)]
        return Table("broadcasts", self._t("broadcasts"), tuple(self._t(k) for k in (
            "channel", "announcements", "messages", "reached", "failed", "skipped")), rows)
