"""/tindabao (/myreports): my reports with state and last update; adding to an open one."""

from __future__ import annotations

import enum
from datetime import datetime

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.context import AppContext
from bot.models import ReportPhoto, tracking_code
from bot.replies import inline_keyboard
from bot.services.relays import Notice
from bot.services.report_values import Outcome
from handlers import relays
from handlers.common import (
    answer,
    caller,
    esc,
    keep_media,
    pressed_ids,
    refuse,
    stale,
    tr,
    typed,
    user_data,
)
from handlers.flows import Flow, conversation

ADDING = "report_adding"
MAX_LISTED = 10


class Step(enum.IntEnum):
    ADDING = 1


async def my_reports(update: Update, context: AppContext) -> int:
    """Lists the resident's reports; open ones get a "Bổ sung" button."""
    who = await caller(update, context)
    services = context.services
    if not who.resident.has_consented:
        await answer(update, context, who.lang, "consent.required")
        return ConversationHandler.END
    reports = (await services.reports.mine(who.resident))[:MAX_LISTED]
    if not reports:
        await answer(update, context, who.lang, "report.mine.none")
        return ConversationHandler.END
    tz = services.config.locale.tz
    lines = [tr(context, who.lang, "report.mine.header")]
    for report in reports:
        updated = datetime.fromisoformat(report.updated_at).astimezone(tz)
        lines.append(tr(context, who.lang, "report.mine.item", code=report.code,
                        category=esc(services.reports.categories.name(report.category, who.lang)),
                        state=tr(context, who.lang, f"report.mine.state_{report.state}"),
                        updated=updated.strftime("%H:%M %d/%m/%Y")))
    rows = [[(tr(context, who.lang, "report.mine.add", code=r.code), f"mr:add:{r.id}")]
            for r in reports if r.is_open]
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, "\n\n".join(lines),
                            inline_keyboard(rows) if rows else None)
    return ConversationHandler.END


async def add_pressed(update: Update, context: AppContext) -> int:
    """"Bổ sung": remembers which report; asks for text or a photo."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return ConversationHandler.END
    who = await caller(update, context)
    report = await context.services.reports.get(ids[0])
    if report is None or report.reporter_id != who.resident.id or not report.is_open:
        await refuse(update, context, who.lang, "report.mine.closed")
        return ConversationHandler.END
    user_data(context)[ADDING] = report.id
    await answer(update, context, who.lang, "report.mine.ask_addition", edit=False,
                 code=report.code)
    if update.callback_query is not None:
        await replies.answer_press(context.bot, update.callback_query.id)
    return Step.ADDING


async def addition_sent(update: Update, context: AppContext) -> int:
    """Stores the text or photo (the photo in the media store) on the report and passes it to
    the officers (the resident is told once it reached them)."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None
    text = typed(update) or None
    if text is None and not message.photo:  # only spaces or invisible characters
        await answer(update, context, who.lang, "errors.blank_text")
        return Step.ADDING
    photo = None
    if message.photo:
        stored = await keep_media(update, context, who.lang, "photo")
        if stored is None:  # the resident was told; they may send it again
            return Step.ADDING
        largest = message.photo[-1]
        photo = ReportPhoto(largest.file_id, largest.file_unique_id, stored.key)
    report_id = int(user_data(context).pop(ADDING, 0))
    added = await context.services.reports.add_info(who.resident, report_id, text, photo)
    if added.outcome is Outcome.PHOTO_LIMIT:  # text is still welcome: the step stays
        assert photo is not None and photo.media_key is not None
        await context.services.media.discard([photo.media_key])  # not kept after all
        user_data(context)[ADDING] = report_id
        await answer(update, context, who.lang, "report.mine.photo_limit",
                     code=tracking_code(report_id),
                     max=context.services.config.reports.max_photos)
        return Step.ADDING
    report = added.report
    if report is None:
        await answer(update, context, who.lang, "report.mine.closed")
        return ConversationHandler.END
    chat = update.effective_chat
    assert chat is not None
    code = tracking_code(report_id)  # told once it reached the officers, or could not
    notice = Notice(chat.id, message.message_id,
                    tr(context, who.lang, "report.mine.added", code=code),
                    tr(context, who.lang, "report.mine.add_failed", code=code))
    await relays.relay_to_staff(context.services, report, who.resident, text,
                                photo.file_id if photo else None, notice)
    return ConversationHandler.END


async def addition_other(update: Update, context: AppContext) -> int:
    """Anything but text or a photo: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.mine.addition_expected")
    return Step.ADDING


def build_conversation() -> Flow:
    """/tindabao and its "Bổ sung" step, persistent like every conversation."""
    return conversation(
        "myreports",
        entry_points=[
            CommandHandler(["tindabao", "myreports"], my_reports,
                           filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(add_pressed, pattern=r"^mr:add:\d+$"),
        ],
        states={Step.ADDING: [
            MessageHandler((filters.TEXT | filters.PHOTO) & ~filters.COMMAND, addition_sent),
            MessageHandler(~filters.COMMAND, addition_other),
        ]},
        fallbacks=[],
        timeout_minutes=60,
        drafts=[ADDING],
        label="flows.addition",
    )
