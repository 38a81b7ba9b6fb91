"""Telegram's own updates about people, outside any conversation: a campaign quiz answered
in a Telegram poll (elsewhere a quiz comes as numbered lines: handlers/quiz_answers.py), and a
person blocking or unblocking the bot (broadcasts skip whoever cannot be reached)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, ChatMemberHandler, PollAnswerHandler

from bot.context import AppContext
from bot.services.broadcasts import set_reachable


async def quiz_answered(update: Update, context: AppContext) -> None:
    """Records a resident's answer to a campaign quiz (the first one counts)."""
    poll_answer = update.poll_answer
    if poll_answer is None or poll_answer.user is None:
        return
    await context.services.campaigns.record_answer(
        poll_answer.poll_id, poll_answer.user.id, list(poll_answer.option_ids))


async def membership_changed(update: Update, context: AppContext) -> None:
    """A resident blocked the bot (unreachable: broadcasts skip them) or unblocked it."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    reachable = change.new_chat_member.status not in ("kicked", "left")
    await set_reachable(context.services.store, change.chat.id, reachable,
                        context.services.clock.now())


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [PollAnswerHandler(quiz_answered),
            ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)]
