"""/baotin (/report): category → what happened → where → photos → anonymous or named → send.

This module holds the flow's first steps and its wiring; handlers/report_send.py the last
steps and what the steps share; handlers/report_photos.py the rules for photos."""

from __future__ import annotations

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
from bot.services import draft_token
from bot.services.categories import Category
from handlers import report_photos
from handlers.common import (
    Caller,
    answer,
    caller,
    draft_of,
    esc,
    keep_media,
    pressed,
    stale,
    tr,
    typed,
    user_data,
)
from handlers.flows import Flow, conversation
from handlers.report_choices import (
    category_buttons,
    is_done_or_skip,
    is_skip,
    photo_buttons,
)
from handlers.report_send import (
    DRAFT,
    Step,
    ask_identity,
    cancel,
    close_press,
    confirm_other,
    identity_chosen,
    identity_other,
    refuse_rate,
    say,
    send,
    timed_out,
)

MAX_ADDRESS = 300


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
        await refuse_rate(update, context, who)
        return ConversationHandler.END
    user_data(context)[DRAFT] = {"token": draft_token()}
    await answer(update, context, who.lang, "report.ask_category",
                 category_buttons(context, who.lang))
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
    """Keeps a voice note (stored in the media store) as the description; asks where, or
    again for the description when it could not be kept."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None
    voice = message.voice or message.audio
    assert voice is not None
    stored = await keep_media(update, context, who.lang, "voice")
    if stored is None:
        return Step.DESCRIPTION
    draft = draft_of(context, DRAFT)
    draft["voice"], draft["voice_key"] = voice.file_id, stored.key
    draft["description"] = tr(context, who.lang, "report.voice_description")
    return await _ask_location(update, context, who)


async def description_photo(update: Update, context: AppContext) -> int:
    """A photo: kept as the first photo; its caption is the description (asks where), else
    asks for the text (once per album)."""
    who = await caller(update, context)
    message = update.effective_message
    assert message is not None
    draft = draft_of(context, DRAFT)
    first_of_album = not report_photos.in_album(draft, message)
    await report_photos.keep(update, context, who, draft, caption=False)
    caption = (message.caption or "").strip()
    limit = context.services.config.reports.max_text_length
    if not caption:
        if first_of_album:
            await answer(update, context, who.lang, "report.photo_kept_text_expected")
        return Step.DESCRIPTION
    if len(caption) > limit:
        await answer(update, context, who.lang, "report.too_long", length=len(caption),
                     limit=limit)
        return Step.DESCRIPTION
    draft["description"] = caption
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
    await say(update, context, tr(context, who.lang, "report.location_keyboard"), markup)
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
    if is_skip(context, text):
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
    await close_press(update, context)
    return await _ask_photos(update, context, who, tr(context, who.lang, "report.no_place"))


async def location_photo(update: Update, context: AppContext) -> int:
    """The rest of an album sent at the description step: kept; any other photo: asks where."""
    who = await caller(update, context)
    draft = draft_of(context, DRAFT)
    if not report_photos.in_album(draft, update.effective_message):
        await answer(update, context, who.lang, "report.location_expected")
        return Step.LOCATION
    await report_photos.keep(update, context, who, draft)
    return Step.LOCATION


async def location_other(update: Update, context: AppContext) -> int:
    """Anything else at the location step: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.location_expected")
    return Step.LOCATION


async def _ask_photos(update: Update, context: AppContext, who: Caller, place: str) -> int:
    await say(update, context, tr(context, who.lang, "report.place_noted", place=place),
                replies.REMOVE_KEYBOARD)
    config = context.services.config.reports
    if report_photos.count(draft_of(context, DRAFT)) >= config.max_photos:
        return await ask_identity(update, context, who)  # an album brought them all
    await answer(update, context, who.lang, "report.ask_photos", photo_buttons(context, who.lang),
                 edit=False, max=config.max_photos)
    return Step.PHOTOS


async def photo_sent(update: Update, context: AppContext) -> int:
    """Keeps one photo (size and count checked, its caption added to the description); after
    the last allowed one, asks anonymous or named."""
    who = await caller(update, context)
    draft = draft_of(context, DRAFT)
    kept = await report_photos.keep(update, context, who, draft)
    if kept is report_photos.Kept.FULL:
        return await ask_identity(update, context, who)
    if kept is report_photos.Kept.ADDED:
        await answer(update, context, who.lang, "report.photo_received",
                     [[(tr(context, who.lang, "report.done"), "rp:ph:done")]],
                     count=report_photos.count(draft),
                     max=context.services.config.reports.max_photos)
    return Step.PHOTOS


async def photos_done(update: Update, context: AppContext) -> int:
    """"Xong" or "Bỏ qua" (pressed or typed): asks anonymous or named."""
    who = await caller(update, context)
    if update.callback_query is None and not is_done_or_skip(context, typed(update)):
        await answer(update, context, who.lang, "report.photo_expected",
                     photo_buttons(context, who.lang))
        return Step.PHOTOS
    await close_press(update, context)
    return await ask_identity(update, context, who)


async def photo_other(update: Update, context: AppContext) -> int:
    """Anything but a photo at the photo step: says what is expected."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "report.photo_expected",
                 photo_buttons(context, who.lang))
    return Step.PHOTOS


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
                MessageHandler(filters.PHOTO, description_photo),
                MessageHandler(other, description_other),
            ],
            Step.LOCATION: [
                MessageHandler(filters.LOCATION, location_shared),
                CallbackQueryHandler(location_skipped, pattern=r"^rp:loc:skip$"),
                MessageHandler(text, location_typed),
                MessageHandler(filters.PHOTO, location_photo),
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
