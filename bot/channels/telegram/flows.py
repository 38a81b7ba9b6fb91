"""What comes before every other handler on Telegram (the flows themselves are bot/dialog's):

- a command (typed or from the menu) ends the open flow of the person who sent it before any
  other handler sees it, and then runs as usual: nothing the person sends afterwards goes to
  the old flow; a flow left half done is named. `/huy` (`/cancel`) ends it and says so, once;
- an edited message is never new input: Telegram sends an `edited_message` when someone edits
  an old message, and no handler may take it for an answer or relay it again.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.channels.telegram.common import caller, tr
from bot.context import AppContext
from bot.dialog import Flow as DialogFlow
from bot.sending import chat_label

log = logging.getLogger(__name__)

CANCEL_COMMANDS = ("huy", "cancel")
EARLY_GROUP = -2  # before every flow and command (PTB runs groups in ascending order)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


async def end_dialog(update: Update, context: AppContext) -> DialogFlow | None:
    """End the sender's open flow in bot/dialog's runner (the flows already moved there)."""
    user = update.effective_user
    return None if user is None else await context.runner.end_account("telegram", str(user.id))


async def tell_left(update: Update, context: AppContext, dialog: DialogFlow | None) -> None:
    """Say which half-done flow was left, in the chat it talked in (taking off a reply
    keyboard it showed). A flow without a label ends silently."""
    user = update.effective_user
    if dialog is None or dialog.label is None or user is None:
        return
    who = await caller(update, context)
    try:
        await replies.send_text(context.bot, user.id,
                                tr(context, who.lang, "flows.left",
                                   flows=tr(context, who.lang, dialog.label)),
                                replies.REMOVE_KEYBOARD)
    except TelegramError:
        log.info("could not tell %s that a flow was left", chat_label(user.id))


async def command_sent(update: Update, context: AppContext) -> None:
    """Any command to this bot: ends the sender's open flows, then lets the command run.
    /huy ends them and answers (what was cancelled, or that nothing was open), and stops."""
    message, user = update.effective_message, update.effective_user
    command = _command(message.text if message is not None else None, context.bot.username)
    if message is None or user is None or command is None:
        return
    dialog = await end_dialog(update, context)
    if command not in CANCEL_COMMANDS:
        await tell_left(update, context, dialog)
        return
    if dialog is not None or message.chat.type == "private":
        who = await caller(update, context)
        key = dialog.cancelled if dialog is not None else "errors.nothing_to_cancel"
        await replies.send_text(context.bot, message.chat_id, tr(context, who.lang, key),
                                replies.REMOVE_KEYBOARD)
    raise ApplicationHandlerStop


async def edit_dropped(update: Update, context: AppContext) -> None:
    """An edit of an old message: not new input for any handler."""
    del context
    log.debug("ignoring an edited message in update %s", update.update_id)
    raise ApplicationHandlerStop


def _command(text: str | None, bot_username: str) -> str | None:
    """The command's name ("/Baotin@anninh_bot x" → "baotin"), None if it is for another
    bot (groups may hold several)."""
    if not text or not text.startswith("/"):
        return None
    name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


def build_early_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    """Handlers for EARLY_GROUP, in this order: edits are dropped, commands end flows."""
    return [
        MessageHandler(filters.UpdateType.EDITED, edit_dropped),
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, command_sent),
    ]
