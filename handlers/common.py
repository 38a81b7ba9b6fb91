"""What every handler shares: who is calling, in which language, and how to answer."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any

from telegram import Update

from bot import replies
from bot.context import AppContext
from bot.models import Resident
from bot.replies import Buttons, Posted, inline_keyboard


@dataclass(frozen=True)
class Caller:
    resident: Resident
    lang: str


async def caller(update: Update, context: AppContext) -> Caller:
    """The resident behind this update (created as a bare Telegram id if new)."""
    user = update.effective_user
    assert user is not None
    services = context.services
    resident = await services.residents.ensure(user.id)
    return Caller(resident, services.i18n.language(resident.language, user.language_code))


def tr(context: AppContext, lang: str, key: str, **values: object) -> str:
    """A text from content/locales; user-supplied values must already be escaped."""
    return context.services.i18n.t(lang, key, **values)


def user_data(context: AppContext) -> dict[Any, Any]:
    """The caller's user data (persisted: conversations keep their drafts there)."""
    assert context.user_data is not None
    return context.user_data


def draft_of(context: AppContext, key: str) -> dict[str, Any]:
    """A conversation's draft, kept in user data under `key` (created empty)."""
    found: dict[str, Any] = user_data(context).setdefault(key, {})
    return found


def pressed(update: Update) -> list[str]:
    """The parts of the pressed button's callback data ("tm:ok:3:7" → ["tm", "ok", "3", "7"])."""
    query = update.callback_query
    data = query.data if query is not None else None
    return data.split(":") if data else []


def display_name(update: Update) -> str:
    user = update.effective_user
    return user.full_name if user is not None else ""


def esc(value: object) -> str:
    return escape(str(value), quote=False)


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


async def refuse(update: Update, context: AppContext, lang: str, key: str) -> None:
    """Refuse a press with an alert that changes nothing, or a plain reply for a message."""
    query = update.callback_query
    if query is not None:
        await replies.answer_press(context.bot, query.id, tr(context, lang, key), alert=True)
        return
    chat = update.effective_chat
    if chat is not None:
        await replies.send_text(context.bot, chat.id, tr(context, lang, key))


async def reask(
    update: Update, context: AppContext, lang: str, key: str | None, buttons: Buttons | None,
    **values: object,
) -> None:
    """An answer a step cannot use: says so and asks the step's question (`key`) again, with
    its choices, as a new message."""
    hint = tr(context, lang, "flows.choose_below")
    text = hint if key is None else f"{hint}\n\n{tr(context, lang, key, **values)}"
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, text,
                            inline_keyboard(buttons) if buttons else None)
