"""/baotin (/report): category → what happened → where → photos → anonymous or named → send."""

from __future__ import annotations

import enum
from typing import Any

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
from bot.replies import Markup
from bot.services.categories import Category
from bot.services.reports import Draft, Outcome
from handlers import triage
from handlers.common import (
    Caller,
    answer,
    caller,
    display_name,
    draft_of,
    esc,
    pressed,
    reask,
    tr,
    user_data,
)
from handlers.flows import Flow, conversation
from handlers.report_choices import (
    category_buttons,
    confirm_buttons,
    identity_buttons,
    is_done_or_skip,
    is_skip,
    photo_buttons,
)

DRAFT = "report"
MAX_ADDRESS = 300


class Step(enum.IntEnum):
    CATEGORY = 1
    DESCRIPTION = 2
    LOCATION = 3
    PHOTOS = 4
    IDENTITY = 5
    CONFIRM = 6


async def start(update: Update, context: AppContext) -> int:
    """/baotin: checks consent, commune and the hourly limit; asks for the category."""
    who = await caller(update, context)
    reports = context.services.reports
    if not who.resident.has_consented:
        await answer(update, context, who.lang, "consent.required")
        return ConversationHandler.END
    if who.resident.commune_id is None:
        await answer(update, context, who.lang, "report.no_commune")
        return ConversationHandler.END
    if not await reports.may_report(who.resident):
        await _refuse_rate(update, context, who)
        return ConversationHandler.END
    user_data(context)[DRAFT] = {}
    await answer(update, context, who.lang, "report.ask_category",
                 category_buttons(context, who.lang))
    return Step.CATEGORY


async def category_pressed(update: Update, context: AppContext) -> int:
    """Stores the pressed category; asks what happened."""
    category = context.services.reports.categories.get(pressed(update)[-1])
    return await _category_chosen(update, context, category)


async def category_typed(update: Update, context: AppContext) -> int:
    """Matches a typed category name (accent-insensitive); asks again if unclear."""
    category = context.services.reports.categories.match(_text(update))
    return await _category_chosen(update, context, category)


async def _category_chosen(
    update: Update, context: AppContext, category: Category | None
) -> int:
    who = await caller(update, context)
    if category is None:
        await answer(update, context, who.lang, "report.press_category",
                     category_buttons(context, who.lang), edit=False)
        return Step.CATEGORY
    draft_of(context, DRAFT)["category"] = category.code
    emergency = (tr(context, who.lang, "report.emergency", number=esc(category.emergency))
                 if category.emergency else "")
    await answer(update, context, who.lang, "report.ask_description",
                 emergency=emergency, category=esc(category.name(who.lang)))
    return Step.DESCRIPTION


async def description_typed(update: Update, context: AppContext) -> int:
    """Stores the description (within the configured length); asks where."""
    who = await caller(update, context)
    text = _text(update)
    limit = context.services.config.reports.max_text_length
    if not text:
        await answer(update, context, who.lang, "report.text_expected")
        return Step.DESCRIPTION
    if len(text) > limit:
        await answer(update, context, who.lang, "report.too_long", length=len(text), limit=limit)
        return Step.DESCRIPTION
    draft_of(context, DRAFT)["description"] = text
    return await _ask_location(update, context, who)


async def description_voiced(update: Update, context: AppContext) -> int:
    """Keeps a voice note as the description; asks where."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None
    voice = message.voice or message.audio
    assert voice is not None
    draft = draft_of(context, DRAFT)
    draft["voice"] = voice.file_id
    draft["description"] = tr(context, who.lang, "report.voice_description")
    return await _ask_location(update, context, who)


async def description_other(update: Update, context: AppContext) -> int:
    """Anything but text or voice (a sticker, a file …): says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.text_expected")
    return Step.DESCRIPTION


async def _ask_location(update: Update, context: AppContext, who: Caller) -> int:
    await answer(update, context, who.lang, "report.ask_location",
                 [[(tr(context, who.lang, "report.skip"), "rp:loc:skip")]], edit=False)
    markup = replies.reply_keyboard(
        [[{"text": tr(context, who.lang, "report.share_location"), "request_location": True}],
         [{"text": tr(context, who.lang, "report.skip")}]])
    await _send(update, context, tr(context, who.lang, "report.location_keyboard"), markup)
    return Step.LOCATION


