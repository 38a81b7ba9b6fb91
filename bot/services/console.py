"""What the officers' web console shows, as plain data (bot/web renders it): a commune's
queue of reports with its filters and counts, and one report's page — what happened, where,
the photos, the timeline from the audit log, and the actions its state allows (the same as
the chat card's, bot/services/cards.py). The officer and their communes are checked by the
caller on every request; a report of another commune is as if it did not exist.

An anonymous report names nothing of its reporter, nor where they live; the timeline never
names the reporter at all."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.models import Alarm, Commune, Hamlet, MapPoint, Report, Team, open_states
from bot.services.report_values import OUTCOMES, REJECT_REASONS, Action, iso
from bot.services.reports import ReportService
from bot.store import Store
from bot.store.queue import MAP_LIMIT as MAP_LIMIT  # the newest markers a map shows
from bot.store.queue import QUEUE_LIMIT, QueueFilter

ACTIONS_BY_STATE: dict[str, tuple[Action, ...]] = {  # as the card offers them (cards.py)
    "submitted": (Action.ACCEPT, Action.ASSIGN, Action.RESOLVE, Action.REJECT),
    "accepted": (Action.ASSIGN, Action.RESOLVE, Action.REJECT),
    "assigned": (Action.ASSIGN, Action.RESOLVE),
    "resolved": (Action.REOPEN,),
    "rejected": (Action.REOPEN,),
}
# A tracking code as an officer types it: "TB-000123", "tb 123", "123".
TYPED_CODE = re.compile(r"\s*(?:TB\s*-?\s*)?0*(\d{1,9})\s*", re.IGNORECASE)


def typed_code(text: str) -> int | None:
    """The report id a typed tracking code names; None when it names none."""
    found = TYPED_CODE.fullmatch(text)
    return int(found[1]) if found and int(found[1]) > 0 else None


@dataclass(frozen=True)
class Wanted:
    """The queue's filters as the officer set them (empty: any)."""

    state: str = "open"  # open | all | a state
    category: str = ""
    hamlet: int | None = None
    urgency: str = ""
    overdue: bool = False
    page: int = 1


@dataclass(frozen=True)
class Row:
    report: Report
    hamlet: str | None
    created: str  # local time
    waited_minutes: int
    overdue: bool


@dataclass(frozen=True)
class Queue:
    rows: list[Row]
    counts: dict[str, int]
    hamlets: list[Hamlet]
    page: int = 1  # QUEUE_LIMIT reports a page
    more: bool = False  # there is a next page


@dataclass(frozen=True)
class Step:
    """A line of a report's timeline."""

    at: str  # local time
    who: str  # resident | officer | leader | …: the audit's label
    name: str | None  # the officer's or the leader's name; never the reporter's
    action: str  # submitted, accept, assign, …
    team: str | None
    reason: str | None
    origin: str | None  # "web" when done in the console


@dataclass(frozen=True)
class Marker:
    """A report on the map (it has a shared location)."""

    point: MapPoint
    filed: str  # local time


@dataclass(frozen=True)
class Sounded:
    """A gong on the map: at its place, else at its commune's centre."""

    alarm: Alarm
    commune: Commune
    sent: str  # local time


@dataclass(frozen=True)
class Reporter:
    name: str | None
    phone: str | None
    home: str | None


@dataclass(frozen=True)
class Page:
    report: Report
    commune: Commune | None
    hamlet: str | None
    team: str | None
    reporter: Reporter | None  # None for an anonymous report (or one unlinked)
    created: str
    updated: str
    overdue: bool
    photos: int  # kept in the media store: /reports/<id>/photos/1…
    voice: bool  # a voice note kept in the media store: /reports/<id>/voice
    timeline: list[Step]
    actions: tuple[Action, ...]
    teams: list[Team]
    reasons: tuple[str, ...]
    outcomes: tuple[str, ...]  # what may be said came of it (resolved, none said yet)
    commendable: bool  # resolved, its reporter not yet thanked ("Khen"), still linked


