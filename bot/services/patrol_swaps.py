"""Swapping a patrol shift: a member asks another member of the team to take their place on a
shift that has not started; the other accepts ("Nhận ca") or declines ("Không nhận"), the
asker is told either way and the leader when the shift changed hands — all through the outbox,
on each person's channel. Every step is checked against the database."""

from __future__ import annotations

import enum
from collections.abc import Callable
from html import escape

from bot.clock import Clock
from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import PatrolShift, Resident, Team
from bot.services.patrols import ACTION, PatrolService, iso
from bot.store import Store, Tx


class Swap(enum.StrEnum):
    DONE = "done"
    NOT_ON_SHIFT = "not_on_shift"
    STARTED = "swap_started"  # the shift started, or the asker checked in
    NOT_MEMBER = "swap_not_member"  # the other is no longer an active member, or is on it
    DECIDED = "swap_decided"  # answered already, or not theirs to answer


class PatrolSwapService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n, clock: Clock,
                 patrols: PatrolService) -> None:
        self._store, self._engine, self._i18n, self._clock = store, engine, i18n, clock
        self._patrols = patrols

    async def candidates(self, person: Resident, shift_id: int
                         ) -> tuple[Swap, PatrolShift | None, list[tuple[int, str]]]:
        """The team's active members who could take the person's place on the shift."""
        shift, result = await self._open(person, shift_id)
        if shift is None or result is not Swap.DONE:
            return result, shift, []
        on_it = {a.resident_id for a in await self._store.patrols.attendance(shift_id)
                 if a.state == "assigned"}
        return Swap.DONE, shift, [(member, name) for member, name in
                                  await self._patrols.active_members(shift.team_id)
                                  if member not in on_it and member != person.id]

    async def ask(self, person: Resident, shift_id: int, other_id: int) -> Swap:
        """Asks `other_id` (through the outbox) to take the person's place on the shift."""
        result, shift, others = await self.candidates(person, shift_id)
        if result is not Swap.DONE or shift is None:
            return result
        team = await self._store.areas.team(shift.team_id)
        if team is None or other_id not in {member for member, _ in others}:
            return Swap.NOT_MEMBER
        async with self._store.db.transaction() as tx:
            swap_id = await self._store.patrol_swaps.ask(tx, shift_id, person.id, other_id)

            def asking(lang: str) -> OutMessage:
                text = self._i18n.t(lang, "patrol.swap_asked_other",
                                    name=_esc(person.display_name or "?"),
                                    when=self._patrols.when(shift, lang), team=_esc(team.name))
                return OutMessage(text=text, buttons=(
                    ((self._i18n.t(lang, "patrol.swap_accept"), f"{ACTION}:sa:{swap_id}"),
                     (self._i18n.t(lang, "patrol.swap_refuse"), f"{ACTION}:sd:{swap_id}")),))

            await self._say(tx, other_id, team, asking, f"patrol-swap:{swap_id}", person.id)
        self._engine.notify()
        return Swap.DONE

    async def decide(self, person: Resident, swap_id: int, accept: bool
                     ) -> tuple[Swap, PatrolShift | None]:
        """The person asked answers: accepted, the shift is theirs instead of the asker's
        (the asker and the leader told); declined, the asker is told."""
        swap = await self._store.patrol_swaps.get(swap_id)
        if swap is None or swap.to_resident != person.id or swap.state != "asked":
            return Swap.DECIDED, None
        shift = await self._store.patrols.shift(swap.shift_id)
        team = None if shift is None else await self._store.areas.team(shift.team_id)
        if shift is None or team is None:
            return Swap.DECIDED, None
        membership = await self._store.memberships.get(team.id, person.id)
        if accept and (membership is None or membership.state != "active"):
            return Swap.NOT_MEMBER, shift
        name = _esc(person.display_name or "?")
        async with self._store.db.transaction() as tx:
            started = shift.cancelled_at is not None or shift.starts_at <= iso(self._clock.now())
            if accept and (started or not await self._store.patrols.hand_over(
                    tx, shift.id, swap.from_resident, person.id)):
                await self._store.patrol_swaps.decide(tx, swap_id, False)
                return Swap.STARTED, shift
            if not await self._store.patrol_swaps.decide(tx, swap_id, accept):
                return Swap.DECIDED, shift
            key = "patrol.swap_accepted" if accept else "patrol.swap_declined"
            await self._say(tx, swap.from_resident, team, lambda lang: OutMessage(
                text=self._i18n.t(lang, key, name=name, when=self._patrols.when(shift, lang))),
                f"patrol-swap:{swap_id}:answer", person.id)
            leader = await self._store.memberships.leader(team.id)
            if accept and leader is not None and leader.resident_id != swap.from_resident:
                asker = await self._store.residents.get(swap.from_resident)
                asker_name = (asker.display_name if asker else None) or "?"
                await self._say(tx, leader.resident_id, team, lambda lang: OutMessage(
                    text=self._i18n.t(lang, "patrol.swap_leader",
                                      when=self._patrols.when(shift, lang),
                                      team=_esc(team.name), name=name, asker=_esc(asker_name))),
                    f"patrol-swap:{swap_id}:leader", person.id)
            if accept:
                await self._store.audit.record(
                    tx, actor_id=person.id, actor_label="member", action="patrol.swapped",
                    subject_type="team", subject_id=team.id, shift=shift.id,
                    previous_resident_id=swap.from_resident)
        self._engine.notify()
        return Swap.DONE, shift

    async def _open(self, person: Resident, shift_id: int) -> tuple[PatrolShift | None, Swap]:
        shift = await self._store.patrols.shift(shift_id)
        part = None if shift is None else await self._store.patrols.assignment(shift_id,
                                                                               person.id)
        if shift is None or part is None or shift.cancelled_at is not None:
            return shift, Swap.NOT_ON_SHIFT
        if part.checked_in_at or shift.starts_at <= iso(self._clock.now()):
            return shift, Swap.STARTED
        return shift, Swap.DONE

    async def _say(self, tx: Tx, resident_id: int, team: Team,
                   message: Callable[[str], OutMessage], origin: str, by: int) -> None:
        """`message` written in the person's language, to where they are reached."""
        for lang, recipients in (await self._patrols.by_language([resident_id])).items():
            await self._engine.write(tx, "personal", message(lang), recipients,
                                     commune_id=team.commune_id, created_by=by, origin=origin)


def _esc(value: str) -> str:
    return escape(value, quote=False)