async def location_shared(update: Update, context: AppContext) -> int:
    """Stores a shared location unless it is far outside the commune; asks for photos."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None and message.location is not None
    lat, lon = message.location.latitude, message.location.longitude
    far = await context.services.reports.too_far_km(who.resident.commune_id, lat, lon)
    if far is not None:
        await answer(update, context, who.lang, "report.location_far", km=round(far))
        return Step.LOCATION
    draft_of(context, DRAFT).update(lat=lat, long=lon)
    place = tr(context, who.lang, "report.map_point")
    return await _ask_photos(update, context, who, place)


async def location_typed(update: Update, context: AppContext) -> int:
    """A typed address (or "Bỏ qua" typed or tapped); asks for photos."""
    who = await caller(update, context)
    text = _text(update)
    if is_skip(context, text):
        return await _ask_photos(update, context, who, tr(context, who.lang, "report.no_place"))
    if len(text) > MAX_ADDRESS:
        await answer(update, context, who.lang, "report.address_too_long", limit=MAX_ADDRESS)
        return Step.LOCATION
    draft_of(context, DRAFT)["address"] = text
    return await _ask_photos(update, context, who, esc(text))


async def location_skipped(update: Update, context: AppContext) -> int:
    """"Bỏ qua" pressed: no place; asks for photos."""
    who = await caller(update, context)
    await _close_press(update, context)
    return await _ask_photos(update, context, who, tr(context, who.lang, "report.no_place"))


async def location_other(update: Update, context: AppContext) -> int:
    """Anything else at the location step: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.location_expected")
    return Step.LOCATION


async def _ask_photos(update: Update, context: AppContext, who: Caller, place: str) -> int:
    await _send(update, context, tr(context, who.lang, "report.place_noted", place=place),
                replies.REMOVE_KEYBOARD)
    await answer(update, context, who.lang, "report.ask_photos", photo_buttons(context, who.lang),
                 edit=False, max=context.services.config.reports.max_photos)
    return Step.PHOTOS


async def photo_sent(update: Update, context: AppContext) -> int:
    """Keeps one photo (size-checked); after the last allowed one, asks anonymous or named."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None and message.photo
    config = context.services.config.reports
    largest = message.photo[-1]
    if (largest.file_size or 0) > config.max_photo_bytes:
        await answer(update, context, who.lang, "report.photo_too_large",
                     size=f"{(largest.file_size or 0) / 1e6:.1f}",
                     limit=f"{config.max_photo_bytes / 1e6:.0f}")
        return Step.PHOTOS
    photos: list[list[str]] = draft_of(context, DRAFT).setdefault("photos", [])
    photos.append([largest.file_id, largest.file_unique_id])
    if len(photos) >= config.max_photos:
        return await _ask_identity(update, context, who)
    await answer(update, context, who.lang, "report.photo_received",
                 [[(tr(context, who.lang, "report.done"), "rp:ph:done")]],
                 count=len(photos), max=config.max_photos)
    return Step.PHOTOS


async def photos_done(update: Update, context: AppContext) -> int:
    """"Xong" or "Bỏ qua" (pressed or typed): asks anonymous or named."""
    who = await caller(update, context)
    if update.callback_query is None and not is_done_or_skip(context, _text(update)):
        await answer(update, context, who.lang, "report.photo_expected",
                     photo_buttons(context, who.lang))
        return Step.PHOTOS
    await _close_press(update, context)
    return await _ask_identity(update, context, who)


async def photo_other(update: Update, context: AppContext) -> int:
    """Anything but a photo at the photo step: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.photo_expected",
                 photo_buttons(context, who.lang))
    return Step.PHOTOS


async def _ask_identity(update: Update, context: AppContext, who: Caller) -> int:
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
    """Anything but a press while "Ẩn danh" / "Gửi kèm tên" is asked: asks again with them."""
    who = await caller(update, context)
    await reask(update, context, who.lang, None, identity_buttons(context, who.lang))
    return Step.IDENTITY


