"""/tinmo (/openreports): the reports of the officer's commune still waiting for an end; and
/tin CODE (/lookup): one report of the officer's communes, open or closed.

The staff group holds every card, but after a busy day the oldest unhandled ones have scrolled
far up. This list gives them back, oldest first: code (a link to its card in the group),
category, urgency, hamlet, state and how long it has been open.
"""

from __future__ import annotations

import re
from datetime import datetime

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import replies
from bot.context import AppContext
from bot.models import Report
from bot.replies import inline_keyboard
from handlers import triage
from handlers.common import acting_communes, answer, caller, clip, esc, refuse, tr

MAX_LISTED = 30


async def show(update: Update, context: AppContext) -> None:
    """Officers only: the open reports of their commune, oldest first."""
    who = await caller(update, context)
    services = context.services
    communes = await acting_communes(update, context, who)  # in the staff group: its commune
    reports = await services.reports.open_in(who.resident, communes[0].id) if communes else None
    if reports is None:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    if not reports:
        await answer(update, context, who.lang, "report.open.none", commune=esc(communes[0].name))
        return
    lines = [await _line(context, who.lang, report) for report in reports[:MAX_LISTED]]
    more = len(reports) - MAX_LISTED
    if more > 0:
        lines.append(tr(context, who.lang, "report.open.more", count=more))
    await answer(update, context, who.lang, "report.open.list", commune=esc(communes[0].name),
                 count=len(reports), lines="\n".join(lines))


async def _line(context: AppContext, lang: str, report: Report) -> str:
    services = context.services
    hamlet = await services.store.areas.hamlet(report.hamlet_id) if report.hamlet_id else None
    link = card_link(report.staff_chat_id, report.staff_message_id)
    code = f'<a href="{link}">{report.code}</a>' if link else f"<b>{report.code}</b>"
    minutes = int((services.clock.now() - datetime.fromisoformat(report.created_at))
                  .total_seconds() // 60)
    return tr(context, lang, "report.open.line", code=code,
              category=esc(services.reports.categories.name(report.category, lang)),
              urgency=tr(context, lang, f"report.staff.urgency_{report.urgency}"),
              hamlet=esc(hamlet.name) if hamlet else "—",
              state=tr(context, lang, f"report.mine.state_{report.state}"),
              age=_age(context, lang, minutes))


def card_link(chat_id: int | None, message_id: int | None) -> str | None:
    """A t.me link to a message in a supergroup (ids -100…); None for other chats."""
    if chat_id is None or message_id is None or not str(chat_id).startswith("-100"):
        return None
    return f"https://t.me/c/{str(chat_id)[4:]}/{message_id}"


def _age(context: AppContext, lang: str, minutes: int) -> str:
    if minutes < 60:
        return tr(context, lang, "report.open.minutes", n=max(minutes, 0))
    if minutes < 48 * 60:
        return tr(context, lang, "report.open.hours", n=minutes // 60)
    return tr(context, lang, "report.open.days", n=minutes // (24 * 60))


async def lookup(update: Update, context: AppContext) -> None:
    """/tin CODE: the report's card with its state and the buttons that state allows; only a
    report of a commune the officer serves (checked in the database), else "not found"."""
    who = await caller(update, context)
    services = context.services
    communes = await acting_communes(update, context, who)
    if not communes:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    typed = " ".join(context.args or [])
    number = re.search(r"\d{1,9}", typed)
    if number is None:
        await answer(update, context, who.lang, "report.lookup.usage")
        return
    report = await services.reports.get(int(number[0]))
    if report is None or report.commune_id not in {c.id for c in communes}:
        await answer(update, context, who.lang, "report.lookup.not_found",
                     code=esc(clip(typed, 20)))
        return
    lang = services.i18n.default
    status = tr(context, lang, "report.lookup.status",
                state=tr(context, lang, f"report.mine.state_{report.state}"))
    if report.state_note:
        status += "\n" + tr(context, lang, "report.staff.reason", reason=esc(report.state_note))
    buttons = triage.card_buttons(services, report)
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, await triage.card_text(services, report, status),
                            inline_keyboard(buttons) if buttons else None)


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [CommandHandler(["tinmo", "openreports"], show),
            CommandHandler(["tin", "lookup"], lookup)]
