"""The end of /baotin: anonymous or named, the summary with "Gửi" / "Hủy", filing and posting
the report; cancelling, timing out and stale buttons — and what every step of the flow
shares: the draft's key, the steps, and the ways to reply (handlers/report.py has the rest)."""

from __future__ import annotations

import enum
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import replies
from bot.context import AppContext
from bot.replies import Markup
from bot.services.report_values import Draft, Outcome
from handlers import report_photos, triage
from handlers.common import (
    Caller,
    answer,
    caller,
    display_name,
    draft_of,
    esc,
    pressed,
    reask,
    refuse,
    tr,
    user_data,
)
from handlers.report_choices import confirm_buttons, identity_buttons

DRAFT = "report"


class Step(enum.IntEnum):
    CATEGORY = 1
    DESCRIPTION = 2
    LOCATION = 3
    PHOTOS = 4
    IDENTITY = 5
    CONFIRM = 6


async def ask_identity(update: Update, context: AppContext, who: Caller) -> int:
    """Asks "Ẩn danh" or "Gửi kèm tên" (the step after the photos)."""
    await answer(update, context, who.lang, "report.ask_identity",
                 identity_buttons(context, who.lang), edit=False)
    return Step.IDENTITY


async def identity_chosen(update: Update, context: AppContext) -> int:
    """Stores anonymous or named; shows the summary with "Gửi" and "Hủy"."""
    who = await caller(update, context)
    draft = draft_of(context, DRAFT)
    draft["anonymous"] = pressed(update)[-1] == "anon"
    categories = context.services.reports.categories
    identity = (tr(context, who.lang, "report.identity_anonymous") if draft["anonymous"] else
                tr(context, who.lang, "report.identity_named",
                   name=esc(who.resident.display_name or display_name(update))))
    await answer(update, context, who.lang, "report.summary", confirm_buttons(context, who.lang),
                 category=esc(categories.name(str(draft.get("category")), who.lang)),
                 description=esc(draft.get("description", "")),
                 place=_place(context, who.lang, draft), photos=len(draft.get("photos", [])),
                 identity=identity)
    return Step.CONFIRM


async def identity_other(update: Update, context: AppContext) -> int:
    """Anything but a press while "Ẩn danh" / "Gửi kèm tên" is asked: asks again with them
    (the rest of an album past the limit: says how many photos were kept)."""
    who = await caller(update, context)
    if not await _album_overflow(update, context, who):
        await reask(update, context, who.lang, None, identity_buttons(context, who.lang))
    return Step.IDENTITY


async def confirm_other(update: Update, context: AppContext) -> int:
    """Anything but a press while "Gửi" / "Hủy" is asked: asks again with them."""
    who = await caller(update, context)
    if not await _album_overflow(update, context, who):
        await reask(update, context, who.lang, None, confirm_buttons(context, who.lang))
    return Step.CONFIRM


async def _album_overflow(update: Update, context: AppContext, who: Caller) -> bool:
    """A photo once the photo step is over, with the draft at the limit (the rest of an album):
    the resident is told how many were kept. False for anything else."""
    message = update.effective_message
    draft = draft_of(context, DRAFT)
    if message is None or not message.photo or report_photos.count(draft) < (
            context.services.config.reports.max_photos):
        return False
    await report_photos.over_limit(update, context, who, draft)
    return True


async def send(update: Update, context: AppContext) -> int:
    """Stores the report (before answering), answers with the code, then tells the officers.
    A repeated "Gửi" is answered with the code of the report already filed."""
    who = await caller(update, context)
    data = user_data(context).get(DRAFT)
    if not data:  # a press of the same "Gửi" already filed it and dropped the draft
        await stale_press(update, context)
        return ConversationHandler.END
    filed = await context.services.reports.file(who.resident, Draft.from_data(data))
    user_data(context).pop(DRAFT, None)
    if filed.outcome is Outcome.ALREADY and filed.report is not None:
        await refuse(update, context, who.lang, "report.already_sent", code=filed.report.code)
        return ConversationHandler.END
    if filed.outcome is Outcome.RATE_LIMITED:
        await refuse_rate(update, context, who)
        return ConversationHandler.END
    if filed.report is None:
        await answer(update, context, who.lang, "report.no_commune")
        return ConversationHandler.END
    await answer(update, context, who.lang, "report.sent", code=filed.report.code)
    await triage.post_report(context.bot, context.services, filed.report, filed.duplicate)
    return ConversationHandler.END


async def cancel(update: Update, context: AppContext) -> int:
    """"Hủy": drops the draft."""
    who = await caller(update, context)
    user_data(context).pop(DRAFT, None)
    await close_press(update, context)
    await say(update, context, tr(context, who.lang, "report.cancelled"),
                replies.REMOVE_KEYBOARD)
    return ConversationHandler.END


async def timed_out(update: Update, context: AppContext) -> None:
    """The conversation was left alone too long: the draft is dropped, the resident told."""
    user_data(context).pop(DRAFT, None)
    if update.effective_user is not None and update.effective_chat is not None:
        who = await caller(update, context)
        await say(update, context, tr(context, who.lang, "report.timed_out"),
                    replies.REMOVE_KEYBOARD)


async def stale_press(update: Update, context: AppContext) -> None:
    """A report button pressed after its conversation ended (sent, cancelled, timed out)."""
    who = await caller(update, context)
    query = update.callback_query
    assert query is not None
    await replies.answer_press(context.bot, query.id, tr(context, who.lang, "errors.stale_button"),
                               alert=True)


async def refuse_rate(update: Update, context: AppContext, who: Caller) -> None:
    """The resident filed [reports] max_per_hour reports in the last hour."""
    limit = context.services.config.reports.max_per_hour
    await answer(update, context, who.lang, "report.rate_limited", max=limit)


async def say(update: Update, context: AppContext, text: str, markup: Markup) -> None:
    """A new message in the update's chat (with a reply keyboard, or taking one away)."""
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, text, markup)


async def close_press(update: Update, context: AppContext) -> None:
    """Answer a press and take the buttons off its message, so it cannot be pressed twice."""
    query = update.callback_query
    if query is not None:
        await replies.answer_press(context.bot, query.id)
        if query.message is not None:
            await replies.edit_markup(context.bot, query.message.chat.id,
                                      query.message.message_id, None)


def _place(context: AppContext, lang: str, draft: dict[str, Any]) -> str:
    if draft.get("lat") is not None:
        return f"{tr(context, lang, 'report.map_point')} ({draft['lat']:.5f}, {draft['long']:.5f})"
    if draft.get("address"):
        return esc(draft["address"])
    return tr(context, lang, "report.no_place")