async def confirm_other(update: Update, context: AppContext) -> int:
    """Anything but a press while "Gửi" / "Hủy" is asked: asks again with them."""
    who = await caller(update, context)
    await reask(update, context, who.lang, None, confirm_buttons(context, who.lang))
    return Step.CONFIRM


async def send(update: Update, context: AppContext) -> int:
    """Stores the report (before answering), answers with the code, then tells the officers."""
    who = await caller(update, context)
    draft = Draft.from_data(draft_of(context, DRAFT))
    filed = await context.services.reports.file(who.resident, draft)
    user_data(context).pop(DRAFT, None)
    if filed.outcome is Outcome.RATE_LIMITED:
        await _refuse_rate(update, context, who)
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
    await _close_press(update, context)
    await _send(update, context, tr(context, who.lang, "report.cancelled"),
                replies.REMOVE_KEYBOARD)
    return ConversationHandler.END


async def timed_out(update: Update, context: AppContext) -> None:
    """The conversation was left alone too long: the draft is dropped, the resident told."""
    user_data(context).pop(DRAFT, None)
    if update.effective_user is not None and update.effective_chat is not None:
        who = await caller(update, context)
        await _send(update, context, tr(context, who.lang, "report.timed_out"),
                    replies.REMOVE_KEYBOARD)


async def stale_press(update: Update, context: AppContext) -> None:
    """A report button pressed after its conversation ended (sent, cancelled, timed out)."""
    who = await caller(update, context)
    query = update.callback_query
    assert query is not None
    await replies.answer_press(context.bot, query.id, tr(context, who.lang, "errors.stale_button"),
                               alert=True)


# --- helpers ---------------------------------------------------------------------------------


async def _refuse_rate(update: Update, context: AppContext, who: Caller) -> None:
    limit = context.services.config.reports.max_per_hour
    await answer(update, context, who.lang, "report.rate_limited", max=limit)


async def _send(update: Update, context: AppContext, text: str, markup: Markup) -> None:
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, text, markup)


async def _close_press(update: Update, context: AppContext) -> None:
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


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "").strip() if message is not None else ""


def build_conversation(timeout_minutes: int) -> Flow:
    """The report conversation: one per (chat, user), persistent across restarts."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND
    private = filters.ChatType.PRIVATE
    return conversation(
        "report",
        entry_points=[CommandHandler(["baotin", "report"], start, filters=private)],
        states={
            Step.CATEGORY: [
                CallbackQueryHandler(category_pressed, pattern=r"^rp:cat:[a-z0-9-]+$"),
                MessageHandler(text, category_typed),
                MessageHandler(other, category_typed),
            ],
            Step.DESCRIPTION: [
                MessageHandler(text, description_typed),
                MessageHandler(filters.VOICE | filters.AUDIO, description_voiced),
                MessageHandler(other, description_other),
            ],
            Step.LOCATION: [
                MessageHandler(filters.LOCATION, location_shared),
                CallbackQueryHandler(location_skipped, pattern=r"^rp:loc:skip$"),
                MessageHandler(text, location_typed),
                MessageHandler(other, location_other),
            ],
            Step.PHOTOS: [
                MessageHandler(filters.PHOTO, photo_sent),
                CallbackQueryHandler(photos_done, pattern=r"^rp:ph:(done|skip)$"),
                MessageHandler(text, photos_done),
                MessageHandler(other, photo_other),
            ],
            Step.IDENTITY: [
                CallbackQueryHandler(identity_chosen, pattern=r"^rp:id:(anon|named)$"),
                MessageHandler(other, identity_other),
            ],
            Step.CONFIRM: [
                CallbackQueryHandler(send, pattern=r"^rp:send$"),
                CallbackQueryHandler(cancel, pattern=r"^rp:cancel$"),
                MessageHandler(other, confirm_other),
            ],
            ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
        },
        fallbacks=[],
        timeout_minutes=timeout_minutes,
        drafts=[DRAFT],
        cancelled="report.cancelled",
        label="flows.report",
    )
