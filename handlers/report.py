"""/baotin (/report): category → what happened → where → photos → anonymous or named → send."""

from __future__ import annotations

import enum
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.context import AppContext
from bot.replies import Markup
from bot.services import draft_token
from bot.services.categories import Category
from bot.services.reports import Draft, Outcome
from bot.text import fold
from handlers import triage
from handlers.common import (
    Caller,
    answer,
    caller,
    conversation,
    display_name,
    draft_of,
    esc,
    pressed,
    refuse,
    stale,
    tr,
    typed,
    user_data,
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
    user_data(context)[DRAFT] = {"token": draft_token()}
    buttons = [(c.label(who.lang), f"rp:cat:{c.code}") for c in reports.categories.items.values()]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    await answer(update, context, who.lang, "report.ask_category", rows)
    return Step.CATEGORY


async def category_pressed(update: Update, context: AppContext) -> int:
    """Stores the pressed category; asks what happened."""
    category = context.services.reports.categories.get(pressed(update)[-1])
    if category is None:  # a crafted or outdated button: the question stays
        await stale(update, context)
        return Step.CATEGORY
    return await _category_chosen(update, context, category)


async def category_typed(update: Update, context: AppContext) -> int:
    """Matches a typed category name (accent-insensitive); asks again if unclear."""
    category = context.services.reports.categories.match(typed(update))
    return await _category_chosen(update, context, category)


async def _category_chosen(
    update: Update, context: AppContext, category: Category | None
) -> int:
    who = await caller(update, context)
    if category is None:
        await answer(update, context, who.lang, "report.press_category", edit=False)
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
    text = typed(update)
    limit = context.services.config.reports.max_text_length
    if not text:  # nothing visible: only spaces, zero-width or other invisible characters
        await answer(update, context, who.lang, "errors.blank_text")
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
    text = typed(update)
    if _is_skip(context, text):
        return await _ask_photos(update, context, who, tr(context, who.lang, "report.no_place"))
    if not text:
        await answer(update, context, who.lang, "errors.blank_text")
        return Step.LOCATION
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
    await answer(update, context, who.lang, "report.ask_photos", [[
        (tr(context, who.lang, "report.done"), "rp:ph:done"),
        (tr(context, who.lang, "report.skip"), "rp:ph:skip"),
    ]], edit=False, max=context.services.config.reports.max_photos)
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
    if update.callback_query is None and not _is_done_or_skip(context, typed(update)):
        await answer(update, context, who.lang, "report.photo_expected")
        return Step.PHOTOS
    await _close_press(update, context)
    return await _ask_identity(update, context, who)


async def photo_other(update: Update, context: AppContext) -> int:
    """Anything but a photo at the photo step: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.photo_expected")
    return Step.PHOTOS


async def _ask_identity(update: Update, context: AppContext, who: Caller) -> int:
    await answer(update, context, who.lang, "report.ask_identity", [[
        (tr(context, who.lang, "report.anonymous"), "rp:id:anon"),
        (tr(context, who.lang, "report.named"), "rp:id:named"),
    ]], edit=False)
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
    await answer(update, context, who.lang, "report.summary", [[
        (tr(context, who.lang, "report.send"), "rp:send"),
        (tr(context, who.lang, "report.cancel"), "rp:cancel"),
    ]], category=esc(categories.name(str(draft.get("category")), who.lang)),
        description=esc(draft.get("description", "")), place=_place(context, who.lang, draft),
        photos=len(draft.get("photos", [])), identity=identity)
    return Step.CONFIRM


async def press_a_button(update: Update, context: AppContext) -> int | None:
    """Typed input while a button is expected: says so; the step stays."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.press_a_button")
    return None


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
        await _refuse_rate(update, context, who)
        return ConversationHandler.END
    if filed.report is None:
        await answer(update, context, who.lang, "report.no_commune")
        return ConversationHandler.END
    await answer(update, context, who.lang, "report.sent", code=filed.report.code)
    await triage.post_report(context.bot, context.services, filed.report, filed.duplicate)
    return ConversationHandler.END


async def cancel(update: Update, context: AppContext) -> int:
    """/huy or "Hủy": drops the draft."""
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


def _is_skip(context: AppContext, text: str) -> bool:
    return fold(text) in {fold(v) for v in context.services.i18n.all("report.skip").values()} | {
        "bo qua", "skip"}


def _is_done_or_skip(context: AppContext, text: str) -> bool:
    done = {fold(v) for v in context.services.i18n.all("report.done").values()}
    return _is_skip(context, text) or fold(text) in done | {"xong", "done"}


def build_conversation(
    cancel_commands: list[str], timeout_minutes: int
) -> BaseHandler[Update, AppContext, object]:
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
                MessageHandler(other, press_a_button),
            ],
            Step.CONFIRM: [
                CallbackQueryHandler(send, pattern=r"^rp:send$"),
                CallbackQueryHandler(cancel, pattern=r"^rp:cancel$"),
                MessageHandler(other, press_a_button),
            ],
            ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
        },
        fallbacks=[CommandHandler(cancel_commands, cancel)],
        timeout_minutes=timeout_minutes,
    )
