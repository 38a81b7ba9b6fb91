"""What happened, for whoever must act on it: a channel's adapter registers a listener, a flow
announces the event, and neither knows the other (the report's staff card is Telegram's today,
the web console's tomorrow)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.models import Account, Alarm, Report

if TYPE_CHECKING:
    from bot.dialog import Turn
    from bot.services.report_values import ReportChange

log = logging.getLogger(__name__)

ReportFiled = Callable[[Report, Report | None], Awaitable[None]]
ReportChanged = Callable[["ReportChange"], Awaitable[None]]
JoinRequested = Callable[["Turn", str], Awaitable[None]]
AlarmChanged = Callable[[Alarm], Awaitable[None]]
PersonForgotten = Callable[[Sequence[Account]], Awaitable[None]]


@dataclass
class Events:
    report_filed_listeners: list[ReportFiled] = field(default_factory=list)
    report_changed_listeners: list[ReportChanged] = field(default_factory=list)
    join_requested_listeners: list[JoinRequested] = field(default_factory=list)
    alarm_answered_listeners: list[AlarmChanged] = field(default_factory=list)
    alarm_ended_listeners: list[AlarmChanged] = field(default_factory=list)
    person_forgotten_listeners: list[PersonForgotten] = field(default_factory=list)

    async def report_filed(self, report: Report, duplicate: Report | None) -> None:
        """A report was filed (`duplicate`: an open report it probably repeats)."""
        for listener in self.report_filed_listeners:
            try:
                await listener(report, duplicate)
            except Exception:
                log.exception("a listener failed on report %s", report.code)

    async def report_changed(self, change: ReportChange) -> None:
        """An officer (or the assigned team's leader) changed a report's state; the reporter
        and the officers on channels without in-place edits are told already."""
        for listener in self.report_changed_listeners:
            try:
                await listener(change)
            except Exception:
                log.exception("a listener failed on a change of report %s", change.report.code)

    async def join_requested(self, turn: Turn, code: str) -> None:
        """The person in `turn` asks to join the team with this code (its answers go to
        them through the turn)."""
        for listener in self.join_requested_listeners:
            await listener(turn, code)

    async def alarm_answered(self, alarm: Alarm) -> None:
        """A member answered the gong (the caller's live count changes)."""
        for listener in self.alarm_answered_listeners:
            await listener(alarm)

    async def alarm_ended(self, alarm: Alarm) -> None:
        """The gong was ended with "Đã an toàn"."""
        for listener in self.alarm_ended_listeners:
            await listener(alarm)
    async def person_forgotten(self, accounts: Sequence[Account]) -> None:
        """A person's data was deleted; these were their accounts. What a channel still
        keeps for them outside the database's tables (a PTB flow in memory) must go too."""
        for listener in self.person_forgotten_listeners:
            try:
                await listener(accounts)
            except Exception:
                log.exception("a listener failed on a deletion")
