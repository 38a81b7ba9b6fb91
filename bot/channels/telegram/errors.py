"""The error handler and the last handlers: unknown commands, messages outside any flow,
stale buttons. (/huy is handled before everything, in bot/channels/telegram/flows.py.)"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import replies
from bot.channels.telegram.common import caller, tr
from bot.channels.telegram.dialog import outside_flow
from bot.context import AppContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: AppContext) -> None:
    """Logs the error and tells the user, in their language, that something went wrong."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        lang = context.services.i18n.default
        if update.effective_user is not None:
            lang = (await caller(update, context)).lang
        if update.callback_query is not None:
            await replies.answer_press(context.bot, update.callback_query.id,
                                       tr(context, lang, "errors.generic"), alert=True)
        else:
            await replies.send_text(context.bot, update.effective_chat.id,
                                    tr(context, lang, "errors.generic"))
    except (TelegramError, LookupError, OSError):
        log.warning("could not tell the user about the error", exc_info=True)


async def unknown_command(update: Update, context: AppContext) -> None:
    """Any command nobody handled, in a private chat."""
    who = await caller(update, context)
    await replies.send_text(context.bot, update.effective_chat.id,  # type: ignore[union-attr]
                            tr(context, who.lang, "errors.unknown_command"))


async def stale_button(update: Update, context: AppContext) -> None:
    """A press nothing else handled (a button from a finished conversation): say so, so the
    phone stops waiting."""
    query = update.callback_query
    assert query is not None
    lang = context.services.i18n.language(None, query.from_user.language_code)
    resident = await context.services.residents.get(query.from_user.id)
    if resident is not None:
        lang = context.services.i18n.language(resident.language, query.from_user.language_code)
    await replies.answer_press(context.bot, query.id, tr(context, lang, "errors.stale_button"),
                               alert=True)


def build_fallbacks() -> list[BaseHandler[Update, AppContext, None]]:
    """Handlers that must come after every other one. In groups only the stale button is
    answered: the bot never answers chatter there."""
    private = filters.ChatType.PRIVATE
    return [
        MessageHandler(filters.COMMAND & private, unknown_command),
        MessageHandler(private, outside_flow),
        CallbackQueryHandler(stale_button),
    ]
