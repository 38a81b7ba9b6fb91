"""/trogiup (/help): the commands for the caller's role, read from the database; and the
answer to a private message outside any flow."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot import replies
from bot.context import AppContext
from handlers.common import Caller, caller, tr


async def show_help(update: Update, context: AppContext) -> None:
    """Sends the resident's help, plus the leader's and officer's parts where they apply."""
    who = await caller(update, context)
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, "\n\n".join(await _help_parts(context, who)))


async def outside_flow(update: Update, context: AppContext) -> None:
    """A private message no flow is waiting for: a resident is told how to report and the
    emergency numbers; a leader or an officer gets their help."""
    if update.effective_user is None or update.effective_chat is None:
        return  # a malformed update: nobody to answer
    who = await caller(update, context)
    parts = await _help_parts(context, who)
    if len(parts) == 1:
        text = tr(context, who.lang, "flows.outside_resident")
    else:
        text = "\n\n".join([tr(context, who.lang, "flows.outside_staff"), *parts])
    await replies.send_text(context.bot, update.effective_chat.id, text)


async def _help_parts(context: AppContext, who: Caller) -> list[str]:
    services = context.services
    parts = [tr(context, who.lang, "help.resident")]
    teams = await services.store.memberships.of_resident(who.resident.id)
    if any(m.role == "leader" for _, m in teams):
        parts.append(tr(context, who.lang, "help.leader"))
    if await services.officers.communes_of(who.resident):
        parts.append(tr(context, who.lang, "help.officer"))
        parts.append(tr(context, who.lang, "officer_tools.help"))
    return parts


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [CommandHandler(["trogiup", "help"], show_help)]