class ConsoleService:
    def __init__(self, store: Store, reports: ReportService, clock: Clock,
                 tz: ZoneInfo) -> None:
        self._store, self._reports, self._clock, self._tz = store, reports, clock, tz

    async def queue(self, communes: tuple[Commune, ...], wanted: Wanted) -> Queue:
        ids = [commune.id for commune in communes]
        reports = await self._store.queue.reports(QueueFilter(
            ids, _states(wanted.state), wanted.category or None, wanted.hamlet,
            wanted.urgency or None, iso(self._clock.now()) if wanted.overdue else None),
            QUEUE_LIMIT + 1, (wanted.page - 1) * QUEUE_LIMIT)  # one more: is there a next page
        more, reports = len(reports) > QUEUE_LIMIT, reports[:QUEUE_LIMIT]
        hamlets = [h for commune in communes for h in await self._store.areas.hamlets(commune.id)]
        names = {h.id: h.name for h in hamlets}
        rows = [Row(report, names.get(report.hamlet_id or 0), self.local(report.created_at),
                    self._reports.minutes_waiting(report), self.overdue(report))
                for report in reports]
        return Queue(rows, await self._store.queue.counts(ids), hamlets, wanted.page, more)

    async def markers(self, communes: tuple[Commune, ...], since: str,
                      wanted: Wanted = Wanted(state="all")) -> list[Marker]:
        """The communes' reports filed since `since` (stored form) with a location, of the
        state (open, all or one) and category wanted."""
        points = await self._store.queue.located(
            [c.id for c in communes], since, states=_states(wanted.state),
            category=wanted.category or None)
        return [Marker(point, self.local(point.created_at)) for point in points]

    async def marker_count(self, communes: tuple[Commune, ...], since: str,
                           wanted: Wanted = Wanted(state="all")) -> int:
        """How many reports `markers` stands for (it shows the newest MAP_LIMIT)."""
        return await self._store.queue.located_count(
            [c.id for c in communes], since, states=_states(wanted.state),
            category=wanted.category or None)

    async def alarms(self, communes: tuple[Commune, ...], since: str) -> list[Sounded]:
        """The communes' gongs sounded since `since`, with their commune (for a place)."""
        by_id = {commune.id: commune for commune in communes}
        return [Sounded(alarm, by_id[alarm.commune_id], self.local(alarm.sent_at))
                for alarm in await self._store.queue.alarms(list(by_id), since)]

    async def find(self, communes: tuple[Commune, ...], code: str) -> Report | None:
        """The report of one of `communes` a typed tracking code names; None for any other."""
        report_id = typed_code(code)
        report = None if report_id is None else await self._reports.get(report_id)
        return report if report is not None and report.commune_id in {
            c.id for c in communes} else None

    async def page(self, communes: tuple[Commune, ...], report_id: int) -> Page | None:
        """A report of one of `communes`; None for any other (or none)."""
        report = await self._reports.get(report_id)
        if report is None or report.commune_id not in {c.id for c in communes}:
            return None
        store = self._store
        hamlet = await store.areas.hamlet(report.hamlet_id) if report.hamlet_id else None
        team = await store.areas.team(report.team_id) if report.team_id else None
        photos = [p for p in await self._reports.photos(report) if p.media_key]
        return Page(
            report=report, commune=await store.areas.commune(report.commune_id or 0),
            hamlet=hamlet.name if hamlet else None, team=team.name if team else None,
            reporter=await self._reporter(report), created=self.local(report.created_at),
            updated=self.local(report.updated_at), overdue=self.overdue(report),
            photos=len(photos), voice=report.voice_media_key is not None,
            timeline=await self._timeline(report),
            actions=ACTIONS_BY_STATE.get(report.state, ()),
            teams=await self._reports.teams_for(report) if report.is_open else [],
            reasons=REJECT_REASONS,
            outcomes=OUTCOMES if self._reports.fits(report, Action.OUTCOME) else (),
            commendable=report.state == "resolved" and report.reporter_id is not None
            and not await self._reports.commended(report.id))

    async def photo(self, communes: tuple[Commune, ...], report_id: int,
                    number: int) -> str | None:
        """The media key of a report's photo (1 is the first), for its communes' officers."""
        report = await self._reports.get(report_id)
        if report is None or report.commune_id not in {c.id for c in communes}:
            return None
        keys = [p.media_key for p in await self._reports.photos(report) if p.media_key]
        return keys[number - 1] if 1 <= number <= len(keys) else None

    async def voice(self, communes: tuple[Commune, ...], report_id: int) -> str | None:
        """The media key of a report's voice note, for its communes' officers."""
        report = await self._reports.get(report_id)
        if report is None or report.commune_id not in {c.id for c in communes}:
            return None
        return report.voice_media_key

    def overdue(self, report: Report) -> bool:
        """Still waiting to be accepted past its deadline."""
        return report.state == "submitted" and (report.escalation_level > 0 or (
            report.escalate_at is not None and report.escalate_at <= iso(self._clock.now())))

    def local(self, stamp: str) -> str:
        return datetime.fromisoformat(stamp).astimezone(self._tz).strftime("%H:%M %d/%m/%Y")

    async def _reporter(self, report: Report) -> Reporter | None:
        if report.anonymous or report.reporter_id is None:
            return None
        person = await self._store.residents.get(report.reporter_id)
        if person is None:
            return None
        home = await self._store.areas.hamlet(person.hamlet_id) if person.hamlet_id else None
        return Reporter(person.display_name, person.phone, home.name if home else None)

    async def _timeline(self, report: Report) -> list[Step]:
        steps = []
        for entry in await self._store.audit.entries("report", report.id):
            detail = json.loads(entry.detail or "{}")
            name = None
            if entry.actor_label != "resident" and entry.actor_id is not None:
                actor = await self._store.residents.get(entry.actor_id)
                name = actor.display_name if actor else None
            team = await self._store.areas.team(detail["team_id"]) if "team_id" in detail else None
            steps.append(Step(
                at=self.local(entry.at), who=entry.actor_label, name=name,
                action=entry.action.removeprefix("report."), team=team.name if team else None,
                reason=detail.get("reason"), origin=detail.get("origin")))
        return steps


def _states(wanted: str) -> tuple[str, ...]:
    """The states a filter names: open, all (none: no filter) or one state."""
    return {"open": open_states(), "all": ()}.get(wanted, (wanted,))
