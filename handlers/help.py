"""/trogiup (/help): the commands for the caller's role, read from the database."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import replies
from bot.context import AppContext
from handlers.common import caller, tr


async def show_help(update: Update, context: AppContext) -> None:
    """Sends the resident's help, plus the leader's and officer's parts where they apply."""
    who = await caller(update, context)
    services = context.services
    parts = [tr(context, who.lang, "help.resident")]
    teams = await services.store.memberships.of_resident(who.resident.id)
    if any(m.role == "leader" for _, m in teams):
        parts.append(tr(context, who.lang, "help.leader"))
    if await services.officers.communes_of(who.resident):
        parts.append(tr(context, who.lang, "help.officer"))
        parts.append(tr(context, who.lang, "officer_tools.help"))
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, "\n\n".join(parts))


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [CommandHandler(["trogiup", "help"], show_help)]
