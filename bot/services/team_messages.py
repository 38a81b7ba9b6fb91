"""A leader's message to the whole team (/nhantin): who may write, whom it reaches, sending it
through the outbox on the announcement lane — not the gong."""

from __future__ import annotations

from dataclasses import replace
from html import escape

from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.models import Audience, Recipient, Resident, Team
from bot.services import audiences
from bot.services.broadcasts import BroadcastService
from bot.store import Store

ORIGIN = "team-message"  # the broadcasts' origin: team-message:<team id>


class TeamMessageService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n) -> None:
        self._store = store
        self._engine = engine
        self._i18n = i18n

    async def led_teams(self, person: Resident) -> list[Team]:
        """The teams the person leads now (read from the database)."""
        return [team for team, membership in await self._store.memberships.of_resident(
            person.id) if membership.role == "leader" and membership.state == "active"]

    async def led_team(self, person: Resident, team_id: int) -> Team | None:
        """The team if the person leads it now; else None."""
        membership = await self._store.memberships.get(team_id, person.id)
        if membership is None or membership.role != "leader" or membership.state != "active":
            return None
        return await self._store.areas.team(team_id)

    async def recipients(self, team: Team, sender_id: int, *, urgent: bool) -> list[Recipient]:
        """The team's active members who get it (not the leader who writes): consenting,
        reachable, each on their own channel; muted ones only when it is urgent."""
        found = await self._store.broadcasts.recipients(
            _audience(team), include_muted=BroadcastService.include_muted("announcement", urgent))
        return [r for r in found if r.resident_id != sender_id]

    def signed(self, message: OutMessage, team: Team) -> OutMessage:
        """"💬 Tổ trưởng <team>:" above the text, in the deployment's language."""
        header = self._i18n.t(self._i18n.default, "team_message.signed", team=escape(team.name))
        return replace(message, text=f"{header}\n{message.text}" if message.text else header)

    async def send(
        self, person: Resident, team_id: int, message: OutMessage, *, urgent: bool
    ) -> int | None:
        """Queue the message to the team (the role checked again), audited; the number of
        recipients, or None when the person no longer leads the team."""
        team = await self.led_team(person, team_id)
        if team is None:
            return None
        recipients = await self.recipients(team, person.id, urgent=urgent)
        store = self._store
        async with store.db.transaction() as tx:
            broadcast_id = await self._engine.write(
                tx, "announcement", self.signed(message, team), recipients,
                commune_id=team.commune_id, origin=f"{ORIGIN}:{team.id}", created_by=person.id,
                urgent=urgent, audience=audiences.to_json(_audience(team)))
            await store.audit.record(
                tx, actor_id=person.id, actor_label="leader", action="team.message",
                subject_type="team", subject_id=team.id, broadcast_id=broadcast_id,
                recipients=len(recipients), urgent=urgent)
        self._engine.notify()
        return len(recipients)


def _audience(team: Team) -> Audience:
    return Audience(team.commune_id, teams=(team.id,))
