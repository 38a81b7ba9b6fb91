"""Escalation: a report not accepted in time is raised in the staff group, then sent to each
officer of its commune privately. Deadlines are rows, so a restart loses nothing."""

from __future__ import annotations

from telegram import Bot

from bot.context import AnninhApp, AppContext, Services
from handlers.common import esc
from handlers.triage import card_buttons, card_text, group_note, markup_of, t, to_officers


async def run_escalations(bot: Bot, services: Services) -> int:
    """Raise reports not accepted in time: first in the group, then to each officer."""
    lang = services.i18n.default
    taken = await services.reports.take_due_escalations()
    for report in taken:
        minutes = services.reports.minutes_waiting(report)
        if report.escalation_level == 1 and report.staff_chat_id is not None:
            await group_note(services, report, t(services, lang, "report.staff.escalated",
                                                  code=report.code, minutes=minutes), "reporter")
            continue
        category = services.reports.categories.name(report.category, lang)
        head = t(services, lang, "report.staff.escalated_private", code=report.code,
                 category=esc(category), minutes=minutes)
        status = t(services, lang, "report.staff.status_submitted")
        text = f"{head}\n\n{await card_text(services, report, status)}"
        await to_officers(bot, services, report, text, markup_of(card_buttons(services, report)))
    return len(taken)


async def escalation_job(context: AppContext) -> None:
    """The repeating JobQueue job; deadlines live in the database, so restarts lose nothing."""
    await run_escalations(context.bot, context.services)


def schedule(app: AnninhApp) -> None:
    """The repeating escalation check (deadlines are rows, so nothing is lost on restart)."""
    assert app.job_queue is not None
    seconds = app.bot_data["config"].reports.escalation_check_seconds
    app.job_queue.run_repeating(escalation_job, interval=seconds, first=seconds,
                                name="report-escalation")
