"""What every handler shares: who is calling, in which language, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot import replies, telegram_media
from bot.context import AppContext
from bot.media import MediaKind, MediaRef
from bot.models import Resident
from bot.replies import Buttons, Posted, inline_keyboard
from bot.text import clean
from handlers.text import as_id as as_id  # re-exported for the flows still on PTB
from handlers.text import clip as clip
from handlers.text import esc as esc


@dataclass(frozen=True)
class Caller:
    resident: Resident
    lang: str


async def caller(update: Update, context: AppContext) -> Caller:
    """The resident behind this update (created as a bare Telegram id if new); an update from
    a private chat records that the person has opened the bot."""
    user = update.effective_user
    assert user is not None
    services = context.services
    chat = update.effective_chat
    private = chat is not None and chat.type == "private"
    resident = await services.residents.ensure(user.id, opened=private)
    return Caller(resident, services.i18n.language(resident.language, user.language_code))




def tr(context: AppContext, lang: str, key: str, **values: object) -> str:
    """A text from content/locales; user-supplied values must already be escaped."""
    return context.services.i18n.t(lang, key, **values)


def pressed(update: Update) -> list[str]:
    """The parts of the pressed button's callback data ("tm:ok:3:7" → ["tm", "ok", "3", "7"])."""
    query = update.callback_query
    data = query.data if query is not None else None
    return data.split(":") if data else []




async def stale(update: Update, context: AppContext) -> None:
    """Answer a press whose data names nothing valid as an out-of-date button; nothing
    changes (no traceback, no silence)."""
    await refuse(update, context, (await caller(update, context)).lang, "errors.stale_button")


def typed(update: Update) -> str:
    """The message's text (or caption) as the bot takes free text (bot.text.clean): without
    control characters, trimmed; "" when nothing visible was typed."""
    message = update.effective_message
    return clean(message.text or message.caption) if message is not None else ""


def display_name(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user is not None else ""


async def answer(
    update: Update, context: AppContext, lang: str, key: str,
    buttons: Buttons | None = None, *, edit: bool = True, **values: object,
) -> Posted | None:
    """Reply in the update's chat with text `key`. After a button press, by default, answer
    the press and edit its message; `edit=False` sends a new message instead (a follow-up)."""
    text = tr(context, lang, key, **values)
    markup = inline_keyboard(buttons) if buttons else None
    bot, query = context.bot, update.callback_query
    if edit and query is not None and query.message is not None:
        await replies.answer_press(bot, query.id)
        chat_id, message_id = query.message.chat.id, query.message.message_id
        await replies.edit_text(bot, chat_id, message_id, text, markup)
        return Posted(chat_id, message_id)
    chat = update.effective_chat
    assert chat is not None
    return await replies.send_text(bot, chat.id, text, markup)


async def refuse(
    update: Update, context: AppContext, lang: str, key: str, **values: object
) -> None:
    """Refuse a press with an alert that changes nothing, or a plain reply for a message."""
    text = tr(context, lang, key, **values)
    query = update.callback_query
    if query is not None:
        await replies.answer_press(context.bot, query.id, text, alert=True)
        return
    chat = update.effective_chat
    if chat is not None:
        await replies.send_text(context.bot, chat.id, text)




async def keep_media(
    update: Update, context: AppContext, lang: str, kind: MediaKind
) -> MediaRef | None:
    """The message's photo (its largest size) or voice note, downloaded into the media store
    at once. None when it could not be kept (too large, then not even downloaded; the download
    failed): the person was told, in the update's chat."""
    message = update.effective_message
    assert message is not None
    file = message.photo[-1] if kind == "photo" and message.photo else (
        message.voice or message.audio)
    assert file is not None
    media = context.services.media
    stored = await telegram_media.keep(media, context.bot, kind, file)
    if stored.ref is None:
        await answer(update, context, lang, f"media.{kind}_{stored.refused}", edit=False,
                     size=_megabytes(stored.size), limit=_megabytes(media.limit(kind)))
    return stored.ref


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f}".removesuffix(".0")
