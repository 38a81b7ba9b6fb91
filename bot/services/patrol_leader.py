"""What a team's leader does with shifts once planned: confirms who did a shift (the patrol's
points come then, and only then). The role is read from the database on every call; every
change is audited and everyone it concerns is told through the outbox, on their channel."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.clock import Clock
from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import PatrolAttendance, PatrolShift, Resident
from bot.services.patrols import PatrolService, iso
from bot.services.points import PATROL_DONE, PointsService
from bot.store import Store

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
                member=member_id)
        awarded = await self._points.award(member_id, PATROL_DONE, "patrol", shift_id)
        part = await self._store.patrols.assignment(shift_id, member_id)
        recipient = (await self._store.routes.recipients([member_id])).get(member_id)
        team = await self._store.areas.team(shift.team_id)
        if recipient is not None and team is not None and member_id != person.id:
            lang = self._i18n.default
            text = self._i18n.t(lang, "patrol.confirmed_member",
                                when=self._patrols.when(shift, lang),
                                team=escape(team.name, quote=False))
            if awarded:
                text += "\n" + self._i18n.t(lang, "patrol.confirmed_points")
            await self._engine.enqueue("personal", OutMessage(text=text), [recipient],
                                       commune_id=team.commune_id, created_by=person.id,
                                       origin=f"patrol-confirmed:{shift_id}")
        return None if part is None else (shift, part)
