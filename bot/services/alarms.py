"""The security gong (kẻng an ninh): who may sound it for whom, answers, escalation, all clear."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.clock import Clock
from bot.config import AlarmsConfig
from bot.models import Alarm, AlarmRecipient, AlarmResponse, AlarmScope, Resident
from bot.store import Store
from bot.text import clean


class RaiseResult(enum.StrEnum):
    RAISED = "raised"
    ALREADY = "already"  # this draft's "Phát kẻng" was pressed before: that alarm stands
    NOT_ALLOWED = "not_allowed"
    TOO_MANY = "too_many"
    NOBODY = "nobody"


class AnswerResult(enum.StrEnum):
    RECORDED = "recorded"
    NOT_RECIPIENT = "not_recipient"
    ENDED = "ended"


@dataclass(frozen=True)
class Scope:
    kind: AlarmScope
    id: int
    name: str
    commune_id: int


@dataclass(frozen=True)
class Raised:
    result: RaiseResult
    alarm: Alarm | None = None
    recipients: tuple[AlarmRecipient, ...] = ()


@dataclass(frozen=True)
class Tally:
    total: int
    coming: list[str]
    cannot: list[str]

    @property
    def silent(self) -> int:
        return self.total - len(self.coming) - len(self.cannot)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class AlarmService:
    def __init__(
        self, store: Store, catalog: Catalog, config: AlarmsConfig, clock: Clock
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._config = config
        self._clock = clock

    async def scopes(self, caller: Resident) -> list[Scope]:
        """What the caller may sound the gong for: teams they lead; for officers also the
        hamlets and the whole of their communes. Read from the database every time."""
        scopes = [
            Scope("team", team.id, team.name, team.commune_id)
            for team, membership in await self._store.memberships.of_resident(caller.id)
            if membership.role == "leader"
        ]
        for commune in await self._store.areas.staff_communes(caller.id):
            scopes.append(Scope("commune", commune.id, commune.name, commune.id))
            scopes.extend(Scope("hamlet", h.id, h.name, commune.id)
                          for h in await self._store.areas.hamlets(commune.id))
        return scopes

    async def scope(self, caller: Resident, kind: str, scope_id: int) -> Scope | None:
        """The scope if the caller may use it now (a stale button finds nothing)."""
        return next((s for s in await self.scopes(caller)
                     if s.kind == kind and s.id == scope_id), None)

    async def sound(
        self, caller: Resident, caller_name: str, kind: str, scope_kind: str, scope_id: int,
        note: str | None = None, latitude: float | None = None, longitude: float | None = None,
        token: str | None = None, origin: str | None = None,
    ) -> Raised:
        """Record the alarm and its recipients in one transaction (delivery comes after);
        audited with `origin` ("web" from the console).

        One alarm per draft `token`: a repeated "Phát kẻng" (even in the same instant) gets
        ALREADY with the alarm the first press raised, and nothing is sent again."""
        if token is not None and (earlier := await self._store.alarms.by_draft_token(
                caller.id, token)):
            return Raised(RaiseResult.ALREADY, earlier)
        scope = await self.scope(caller, scope_kind, scope_id)
        if scope is None or kind not in self._catalog.alarm_kinds:
            return Raised(RaiseResult.NOT_ALLOWED)
        now = self._clock.now()
        recent = await self._store.alarms.count_by_caller_since(
            caller.id, iso(now - timedelta(hours=1)))
        if recent >= self._config.max_per_hour:
            return Raised(RaiseResult.TOO_MANY)
        audience = set(await self._audience(scope)) - {caller.id}
        if not audience:
            return Raised(RaiseResult.NOBODY)
        officer = await self._store.residents.has_role(caller.id, "officer", scope.commune_id)
        escalate = self._config.min_responders > 0
        async with self._store.db.transaction() as tx:
            # Checked again inside the write transaction (they run one at a time): of two
            # presses that both got past the first check, the second finds the first's alarm.
            if token is not None and (earlier := await self._store.alarms.by_draft_token(
                    caller.id, token)):
                return Raised(RaiseResult.ALREADY, earlier)
            alarm_id = await self._store.alarms.create(
                tx, sorted(audience), draft_token=token, commune_id=scope.commune_id,
                caller_id=caller.id,
                caller_role="officer" if officer else "leader", caller_name=caller_name[:128],
                scope_kind=scope.kind, scope_id=scope.id, scope_name=scope.name, kind=kind,
                note=clean(note) or None, latitude=latitude, longitude=longitude,
                sent_at=iso(now),
                expires_at=iso(now + timedelta(minutes=self._config.expire_minutes)),
                escalate_at=iso(now + timedelta(seconds=self._config.escalate_after_seconds))
                if escalate else None,
            )
            await self._store.audit.record(
                tx, actor_id=caller.id, actor_label="officer" if officer else "leader",
                action="alarm.raised", subject_type="alarm", subject_id=alarm_id, kind=kind,
                scope=f"{scope.kind}:{scope.id}", recipients=len(audience),
                **({"origin": origin} if origin else {}),
            )
        alarm = await self._store.alarms.get(alarm_id)
        assert alarm is not None
        recipients = tuple(await self._store.alarms.recipients(alarm_id))
        return Raised(RaiseResult.RAISED, alarm, recipients)

    async def get(self, alarm_id: int) -> Alarm | None:
        return await self._store.alarms.get(alarm_id)

    async def remember_caller_message(self, alarm: Alarm, chat: str, message: str) -> None:
        """Where the caller's count is kept up to date in place: a chat and a message of a
        channel that edits messages (Telegram's, whose ids are numbers)."""
        async with self._store.db.transaction() as tx:
            await self._store.alarms.set_caller_message(tx, alarm.id, int(chat), int(message))

    async def answer(
        self, alarm_id: int, resident: Resident, response: AlarmResponse
    ) -> tuple[AnswerResult, Alarm | None]:
        alarm = await self._store.alarms.get(alarm_id)
        if alarm is None or not await self._store.alarms.is_recipient(alarm_id, resident.id):
            return AnswerResult.NOT_RECIPIENT, alarm
        if alarm.state != "active" or alarm.expires_at <= iso(self._clock.now()):
            return AnswerResult.ENDED, alarm
        async with self._store.db.transaction() as tx:
            await self._store.alarms.respond(
                tx, alarm_id, resident.id, response, iso(self._clock.now()))
        return AnswerResult.RECORDED, alarm

    async def tally(self, alarm_id: int) -> Tally:
        recipients = await self._store.alarms.recipients(alarm_id)
        return Tally(
            total=len(recipients),
            coming=[r.display_name or "?" for r in recipients if r.response == "coming"],
            cannot=[r.display_name or "?" for r in recipients if r.response == "cannot"],
        )

    async def all_clear(self, alarm_id: int, actor: Resident,
                        origin: str | None = None) -> Alarm | None:
        """End the alarm: its caller, or an officer of the commune (audited with `origin`).
        None if not allowed, or over already."""
        alarm = await self._store.alarms.get(alarm_id)
        if alarm is None or alarm.state != "active":
            return None
        allowed = alarm.caller_id == actor.id or await self._store.residents.has_role(
            actor.id, "officer", alarm.commune_id)
        if not allowed:
            return None
        async with self._store.db.transaction() as tx:
            if not await self._store.alarms.end(
                    tx, alarm_id, "all_clear", iso(self._clock.now()), actor.id):
                return None
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="alarm", action="alarm.all_clear",
                subject_type="alarm", subject_id=alarm_id,
                **({"origin": origin} if origin else {}),
            )
        return await self._store.alarms.get(alarm_id)

    async def confirm_came(self, actor: Resident, alarm: Alarm, resident_id: int) -> bool:
        """The gong's caller (or an officer) confirms a member who answered "Đang đến"
        came, once a member and only once the gong is over; audited. False otherwise."""
        if alarm.state == "active" or not await self.may_end(alarm, actor):
            return False
        came = [r for r in await self._store.alarms.recipients(alarm.id)
                if r.resident_id == resident_id and r.response == "coming"]
        if not came:
            return False
        async with self._store.db.transaction() as tx:  # one at a time: checked inside
            if resident_id in await self.confirmed(alarm):
                return False
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="alarm", action="alarm.confirm",
                subject_type="alarm", subject_id=alarm.id, member_resident_id=resident_id)
        return True

    async def confirmed(self, alarm: Alarm) -> set[int]:
        """The members whose coming the caller (or an officer) confirmed."""
        return {json.loads(e.detail).get("member_resident_id") for e in
                await self._store.audit.entries("alarm", alarm.id) if e.action == "alarm.confirm"}

    async def may_end(self, alarm: Alarm, actor: Resident) -> bool:
        return alarm.caller_id == actor.id or await self._store.residents.has_role(
            actor.id, "officer", alarm.commune_id)

    async def escalations_due(self) -> list[tuple[Alarm, Tally]]:
        """Alarms whose answer time is over with too few coming; each is returned once."""
        now = iso(self._clock.now())
        due = []
        for alarm in await self._store.alarms.due_for_escalation(now):
            tally = await self.tally(alarm.id)
            escalate = len(tally.coming) < self._config.min_responders
            async with self._store.db.transaction() as tx:
                await self._store.alarms.mark_escalation_checked(
                    tx, alarm.id, now if escalate else None)
            if escalate:
                due.append((alarm, tally))
        return due

    async def expire_due(self) -> list[Alarm]:
        """End the alarms past their expiry; each is returned once, as it now is."""
        now = iso(self._clock.now())
        expired = []
        for alarm in await self._store.alarms.due_to_expire(now):
            async with self._store.db.transaction() as tx:
                ended = await self._store.alarms.end(tx, alarm.id, "expired", now, None)
            if ended and (after := await self._store.alarms.get(alarm.id)) is not None:
                expired.append(after)
        return expired

    async def recipients(self, alarm: Alarm) -> list[AlarmRecipient]:
        return await self._store.alarms.recipients(alarm.id)

    async def _audience(self, scope: Scope) -> list[int]:
        alarms = self._store.alarms
        if scope.kind == "team":
            return await alarms.audience_of_team(scope.id)
        if scope.kind == "hamlet":
            return await alarms.audience_of_hamlet(scope.id)
        return await alarms.audience_of_commune(scope.id)
