"""Reports (báo tin): triage by officers, teams, relays, escalation; filing (the rate limit,
the report itself, additions) is ReportFiling, in bot/services/report_filing.py, which this
class extends. The values it takes and returns are in bot/services/report_values.py."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import ReportsConfig
from bot.models import (
    Member,
    Report,
    ReportPhoto,
    Resident,
    Team,
    open_states,
)
from bot.services.categories import Categories
from bot.services.report_filing import ReportFiling
from bot.services.report_values import (
    REASON_LIMIT,
    TRANSITIONS,
    Acted,
    Action,
    Linked,
    Outcome,
    iso,
)
from bot.store import Store
from bot.store.reports import ReportQuery
from bot.text import clean


class ReportService(ReportFiling):
    def __init__(
        self, store: Store, config: ReportsConfig, clock: Clock, categories: Categories
    ) -> None:
        self._store = store
        self._config = config
        self._clock = clock
        self.categories = categories

    async def is_officer(self, actor: Resident, report: Report) -> bool:
        if report.commune_id is None:
            return False
        return await self._store.residents.has_role(actor.id, "officer", report.commune_id)

    @staticmethod
    def fits(report: Report, action: Action) -> bool:
        """Whether `action` may start from the report's current state (an outcome: once, on
        a resolved report)."""
        if action is Action.OUTCOME:
            return report.state == "resolved" and not report.state_note
        return report.state in TRANSITIONS[action][1]

    async def act(
        self, actor: Resident, report_id: int, action: Action, team_id: int | None = None,
        note: str | None = None, origin: str | None = None,
    ) -> Acted:
        """An officer of the report's commune changes its state (checked in the database);
        `note` is why (a rejection's reason), kept with the state and told to the reporter;
        `origin` where it was done when not in chat ("web"), kept in the audit."""
        report = await self._store.reports.get(report_id)
        if report is None:
            return Acted(Outcome.NOT_FOUND)
        if not await self.is_officer(actor, report):
            return Acted(Outcome.NOT_ALLOWED, report)
        if not self.fits(report, action):
            return Acted(Outcome.WRONG_STATE, report)
        team = None
        if action is Action.ASSIGN:
            team = await self._store.areas.team(team_id or 0)
            if team is None or team.commune_id != report.commune_id:
                return Acted(Outcome.NOT_FOUND, report)
        return await self._change(actor, "officer", report, action, team,
                                  clean(note)[:REASON_LIMIT] or None, origin)

    async def note_outcome(self, actor: Resident, report_id: int, note: str,
                           origin: str | None = None) -> Acted:
        """An officer of the report's commune says what came of it, once it is resolved
        (kept as its note, audited with `origin` when not in chat); a second outcome, or one
        for a report not resolved, changes nothing."""
        report = await self._store.reports.get(report_id)
        if report is None:
            return Acted(Outcome.NOT_FOUND)
        if not await self.is_officer(actor, report):
            return Acted(Outcome.NOT_ALLOWED, report)
        note = clean(note)[:REASON_LIMIT]
        if not note or not self.fits(report, Action.OUTCOME):
            return Acted(Outcome.WRONG_STATE, report)
        async with self._store.db.transaction() as tx:
            if not await self._store.reports.set_outcome(tx, report.id, note,
                                                         iso(self._clock.now())):
                return Acted(Outcome.WRONG_STATE, report)
            await self._audit(tx, actor, "officer", report, Action.OUTCOME, None, note, origin)
        fresh = await self._get(report.id)
        return Acted(Outcome.DONE, fresh, await self._reporter(fresh), action=Action.OUTCOME)

    async def commended(self, report_id: int) -> bool:
        return any(e.action == "report.commend"
                   for e in await self._store.audit.entries("report", report_id))

    async def commend(self, actor: Resident, report_id: int,
                      origin: str | None = None) -> Acted:
        """An officer of the report's commune thanks its reporter, once, when it is resolved
        and still has a reporter (audited, without who the reporter is; with `origin` when
        not in chat)."""
        report = await self._store.reports.get(report_id)
        if report is None or report.reporter_id is None:
            return Acted(Outcome.NOT_FOUND, report)
        if not await self.is_officer(actor, report):
            return Acted(Outcome.NOT_ALLOWED, report)
        if report.state != "resolved":
            return Acted(Outcome.WRONG_STATE, report)
        async with self._store.db.transaction() as tx:  # one at a time: checked inside
            if await self.commended(report.id):
                return Acted(Outcome.ALREADY, report)
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="officer", action="report.commend",
                subject_type="report", subject_id=report.id, **({"origin": origin} if origin
                                                                 else {}))
        return Acted(Outcome.DONE, report, await self._reporter(report))

    async def leader_update(self, actor: Resident, report_id: int, action: Action) -> Acted:
        """The assigned team's leader reports back: arrived, or resolved."""
        report = await self._store.reports.get(report_id)
        if report is None or report.team_id is None:
            return Acted(Outcome.NOT_FOUND, report)
        team = await self._store.areas.team(report.team_id)
        if team is None or not await self.is_assigned_leader(actor, report):
            return Acted(Outcome.NOT_ALLOWED, report)
        if report.state != "assigned":
            return Acted(Outcome.WRONG_STATE, report)
        if action is Action.ARRIVED:
            now = iso(self._clock.now())
            async with self._store.db.transaction() as tx:
                # Once per assignment: a repeated "Đã đến" (or two at once) changes nothing.
                if not await self._store.reports.mark_arrived(tx, report.id, now):
                    return Acted(Outcome.ALREADY, report, None, team)
                await self._store.reports.add_message(
                    tx, report.id, "leader", actor.id, "arrived", None, now)
                await self._audit(tx, actor, "leader", report, action, team)
            return Acted(Outcome.DONE, report, await self._reporter(report), team)
        return await self._change(actor, "leader", report, Action.RESOLVE, team)

    async def _change(
        self, actor: Resident, label: str, report: Report, action: Action, team: Team | None,
        note: str | None = None, origin: str | None = None,
    ) -> Acted:
        state, allowed = TRANSITIONS[action]
        async with self._store.db.transaction() as tx:
            changed = await self._store.reports.change_state(
                tx, report.id, state, allowed, iso(self._clock.now()), note=note,
                team_id=team.id if team else None,
            )
            if changed:
                if action is Action.ASSIGN:
                    await self._store.reports.clear_arrival(tx, report.id)
                await self._audit(tx, actor, label, report, action, team, note, origin)
        if not changed:
            return Acted(Outcome.WRONG_STATE, report)
        fresh = await self._get(report.id)
        leader = await self._store.memberships.leader(team.id) if team else None
        return Acted(Outcome.DONE, fresh, await self._reporter(fresh), team, leader, action)

    async def _audit(
        self, tx: Any, actor: Resident, label: str, report: Report, action: Action,
        team: Team | None, note: str | None = None, origin: str | None = None,
    ) -> None:
        extra: dict[str, object] = {"team_id": team.id} if team else {}
        if note:
            extra["reason"] = note
        if origin:
            extra["origin"] = origin
        await self._store.audit.record(
            tx, actor_id=actor.id, actor_label=label, action=f"report.{action.value}",
            subject_type="report", subject_id=report.id, **extra,
        )

    async def open_in(self, actor: Resident, commune_id: int) -> list[Report] | None:
        """The commune's reports still open (submitted, accepted, assigned), oldest first;
        None unless `actor` is an officer of that commune (checked in the database)."""
        if not await self._store.residents.has_role(actor.id, "officer", commune_id):
            return None
        query = ReportQuery(commune_id=commune_id, states=open_states())
        return [report for report, _ in await self._store.reports.query(query)]

    async def teams_for(self, report: Report) -> list[Team]:
        """The teams of the incident's hamlet; for a named report whose place names no hamlet,
        of the reporter's hamlet; else (or when that hamlet has none) all the commune's. An
        anonymous report's list never narrows to where its reporter lives."""
        if report.commune_id is None:
            return []
        teams = await self._store.areas.teams(report.commune_id)
        hamlet_id = report.hamlet_id
        if hamlet_id is None and not report.anonymous:
            reporter = await self._reporter(report)
            hamlet_id = reporter.hamlet_id if reporter is not None else None
        own = [t for t in teams if t.hamlet_id == hamlet_id and t.hamlet_id is not None]
        return own or teams

    async def is_assigned_leader(self, actor: Resident, report: Report) -> bool:
        """Whether `actor` leads the team the report is assigned to (checked in the database)."""
        if report.team_id is None:
            return False
        membership = await self._store.memberships.get(report.team_id, actor.id)
        return membership is not None and membership.role == "leader"

    async def assigned_leader(self, report: Report) -> tuple[Team, Member | None] | None:
        """The assigned team and its leader (None when the report is not with a team)."""
        team = await self._store.areas.team(report.team_id) if report.team_id else None
        if team is None:
            return None
        return team, await self._store.memberships.leader(team.id)

    # --- relays --------------------------------------------------------------------------

    async def link(
        self, report_id: int, messages: list[tuple[int, int]], party: str = "reporter"
    ) -> None:
        """Link bot messages to the report; a reply to them is for `party`."""
        async with self._store.db.transaction() as tx:
            await self._store.reports.link(tx, report_id, messages, party)

    async def posted_to_staff(self, report_id: int, chat_id: int, message_id: int) -> None:
        """Record the staff group's message (notification state) and link it for replies."""
        async with self._store.db.transaction() as tx:
            await self._store.reports.set_staff_message(tx, report_id, chat_id, message_id)
            await self._store.reports.link(
                tx, report_id, [(chat_id, message_id)])

    async def by_message(
        self, chat_id: int, message_id: int, text: str | None = None
    ) -> Linked | None:
        """The report a bot message is about, and whom a reply to it is for. `text` (the
        message's own text) is the fallback when the link is not recorded yet — a reply can
        arrive while the message is being recorded: the tracking code in it names the report,
        if the report belongs to this chat (its commune's staff group, its reporter's or its
        team leader's private chat)."""
        linked = await self._store.reports.by_message(chat_id, message_id)
        if linked is not None:
            return Linked(*linked)
        match = re.search(r"\bTB-(\d{1,9})\b", text or "")
        found = await self._store.reports.get(int(match[1])) if match else None
        if found is None:
            return None
        if chat_id < 0:  # a group: the commune's staff group only
            commune = await self._store.areas.commune_by_staff_chat(chat_id)
            ours = commune is not None and found.commune_id == commune.id
            return Linked(found, "reporter") if ours else None
        person = await self._store.residents.by_telegram_id(chat_id)
        if person is None:
            return None
        if found.reporter_id == person.id:
            return Linked(found, "reporter")
        return Linked(found, "leader") if await self.is_assigned_leader(person, found) else None

    # --- escalation ----------------------------------------------------------------------

    async def take_due_escalations(self) -> list[Report]:
        """Reports past their deadline, each moved one escalation level up (recorded first,
        so a restart never sends the same alert twice). Level 1: raise in the group;
        level 2: tell each officer privately."""
        now = self._clock.now()
        taken = []
        for report in await self._store.reports.due_escalations(iso(now)):
            level = report.escalation_level + 1
            minutes = self._config.escalate_minutes(report.urgency)
            next_at = iso(now + timedelta(minutes=minutes)) if level < 2 else None
            async with self._store.db.transaction() as tx:
                if not await self._store.reports.set_escalation(tx, report.id, level, next_at):
                    continue
            taken.append(await self._get(report.id))
        return taken

    def minutes_waiting(self, report: Report) -> int:
        created = datetime.fromisoformat(report.created_at)
        return int((self._clock.now() - created).total_seconds() // 60)

    async def officers(self, report: Report) -> list[Resident]:
        if report.commune_id is None:
            return []
        return await self._store.residents.officers(report.commune_id)

    # --- helpers -------------------------------------------------------------------------

    async def get(self, report_id: int) -> Report | None:
        return await self._store.reports.get(report_id)

    async def photos(self, report: Report) -> list[ReportPhoto]:
        return await self._store.reports.photos(report.id)

    async def remember_file_ids(
        self, report_id: int, photos: Sequence[ReportPhoto], voice_file_id: str | None
    ) -> None:
        """Cache the channel's ids for media it was sent from the media store (Telegram's
        file ids: next time they are sent without uploading)."""
        if not photos and voice_file_id is None:
            return
        async with self._store.db.transaction() as tx:
            for photo in photos:
                await self._store.reports.cache_photo(tx, report_id, photo)
            if voice_file_id is not None:
                await self._store.reports.cache_voice(tx, report_id, voice_file_id)

    async def _reporter(self, report: Report) -> Resident | None:
        if report.reporter_id is None:
            return None
        return await self._store.residents.get(report.reporter_id)
