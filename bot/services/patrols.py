"""Patrols (tuần tra): a team's shifts planned by its leader (once or weekly), the members on
each, their check-ins, check-outs and declines, the leader's log of who came, reminders before
each shift, and reports filed from a patrol. Roles are read from the database on every call."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import PatrolAttendance, PatrolSeries, PatrolShift, Recipient, Resident, Team
from bot.services.patrol_times import Window
from bot.store import Store, Tx

HORIZON = timedelta(days=14)  # a weekly series has its shifts made this far ahead
REMIND_BEFORE = timedelta(hours=1)
CHECK_IN_EARLY = timedelta(minutes=30)  # "Bắt đầu" works from this long before the start
ACTION = "pt"  # the actions' prefix (handlers/patrol_actions.py): pt:<what>:<shift id>


class Check(enum.StrEnum):
    DONE = "done"
    NOT_ON_SHIFT = "not_on_shift"
    TOO_EARLY = "too_early"
    OVER = "over"
    NOT_STARTED = "not_started"  # "Kết thúc" before "Bắt đầu" (or a second time)
    CHECKED_IN = "checked_in_already"  # declining after "Bắt đầu"


@dataclass(frozen=True)
class Planned:
    team: Team
    shifts: list[int]
    series_id: int | None


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class PatrolService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n, clock: Clock,
                 tz: ZoneInfo) -> None:
        self._store = store
        self._engine = engine
        self._i18n = i18n
        self._clock = clock
        self.tz = tz

    async def by_language(self, people: Iterable[int]) -> dict[str, list[Recipient]]:
        """Where each person is reached, grouped by the language they read (a message to
        several people is written once for each language among them)."""
        grouped: dict[str, list[Recipient]] = {}
        for person_id, recipient in (await self._store.routes.recipients(set(people))).items():
            person = await self._store.residents.get(person_id)
            lang = self._i18n.language(person.language if person else None)
            grouped.setdefault(lang, []).append(recipient)
        return grouped

    # --- who --------------------------------------------------------------------------------

    async def led_teams(self, person: Resident) -> list[Team]:
        return [team for team, m in await self._store.memberships.of_resident(person.id)
                if m.role == "leader" and m.state == "active"]

    async def member_teams(self, person: Resident) -> list[Team]:
        return [team for team, m in await self._store.memberships.of_resident(person.id)
                if m.state == "active"]

    async def led_team(self, person: Resident, team_id: int) -> Team | None:
        """The team if the person leads it now (read from the database)."""
        membership = await self._store.memberships.get(team_id, person.id)
        if membership is None or membership.role != "leader" or membership.state != "active":
            return None
        return await self._store.areas.team(team_id)

    async def active_members(self, team_id: int) -> list[tuple[int, str]]:
        """(resident id, name) of the team's active members, the leader first."""
        return [(m.resident_id, m.display_name or "?")
                for m in await self._store.memberships.members(team_id) if m.state == "active"]

    # --- planning ---------------------------------------------------------------------------

    async def plan(
        self, person: Resident, team_id: int, window: Window, members: Sequence[int] | None,
        note: str | None,
    ) -> Planned | None:
        """Plan a shift (weekly: a series, its shifts made HORIZON ahead); `members` None:
        the whole team. None when the person no longer leads the team. Audited; the members
        of the first shift are told through the outbox."""
        team = await self.led_team(person, team_id)
        if team is None:
            return None
        active = {member for member, _ in await self.active_members(team_id)}
        chosen = [m for m in members if m in active] if members is not None else None
        starts, minutes = window.starts, int((window.ends - window.starts).total_seconds() // 60)
        async with self._store.db.transaction() as tx:
            series_id = None
            if window.weekly:
                series_id = await self._store.patrols.add_series(
                    tx, team_id, starts.weekday(), starts.strftime("%H:%M"), minutes, note,
                    chosen, person.id)
            shifts = []
            moment = starts
            while True:
                shift = await self._store.patrols.add_shift(
                    tx, team_id, iso(moment), iso(moment + timedelta(minutes=minutes)), note,
                    sorted(active) if chosen is None else chosen, person.id, series_id)
                if shift is not None:
                    shifts.append(shift)
                moment += timedelta(days=7)
                if series_id is None or moment > self._clock.now() + HORIZON:
                    break
            await self._store.audit.record(
                tx, actor_id=person.id, actor_label="leader", action="patrol.planned",
                subject_type="team", subject_id=team_id, shifts=shifts, series=series_id,
                starts=iso(starts), everyone=chosen is None)
            first = await self._store.patrols.shift(shifts[0]) if shifts else None
            if first is not None:
                await self._tell_on_shift(tx, first, team, "patrol.assigned", weekly=series_id)
        self._engine.notify()
        return Planned(team, shifts, series_id)

    async def extend_series(self, now: datetime) -> int:
        """Make each weekly series' shifts up to HORIZON ahead (each once: a series has one
        shift a start); how many were made."""
        made = 0
        for series in await self._store.patrols.active_series():
            made += await self._extend(series, now)
        return made

    async def _extend(self, series: PatrolSeries, now: datetime) -> int:
        local = now.astimezone(self.tz)
        hour, minute = (int(part) for part in series.start_time.split(":"))
        day = local.date() + timedelta(days=(series.weekday - local.weekday()) % 7)
        members = None if series.everyone else await self._store.patrols.series_members(
            series.id)
        active = [m for m, _ in await self.active_members(series.team_id)]
        chosen = active if members is None else [m for m in members if m in active]
        made = 0
        async with self._store.db.transaction() as tx:
            while (starts := datetime.combine(day, time(hour, minute), self.tz)
                   ) <= now + HORIZON:
                if starts > now and await self._store.patrols.add_shift(
                        tx, series.team_id, iso(starts),
                        iso(starts + timedelta(minutes=series.minutes)), series.note, chosen,
                        series.created_by, series.id) is not None:
                    made += 1
                day += timedelta(days=7)
        return made

    # --- members' answers -------------------------------------------------------------------

    async def check_in(self, person: Resident, shift_id: int) -> tuple[Check, PatrolShift | None]:
        shift, now = await self._store.patrols.shift(shift_id), self._clock.now()
        if shift is None or shift.cancelled_at is not None or await self._store.patrols.assignment(
                shift_id, person.id) is None:
            return Check.NOT_ON_SHIFT, shift
        if now < datetime.fromisoformat(shift.starts_at) - CHECK_IN_EARLY:
            return Check.TOO_EARLY, shift
        if now >= datetime.fromisoformat(shift.ends_at):
            return Check.OVER, shift
        async with self._store.db.transaction() as tx:
            await self._store.patrols.check_in(tx, shift_id, person.id, iso(now))
        return Check.DONE, shift

    async def check_out(self, person: Resident, shift_id: int) -> tuple[Check, PatrolShift | None]:
        shift = await self._store.patrols.shift(shift_id)
        if shift is None or await self._store.patrols.assignment(shift_id, person.id) is None:
            return Check.NOT_ON_SHIFT, shift
        async with self._store.db.transaction() as tx:
            done = await self._store.patrols.check_out(tx, shift_id, person.id,
                                                       iso(self._clock.now()))
        return (Check.DONE if done else Check.NOT_STARTED), shift

    async def set_place(self, person: Resident, shift_id: int, place: str | None,
                        location: tuple[float, float] | None = None) -> bool:
        """Where the person checked in (optional): a typed place or a shared location."""
        lat, lon = location if location is not None else (None, None)
        async with self._store.db.transaction() as tx:
            return await self._store.patrols.set_place(tx, shift_id, person.id, place, lat, lon)

    async def add_note(self, person: Resident, shift_id: int, note: str) -> bool:
        async with self._store.db.transaction() as tx:
            return await self._store.patrols.set_note(tx, shift_id, person.id, note)

    async def decline(self, person: Resident, shift_id: int, reason: str) -> Check:
        """Declined with a reason; the team's leader is told through the outbox."""
        shift = await self._store.patrols.shift(shift_id)
        if shift is None or await self._store.patrols.assignment(shift_id, person.id) is None:
            return Check.NOT_ON_SHIFT
        if self._clock.now() >= datetime.fromisoformat(shift.ends_at):
            return Check.OVER
        team = await self._store.areas.team(shift.team_id)
        leader = await self._store.memberships.leader(shift.team_id)
        async with self._store.db.transaction() as tx:
            if not await self._store.patrols.decline(tx, shift_id, person.id, reason):
                return Check.CHECKED_IN
            told = {} if leader is None or leader.resident_id == person.id or team is None \
                else await self.by_language([leader.resident_id])
            for lang, recipients in told.items():
                assert team is not None
                text = self._i18n.t(lang, "patrol.declined_leader",
                                    name=_esc(person.display_name or "?"),
                                    when=self.when(shift, lang), reason=_esc(reason),
                                    team=_esc(team.name))
                await self._engine.write(tx, "personal", OutMessage(text=text), recipients,
                                         commune_id=team.commune_id, created_by=person.id,
                                         origin=f"patrol-declined:{shift_id}")
        self._engine.notify()
        return Check.DONE

    async def link_report(self, person: Resident, shift_id: int, report_id: int) -> bool:
        """Link a report the person filed to a shift they are on."""
        if await self._store.patrols.assignment(shift_id, person.id) is None:
            return False
        async with self._store.db.transaction() as tx:
            await self._store.patrols.link_report(tx, report_id, shift_id)
        return True

    # --- what people see --------------------------------------------------------------------

    async def my_shifts(self, person: Resident, limit: int = 5) -> list[
            tuple[PatrolShift, PatrolAttendance]]:
        """The person's shifts that have not ended, soonest first, with their part in each."""
        found = []
        for shift in await self._store.patrols.shifts_of(person.id, iso(self._clock.now()), limit):
            mine = await self._store.patrols.assignment(shift.id, person.id)
            if mine is not None:
                found.append((shift, mine))
        return found

    async def upcoming(self, team_id: int) -> list[PatrolShift]:
        now = self._clock.now()
        return await self._store.patrols.team_shifts(team_id, iso(now), iso(now + HORIZON))

    async def log(self, person: Resident, team_id: int, limit: int = 5) -> list[
            tuple[PatrolShift, list[PatrolAttendance]]] | None:
        """The team's latest shifts that have started, each with who came, who is on it, who
        declined and who missed it; None unless the person leads the team."""
        if await self.led_team(person, team_id) is None:
            return None
        shifts = await self._store.patrols.past_shifts(team_id, iso(self._clock.now()), limit)
        return [(shift, await self._store.patrols.attendance(shift.id)) for shift in shifts]

    def when(self, shift: PatrolShift, lang: str | None = None) -> str:
        """"thứ Bảy 28/11, 21:00–23:00" in the person's language."""
        starts = datetime.fromisoformat(shift.starts_at).astimezone(self.tz)
        ends = datetime.fromisoformat(shift.ends_at).astimezone(self.tz)
        lang = lang or self._i18n.default
        day = self._i18n.t(lang, "patrol.weekdays").split(",")[starts.weekday()].strip()
        return f"{day} {starts:%d/%m}, {starts:%H:%M}–{ends:%H:%M}"

    # --- the scheduler's tick ---------------------------------------------------------------

    async def tick(self, now: datetime) -> int:
        """Weekly series extended, then every shift starting within REMIND_BEFORE reminded
        once; how many shifts were reminded."""
        await self.extend_series(now)
        reminded = 0
        for shift in await self._store.patrols.due_reminders(iso(now + REMIND_BEFORE), iso(now)):
            team = await self._store.areas.team(shift.team_id)
            if team is None:
                continue
            async with self._store.db.transaction() as tx:
                if not await self._store.patrols.claim_reminder(tx, shift.id):
                    continue
                await self._tell_on_shift(tx, shift, team, "patrol.reminder")
            reminded += 1
        if reminded:
            self._engine.notify()
        return reminded

    async def _tell_on_shift(
        self, tx: Tx, shift: PatrolShift, team: Team, key: str, weekly: int | None = None
    ) -> None:
        """A message to everyone assigned to the shift (not those who declined), with
        "Bắt đầu" and "Không tham gia được", in the same transaction as what caused it."""
        people = [a.resident_id for a in await self._store.patrols.attendance(shift.id)
                  if a.state == "assigned"]
        for lang, recipients in (await self.by_language(people)).items():
            note = self._i18n.t(lang, "patrol.route", note=_esc(shift.note)) if shift.note \
                else ""
            repeat = self._i18n.t(lang, "patrol.weekly_note") if weekly else ""
            text = self._i18n.t(lang, key, team=_esc(team.name), when=self.when(shift, lang),
                                note=note, weekly=repeat)
            buttons = (((self._i18n.t(lang, "patrol.start"), f"{ACTION}:in:{shift.id}"),
                        (self._i18n.t(lang, "patrol.decline"), f"{ACTION}:no:{shift.id}")),)
            await self._engine.write(tx, "personal", OutMessage(text=text, buttons=buttons),
                                     recipients, commune_id=team.commune_id,
                                     origin=f"patrol:{shift.id}")


def _esc(value: str) -> str:
    return escape(value, quote=False)
