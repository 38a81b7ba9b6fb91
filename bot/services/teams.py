"""Teams: join requests, the leader's decisions, leaving, and what members and leaders see."""

from __future__ import annotations

import enum
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.clock import Clock
from bot.config import TeamsConfig
from bot.models import Commune, Member, Membership, Resident, Team
from bot.store import Store

THROTTLE_WINDOW = timedelta(hours=1)
LEADER_MESSAGES_PER_HOUR = 5  # a member's messages to their leaders


class JoinResult(enum.StrEnum):
    TOO_MANY_TRIES = "too_many_tries"
    UNKNOWN_CODE = "unknown_code"
    OTHER_COMMUNE = "other_commune"
    RECENTLY_REJECTED = "recently_rejected"
    ALREADY_MEMBER = "already_member"
    ALREADY_PENDING = "already_pending"
    FULL = "full"
    REQUESTED = "requested"
    JOINED = "joined"


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NOT_LEADER = "not_leader"
    NOT_PENDING = "not_pending"
    FULL = "full"


@dataclass(frozen=True)
class JoinOutcome:
    result: JoinResult
    team: Team | None = None
    leader: Member | None = None
    wait: timedelta = timedelta()  # TOO_MANY_TRIES, RECENTLY_REJECTED: until they may ask again
    commune: Commune | None = None  # OTHER_COMMUNE: the resident's own commune
    # REQUESTED: False when the leader was already asked about this person lately (a request
    # withdrawn and made again): it waits in their list without a new message.
    tell_leader: bool = True


@dataclass(frozen=True)
class DecisionOutcome:
    result: Decision
    team: Team | None = None
    applicant: Resident | None = None
    by: str = "leader"  # who decided: "leader", or "officer" (of the commune)


@dataclass(frozen=True)
class TeamView:
    team: Team
    membership: Membership
    leader: Member | None
    active_members: int


@dataclass(frozen=True)
class LeaderView:
    team: Team
    members: list[Member]
    pending: list[Member]


