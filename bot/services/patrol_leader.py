"""What a team's leader does with shifts once planned: cancels one, stops a weekly series
(its coming shifts cancelled), confirms who did a shift (the patrol's points come then, and
only then). The role is read from the database on every call; every
change is audited and everyone it concerns is told through the outbox, on their channel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from bot.clock import Clock
from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import PatrolAttendance, PatrolSeries, PatrolShift, Resident, Team
from bot.services.patrols import PatrolService, iso
from bot.services.points import PATROL_DONE, PointsService
from bot.store import Store, Tx

MAX_TO_CONFIRM = 20  # choices offered under the log at once


class PatrolLeaderService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n, clock: Clock,
                 patrols: PatrolService, points: PointsService) -> None:
        self._store, self._engine, self._i18n, self._clock = store, engine, i18n, clock
        self._patrols, self._points = patrols, points

    async def to_confirm(self, person: Resident, team_id: int
                         ) -> list[tuple[PatrolShift, PatrolAttendance]]:
        """Who checked in on the team's latest shifts and is not confirmed yet (for its
        leader only: none for anyone else)."""
        found = await self._patrols.log(person, team_id)
        return [(shift, part) for shift, people in found or () for part in people
                if part.checked_in_at and not part.confirmed_at][:MAX_TO_CONFIRM]

    async def confirm(self, person: Resident, shift_id: int, member_id: int
                      ) -> tuple[PatrolShift, PatrolAttendance] | None:
        """The leader confirms that the member did the shift: the patrol's points (within
        the daily cap), a thank-you through the outbox, audited. None when the person does
        not lead the shift's team now, the member never checked in, or it was confirmed."""
        shift = await self._store.patrols.shift(shift_id)
        if shift is None or await self._patrols.led_team(person, shift.team_id) is None:
            return None
        now = self._clock.now()
        if now < datetime.fromisoformat(shift.starts_at):
            return None
        async with self._store.db.transaction() as tx:
            if not await self._store.patrols.confirm(tx, shift_id, member_id, person.id,
                                                     iso(now)):
                return None
            await self._store.audit.record(
                tx, actor_id=person.id, actor_label="leader", action="patrol.confirmed",
                subject_type="team", subject_id=shift.team_id, shift=shift_id,
                member_resident_id=member_id)
        awarded = await self._points.award(member_id, PATROL_DONE, "patrol", shift_id)
        part = await self._store.patrols.assignment(shift_id, member_id)
        team = await self._store.areas.team(shift.team_id)
        told = {} if team is None or member_id == person.id \
            else await self._patrols.by_language([member_id])
        for lang, recipients in told.items():
            assert team is not None
            text = self._i18n.t(lang, "patrol.confirmed_member",
                                when=self._patrols.when(shift, lang),
                                team=escape(team.name, quote=False))
            if awarded:
                text += "\n" + self._i18n.t(lang, "patrol.confirmed_points")
            await self._engine.enqueue("personal", OutMessage(text=text), recipients,
                                       commune_id=team.commune_id, created_by=person.id,
                                       origin=f"patrol-confirmed:{shift_id}")
        return None if part is None else (shift, part)

    # --- cancelling ---------------------------------------------------------------------------

    async def cancellable(self, person: Resident, team_id: int
                          ) -> tuple[list[PatrolShift], list[PatrolSeries]] | None:
        """The team's coming shifts that have not started, and its weekly series; None
        unless the person leads the team."""
        if await self._patrols.led_team(person, team_id) is None:
            return None
        now = iso(self._clock.now())
        shifts = [shift for shift in await self._patrols.upcoming(team_id)
                  if shift.starts_at > now]
        return shifts, await self._store.patrols.team_series(team_id)

    async def cancel_shift(self, person: Resident, shift_id: int) -> PatrolShift | None:
        """Cancelled by the team's leader before it starts: audited, its members told
        through the outbox. None when not allowed, started, or cancelled already."""
        shift = await self._store.patrols.shift(shift_id)
        team = None if shift is None else await self._patrols.led_team(person, shift.team_id)
        now = iso(self._clock.now())
        if shift is None or team is None or shift.starts_at <= now:
            return None
        async with self._store.db.transaction() as tx:
            if not await self._store.patrols.cancel_shift(tx, shift_id, now):
                return None
            await self._store.audit.record(
                tx, actor_id=person.id, actor_label="leader", action="patrol.cancelled",
                subject_type="team", subject_id=team.id, shift=shift_id)
            await self._tell(tx, [shift], team, person, "patrol.cancelled_member",
                             lambda lang: self._patrols.when(shift, lang),
                             f"patrol-cancelled:{shift_id}")
        self._engine.notify()
        return shift

    async def stop_series(self, person: Resident, series_id: int) -> PatrolSeries | None:
        """A weekly series stopped by the team's leader: no more shifts made, those not
        started cancelled, their members told once; audited. None when not allowed or
        stopped already."""
        series = await self._store.patrols.series(series_id)
        team = None if series is None else await self._patrols.led_team(person, series.team_id)
        if series is None or team is None:
            return None
        async with self._store.db.transaction() as tx:
            now = iso(self._clock.now())
            cancelled = await self._store.patrols.stop_series(tx, series_id, now)
            if cancelled is None:
                return None
            await self._store.audit.record(
                tx, actor_id=person.id, actor_label="leader", action="patrol.series_stopped",
                subject_type="team", subject_id=team.id, series=series_id, shifts=cancelled)
            shifts = [s for s in [await self._store.patrols.shift(i) for i in cancelled] if s]
            await self._tell(tx, shifts, team, person, "patrol.stopped_member",
                             lambda lang: self.series_when(series, lang),
                             f"patrol-stopped:{series_id}")
        self._engine.notify()
        return series

    def series_when(self, series: PatrolSeries, lang: str | None = None) -> str:
        """"thứ Bảy hằng tuần, 21:00" in the person's language."""
        lang = lang or self._i18n.default
        day = self._i18n.t(lang, "patrol.weekdays").split(",")[series.weekday].strip()
        return self._i18n.t(lang, "patrol.series_when", day=day, time=series.start_time)

    async def _tell(self, tx: Tx, shifts: list[PatrolShift], team: Team, leader: Resident,
                    key: str, when: Callable[[str], str], origin: str) -> None:
        """Everyone still assigned to any of `shifts` (the leader aside), once each."""
        people: set[int] = set()
        for shift in shifts:
            people |= {a.resident_id for a in await self._store.patrols.attendance(shift.id)
                       if a.state == "assigned" and a.resident_id != leader.id}
        for lang, recipients in (await self._patrols.by_language(people)).items():
            text = self._i18n.t(lang, key, when=when(lang), team=escape(team.name, quote=False))
            await self._engine.write(tx, "personal", OutMessage(text=text), recipients,
                                     commune_id=team.commune_id, created_by=leader.id,
                                     origin=origin)
