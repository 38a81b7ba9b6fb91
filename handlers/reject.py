""""Từ chối" on a report's card: the officer gives a reason, which the reporter is told.

The press turns the card's buttons into a few reasons and "Lý do khác" (typed: the bot asks
for it as a reply, so it reaches the bot in the staff group too), with "Quay lại". The role
and the report's state are read from the database at every step.
"""

from __future__ import annotations

import enum

from telegram import Update
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler, filters

from bot import replies
from bot.context import AppContext, Services
from bot.models import Report
from bot.replies import Buttons, inline_keyboard
from bot.services.report_values import REJECT_REASONS, Action
from handlers import triage
from handlers.common import (
    caller,
    display_name,
    esc,
    pressed,
    pressed_ids,
    refuse,
    stale,
    typed,
    user_data,
)
from handlers.flows import Flow, conversation

DRAFT = "reject"
FORCE_REPLY = {"force_reply": True, "selective": True}


class Step(enum.IntEnum):
    REASON = 1


def reason_buttons(services: Services, report: Report) -> Buttons:
    lang = services.i18n.default
    rows = [[(services.i18n.t(lang, f"report.staff.reason_{key}"), f"tr:rjr:{report.id}:{key}")]
            for key in REJECT_REASONS]
    rows.append([(services.i18n.t(lang, "report.staff.reason_other"), f"tr:rjo:{report.id}"),
                 (services.i18n.t(lang, "report.staff.back"), f"tr:back:{report.id}")])
    return rows


async def _report_to_reject(update: Update, context: AppContext) -> Report | None:
    """The pressed report, when the presser may reject it now; None once the press is
    answered (stale, not allowed, or a state it cannot be rejected from)."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return None
    who = await caller(update, context)
    services = context.services
    report = await services.reports.get(ids[0])
    if report is None or not await services.reports.is_officer(who.resident, report):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return None
    if not services.reports.fits(report, Action.REJECT):
        await refuse(update, context, who.lang, "report.staff.wrong_state")
        return None
    return report


async def ask_reason(update: Update, context: AppContext) -> None:
    """"Từ chối": the card offers the reasons (nothing changes yet)."""
    report = await _report_to_reject(update, context)
    if report is None:
        return
    await triage.edit_pressed_markup(
        update, context, inline_keyboard(reason_buttons(context.services, report)))


async def reason_pressed(update: Update, context: AppContext) -> None:
    """A reason chosen: the report is rejected with it; the card and the reporter are told."""
    key = pressed(update)[-1]
    if key not in REJECT_REASONS:
        await stale(update, context)
        return
    report = await _report_to_reject(update, context)
    if report is None:
        return
    services = context.services
    reason = services.i18n.t(services.i18n.default, f"report.staff.reason_{key}")
    await _reject(update, context, report.id, reason)


async def other_pressed(update: Update, context: AppContext) -> int:
    """"Lý do khác": asks the officer to type the reason, as a reply; waits for it."""
    report = await _report_to_reject(update, context)
    if report is None:
        return ConversationHandler.END
    query = update.callback_query
    assert query is not None and query.message is not None
    await replies.answer_press(context.bot, query.id)
    user_data(context)[DRAFT] = report.id
    services = context.services
    text = services.i18n.t(services.i18n.default, "report.staff.ask_reason",
                           name=esc(display_name(update)), code=report.code)
    await replies.send_text(context.bot, query.message.chat.id, text, FORCE_REPLY,
                            reply_to=query.message.message_id)
    return Step.REASON


async def reason_typed(update: Update, context: AppContext) -> int:
    """The typed reason: the report is rejected with it (asked again if nothing visible)."""
    reason = typed(update)
    if not reason:
        who = await caller(update, context)
        await refuse(update, context, who.lang, "errors.blank_text")
        return Step.REASON
    report_id = int(user_data(context).pop(DRAFT, 0))
    await _reject(update, context, report_id, reason)
    return ConversationHandler.END


async def _reject(update: Update, context: AppContext, report_id: int, reason: str) -> None:
    who = await caller(update, context)
    acted = await context.services.reports.act(who.resident, report_id, Action.REJECT,
                                               note=reason)
    if await triage.refused(update, context, who.lang, acted):
        return
    await triage.after_change(update, context, acted, display_name(update))


def build_handlers() -> list[CallbackQueryHandler[AppContext, None]]:
    return [
        CallbackQueryHandler(ask_reason, pattern=r"^tr:rej:\d+$"),
        CallbackQueryHandler(reason_pressed, pattern=r"^tr:rjr:\d+:[a-z]+$"),
    ]


def build_conversation() -> Flow:
    """"Lý do khác": one per (chat, officer), in the staff group or a private chat."""
    return conversation(
        "reject_reason",
        entry_points=[CallbackQueryHandler(other_pressed, pattern=r"^tr:rjo:\d+$")],
        states={Step.REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, reason_typed)]},
        fallbacks=[],
        timeout_minutes=15,
        drafts=[DRAFT],
        label=None,
    )