def minutes(wait: timedelta) -> int:
    """A wait as whole minutes, rounded up (at least 1)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class TeamService:
    def __init__(self, store: Store, config: TeamsConfig, clock: Clock) -> None:
        self._store = store
        self._config = config
        self._clock = clock

    async def request_join(self, resident: Resident, join_code: str) -> JoinOutcome:
        """Ask to join the team with this code; joins at once if the team needs no approval.

        Only teams of the resident's commune (one with no commune yet gets the team's). A code
        that leads nowhere counts against `max_wrong_codes_per_hour`; past it every code gets
        the same "try later". After a rejection the same team waits `rejoin_after_hours`."""
        now = self._clock.now()
        wait = await self._throttled(resident, now)
        if wait is not None:
            return JoinOutcome(JoinResult.TOO_MANY_TRIES, wait=wait)
        team = await self._store.areas.team_by_join_code(join_code.strip())
        own = resident.commune_id
        if team is None or (own is not None and team.commune_id != own):
            await self._failed(resident, now)
            if team is None:
                return JoinOutcome(JoinResult.UNKNOWN_CODE)
            return JoinOutcome(JoinResult.OTHER_COMMUNE,
                               commune=await self._store.areas.commune(own or 0))
        leader = await self._store.memberships.leader(team.id)
        direct = not team.requires_approval
        async with self._store.db.transaction() as tx:
            # Checked inside the write transaction, so two quick requests cannot both pass.
            current = await self._store.memberships.get(team.id, resident.id)
            if current is not None:
                result = JoinResult.ALREADY_MEMBER if current.state == "active" else (
                    JoinResult.ALREADY_PENDING)
                return JoinOutcome(result, team, leader)
            if (cooldown := await self._cooldown(team, resident, now)) is not None:
                return JoinOutcome(JoinResult.RECENTLY_REJECTED, team, leader, wait=cooldown)
            if await self._is_full(team):
                return JoinOutcome(JoinResult.FULL, team, leader)
            if own is None:  # the team's commune becomes theirs (and the only one they join)
                await self._store.residents.update(tx, resident.id, commune_id=team.commune_id)
            await self._store.memberships.add(
                tx, team.id, resident.id, "member", "active" if direct else "pending"
            )
            tell = direct or await self._store.memberships.claim_notice(
                tx, team.id, resident.id,
                _iso(now - timedelta(hours=self._config.rejoin_after_hours)))
            await self._store.audit.record(
                tx, actor_id=resident.id, actor_label="resident",
                action="team.joined" if direct else "team.requested",
                subject_type="team", subject_id=team.id, resident_id=resident.id,
            )
        return JoinOutcome(JoinResult.JOINED if direct else JoinResult.REQUESTED, team, leader,
                           tell_leader=tell)

    async def throttle_subject(self, resident: Resident) -> str:
        """Who the join throttle counts: a keyed hash of the person's account, so that the count
        outlives a deletion of their data without naming them."""
        account = f"telegram:{resident.telegram_id}" if resident.telegram_id is not None \
            else f"resident:{resident.id}"
        key = await self._store.memberships.throttle_key()
        return hmac.new(key, account.encode(), hashlib.sha256).hexdigest()

    async def _throttled(self, resident: Resident, now: datetime) -> timedelta | None:
        """How long until the person may try a code again; None if they may now."""
        failures = await self._store.memberships.join_failures_since(
            await self.throttle_subject(resident), _iso(now - THROTTLE_WINDOW))
        if len(failures) < self._config.max_wrong_codes_per_hour:
            return None
        # The oldest failures that keep the count at the limit must leave the window first.
        oldest = failures[len(failures) - self._config.max_wrong_codes_per_hour]
        return datetime.fromisoformat(oldest) + THROTTLE_WINDOW - now

    async def _failed(self, resident: Resident, now: datetime) -> None:
        async with self._store.db.transaction() as tx:
            await self._store.memberships.add_join_failure(
                tx, await self.throttle_subject(resident), _iso(now - THROTTLE_WINDOW))

    async def _cooldown(self, team: Team, resident: Resident, now: datetime) -> timedelta | None:
        """How long until the person may ask this team again after a rejection, if at all."""
        rejected = await self._store.memberships.rejected_at(team.id, resident.id)
        if rejected is None:
            return None
        until = datetime.fromisoformat(rejected) + timedelta(hours=self._config.rejoin_after_hours)
        return until - now if until > now else None

    async def decide(
        self, actor: Resident, team_id: int, applicant_id: int, approve: bool,
        origin: str | None = None,
    ) -> DecisionOutcome:
        """The leader (or an officer of the commune) approves or rejects a pending request
        (audited with `origin`: "web" from the console)."""
        team = await self._store.areas.team(team_id)
        if team is None or not await self.may_manage(actor, team):
            return DecisionOutcome(Decision.NOT_LEADER, team)
        applicant = await self._store.residents.get(applicant_id)
        async with self._store.db.transaction() as tx:
            # Checked inside the write transaction: a double press decides once.
            membership = await self._store.memberships.get(team_id, applicant_id)
            if applicant is None or membership is None or membership.state != "pending":
                return DecisionOutcome(Decision.NOT_PENDING, team, applicant)
            if approve and await self._is_full(team):
                return DecisionOutcome(Decision.FULL, team, applicant)
            if approve:
                decided = await self._store.memberships.activate(
                    tx, team_id, applicant_id, actor.id)
                if decided:
                    await self._store.memberships.clear_rejection(tx, team_id, applicant_id)
            else:
                decided = await self._store.memberships.remove(tx, team_id, applicant_id)
                if decided:
                    await self._store.memberships.record_rejection(tx, team_id, applicant_id)
            if not decided:
                return DecisionOutcome(Decision.NOT_PENDING, team, applicant)
            await self._store.memberships.clear_notice(tx, team_id, applicant_id)
            label = await self._label(actor, team)
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label=label,
                action="team.approved" if approve else "team.rejected",
                subject_type="team", subject_id=team_id, resident_id=applicant_id,
                **({"origin": origin} if origin else {}),
            )
        result = Decision.APPROVED if approve else Decision.REJECTED
        return DecisionOutcome(result, team, applicant, by=label)

    async def leave(self, resident: Resident, team_id: int) -> Team | None:
        """Leave a team (a leader stays leader until an officer appoints another)."""
        team = await self._store.areas.team(team_id)
        membership = await self._store.memberships.get(team_id, resident.id)
        if team is None or membership is None or membership.role == "leader":
            return None
        async with self._store.db.transaction() as tx:
            await self._store.memberships.remove(tx, team_id, resident.id)
            await self._store.audit.record(
                tx, actor_id=resident.id, actor_label="resident", action="team.left",
                subject_type="team", subject_id=team_id, resident_id=resident.id,
            )
        return team

    async def remove_member(self, actor: Resident, team_id: int, member_id: int) -> bool:
        """A leader (or officer) removes a member; False if not allowed or not a member."""
        team = await self._store.areas.team(team_id)
        if team is None or member_id == actor.id or not await self.may_manage(actor, team):
            return False
        membership = await self._store.memberships.get(team_id, member_id)
        if membership is None or membership.role == "leader":
            return False
        async with self._store.db.transaction() as tx:
            await self._store.memberships.remove(tx, team_id, member_id)
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label=await self._label(actor, team),
                action="team.removed",
                subject_type="team", subject_id=team_id, resident_id=member_id,
            )
        return True

    async def my_teams(self, resident: Resident) -> list[TeamView]:
        views = []
        for team, membership in await self._store.memberships.of_resident(resident.id):
            views.append(TeamView(
                team, membership,
                await self._store.memberships.leader(team.id),
                await self._store.memberships.count_active(team.id),
            ))
        return views

    async def leader_to_write(self, member: Resident, team_id: int) -> tuple[Team, Member] | None:
        """The team and its leader, when `member` is an active member (not its leader) and
        the leader has opened the bot; None otherwise (checked in the database)."""
        team = await self._store.areas.team(team_id)
        membership = await self._store.memberships.get(team_id, member.id)
        leader = await self._store.memberships.leader(team_id)
        if team is None or membership is None or membership.state != "active" or (
                leader is None or leader.resident_id == member.id or not leader.display_name):
            return None
        return team, leader

    async def may_write_to_leader(self, member: Resident) -> bool:
        """At most LEADER_MESSAGES_PER_HOUR messages an hour to leaders, so none is flooded."""
        since = (self._clock.now() - timedelta(hours=1)).astimezone(UTC).isoformat(
            timespec="seconds")
        sent = await self._store.audit.count_by(member.id, "team.message_leader", since)
        return sent < LEADER_MESSAGES_PER_HOUR

    async def wrote_to_leader(self, member: Resident, team: Team) -> None:
        """Audited without its text (the message is the two people's, not the log's)."""
        async with self._store.db.transaction() as tx:
            await self._store.audit.record(
                tx, actor_id=member.id, actor_label="member", action="team.message_leader",
                subject_type="team", subject_id=team.id)

    async def leader_view(self, actor: Resident, team_id: int) -> LeaderView | None:
        """Members and pending requests, for the team's leader or an officer only."""
        team = await self._store.areas.team(team_id)
        if team is None or not await self.may_manage(actor, team):
            return None
        everyone = await self._store.memberships.members(team_id)
        return LeaderView(
            team,
            [m for m in everyone if m.state == "active"],
            [m for m in everyone if m.state == "pending"],
        )

    async def may_manage(self, actor: Resident, team: Team) -> bool:
        """Checked against the database on every privileged action, button presses included."""
        membership = await self._store.memberships.get(team.id, actor.id)
        if membership is not None and membership.role == "leader":
            return True
        return await self._store.residents.has_role(actor.id, "officer", team.commune_id)

    async def _label(self, actor: Resident, team: Team) -> str:
        """Who acted, for the audit log: the team's leader, else an officer."""
        membership = await self._store.memberships.get(team.id, actor.id)
        return "leader" if membership is not None and membership.role == "leader" else "officer"

    async def _is_full(self, team: Team) -> bool:
        limit = team.max_members or self._config.max_members
        return bool(limit) and await self._store.memberships.count_active(team.id) >= limit
