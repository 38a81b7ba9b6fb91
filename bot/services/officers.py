"""Officer work on people and teams: officer roles, new teams, leaders. Every change audited."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from bot.models import Channel, Commune, Hamlet, OfficerRole, Resident, Team, TeamSummary
from bot.services.cards import STAFF_GROUP_CHANNEL
from bot.store import Store, Tx
from bot.text import clean, fold

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
JOIN_CODE_LENGTH = 6
MAX_TEAM_NAME = 80


class UnknownCommune(LookupError):
    """No commune has this code."""


class NotAllowed(PermissionError):
    """The actor holds no officer role for this commune (checked in the database)."""


class NotAMember(LookupError):
    """The person chosen is no longer an active member of the team."""


@dataclass(frozen=True)
class Appointment:
    team: Team
    leader: Resident
    previous_id: int | None  # the previous leader's resident id

    @property
    def changed(self) -> bool:
        """False when the person led the team already (a second press): nothing was done,
        and nobody need be told again."""
        return self.previous_id != self.leader.id


class OfficerService:
    def __init__(self, store: Store) -> None:
        self._store = store

    # --- officer roles (CLI) --------------------------------------------------------------

    async def commune(self, code: str) -> Commune:
        commune = await self._store.areas.commune_by_code(code)
        if commune is None:
            raise UnknownCommune(f"no commune with code {code!r}")
        return commune

    async def grant_officer(self, telegram_id: int, commune_code: str, by: str) -> bool:
        """Make the Telegram user an officer of the commune; False if already one."""
        commune = await self.commune(commune_code)
        async with self._store.db.transaction() as tx:
            resident_id = await self._store.residents.ensure(tx, telegram_id)
            granted = await self._store.residents.grant_role(
                tx, resident_id, "officer", commune.id, by
            )
            if granted:
                await self._audit_role(tx, by, "role.grant", resident_id, commune)
        return granted

    async def revoke_officer(self, telegram_id: int, commune_code: str, by: str) -> bool:
        """End the officer role; False if the person did not hold it."""
        commune = await self.commune(commune_code)
        resident = await self._store.residents.by_telegram_id(telegram_id)
        if resident is None:
            return False
        async with self._store.db.transaction() as tx:
            revoked = await self._store.residents.revoke_role(tx, resident.id, "officer",
                                                              commune.id)
            if revoked:
                await self._audit_role(tx, by, "role.revoke", resident.id, commune)
        return revoked

    async def officers(self, commune_code: str | None = None) -> list[OfficerRole]:
        commune_id = (await self.commune(commune_code)).id if commune_code else None
        return await self._store.residents.officer_roles(commune_id)

    async def teams(self, commune_code: str | None = None) -> list[TeamSummary]:
        commune_id = (await self.commune(commune_code)).id if commune_code else None
        return await self._store.memberships.team_summaries(commune_id)

    # --- teams and leaders (chat) ---------------------------------------------------------

    async def communes_of(self, actor: Resident) -> list[Commune]:
        """The communes where the actor is an officer (all of them for an admin)."""
        return await self._store.areas.staff_communes(actor.id)

    async def acting_communes(
        self, actor: Resident, channel: Channel, address: str
    ) -> list[Commune]:
        """The communes an officer acts for in this chat (read from the database): in the
        staff group of one of them that commune only; anywhere else every commune they serve
        (the group gate lets officer commands through in their communes' groups only)."""
        communes = await self.communes_of(actor)
        here = [commune for commune in communes if channel == STAFF_GROUP_CHANNEL
                and commune.staff_chat_id is not None and str(commune.staff_chat_id) == address]
        return here or communes

    async def create_team(
        self, actor: Resident, hamlet: Hamlet, kind: str, name: str, origin: str | None = None,
        token: str | None = None,
    ) -> Team:
        """A new team in the hamlet with a fresh join code; NotAllowed unless an officer
        (audited with `origin`: "web" from the console). One team per draft `token`: a form
        sent again gets the team the first one created."""
        await self._require_officer(actor, hamlet.commune_id)
        name = " ".join(clean(name).split())[:MAX_TEAM_NAME]
        async with self._store.db.transaction() as tx:
            # Checked inside the write transaction (they run one at a time).
            if token is not None and (earlier := await self._store.audit.subject_of(
                    actor.id, "team.created", token)) is not None:
                team = await self._store.areas.team(earlier)
                if team is not None:
                    return team
            code = await self._free_team_code(hamlet, name)
            join_code = await self._free_join_code()
            team_id = await self._store.areas.upsert_team(
                tx, commune_id=hamlet.commune_id, hamlet_id=hamlet.id, code=code, name=name,
                kind=kind, join_code=join_code, requires_approval=True, max_members=0,
            )
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="officer", action="team.created",
                subject_type="team", subject_id=team_id, code=code, join_code=join_code,
                **({"origin": origin} if origin else {}), **({"token": token} if token else {}),
            )
        team = await self._store.areas.team(team_id)
        assert team is not None
        return team

    async def find_team(self, actor: Resident, typed: str) -> Team | None:
        """A team of the actor's communes named by its code or its join code."""
        typed = typed.strip()
        for commune in await self.communes_of(actor):
            team = await self._store.areas.team_by_code(commune.id, typed.lower())
            if team is not None:
                return team
        team = await self._store.areas.team_by_join_code(typed)
        if team is not None and team.commune_id in {c.id for c in await self.communes_of(actor)}:
            return team
        return None

    async def appoint_member(
        self, actor: Resident, team_id: int, resident_id: int, origin: str | None = None
    ) -> Appointment:
        """Make an active member of the team its leader (the previous one stays a member);
        NotAllowed unless an officer of its commune, NotAMember for anyone else (audited
        with `origin`: "web" from the console)."""
        team = await self._officers_team(actor, team_id)
        membership = await self._store.memberships.get(team.id, resident_id)
        if membership is None or membership.state != "active":
            raise NotAMember(f"resident {resident_id} is no active member of team {team.id}")
        return await self._appoint(actor, team, resident_id, origin)

    async def appoint_telegram_user(
        self, actor: Resident, team_id: int, telegram_id: int, origin: str | None = None
    ) -> Appointment:
        """Make the Telegram user the team's leader, whether or not a member yet (a bare
        person is created for an id the bot has never seen)."""
        team = await self._officers_team(actor, team_id)
        async with self._store.db.transaction() as tx:
            resident_id = await self._store.residents.ensure(tx, telegram_id)
        return await self._appoint(actor, team, resident_id, origin)

    async def appoint_by_phone(self, actor: Resident, team_id: int, e164: str,
                               origin: str | None = None) -> Appointment:
        """Make the resident of the team's commune who shared this number its leader;
        NotAMember when nobody there shared it (a number is looked up, never trusted)."""
        team = await self._officers_team(actor, team_id)
        person = await self._store.residents.by_phone(e164, team.commune_id)
        if person is None:
            raise NotAMember(f"nobody of commune {team.commune_id} shared that number")
        return await self._appoint(actor, team, person.id, origin)

    async def _officers_team(self, actor: Resident, team_id: int) -> Team:
        team = await self._store.areas.team(team_id)
        if team is None:
            raise NotAllowed("no such team")
        await self._require_officer(actor, team.commune_id)
        return team

    async def _appoint(self, actor: Resident, team: Team, resident_id: int,
                       origin: str | None = None) -> Appointment:
        async with self._store.db.transaction() as tx:  # read inside: two presses act once
            previous = await self._store.memberships.leader(team.id)
            previous_id = previous.resident_id if previous is not None else None
            if previous_id == resident_id:
                leader = await self._store.residents.get(resident_id)
                assert leader is not None
                return Appointment(team, leader, previous_id)
            await self._store.memberships.set_leader(tx, team.id, resident_id, actor.id)
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="officer", action="role.leader",
                subject_type="team", subject_id=team.id, leader_resident_id=resident_id,
                previous_resident_id=previous_id, **({"origin": origin} if origin else {}),
            )
        leader = await self._store.residents.get(resident_id)
        assert leader is not None
        return Appointment(team, leader, previous_id)

    async def _require_officer(self, actor: Resident, commune_id: int) -> None:
        if not await self._store.residents.has_role(actor.id, "officer", commune_id):
            raise NotAllowed(f"resident {actor.id} is no officer of commune {commune_id}")

    async def _free_team_code(self, hamlet: Hamlet, name: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:30] or "to"
        code, number = base, 1
        while await self._store.areas.team_by_code(hamlet.commune_id, code) is not None:
            number += 1
            code = f"{base}-{number}"
        return code

    async def _free_join_code(self) -> str:
        while True:
            code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            if await self._store.areas.team_by_join_code(code) is None:
                return code

    async def _audit_role(
        self, tx: Tx, by: str, action: str, resident_id: int, commune: Commune
    ) -> None:
        await self._store.audit.record(
            tx, actor_id=None, actor_label=by, action=action, subject_type="resident",
            subject_id=resident_id, role="officer", commune=commune.code,
        )
