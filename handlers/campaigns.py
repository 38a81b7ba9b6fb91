"""/lichphat: campaigns, repeating and scheduled announcements: list, pause, resume, preview,
cancel; quizzes."""

from __future__ import annotations

import contextlib
from datetime import datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    PollAnswerHandler,
)

from bot import replies
from bot.context import AppContext
from bot.delivery import OutMessage
from bot.services.broadcasts import set_reachable
from bot.services.campaigns import Campaign
from bot.telegram_sender import TelegramSender
from handlers.common import Caller, answer, as_id, caller, esc, pressed, refuse, stale, tr


async def list_campaigns(update: Update, context: AppContext) -> None:
    """Officers: every campaign with its schedule and state, and repeating announcements."""
    who = await caller(update, context)
    if not await _commune(update, context, who):
        return
    await _show(update, context, who, edit=False)


async def campaign_pressed(update: Update, context: AppContext) -> None:
    """Pause, resume or preview a campaign (pc:pause:ID), stop or restart a repeating
    announcement (pc:stop:N), cancel a scheduled one (pc:cancel:N); officers of its commune."""
    who = await caller(update, context)
    commune_id = await _commune(update, context, who)
    if commune_id is None:
        return
    services = context.services
    _, action, key = pressed(update)
    number, campaign = as_id(key), _find(context, key)
    named = campaign if action in ("pause", "resume", "view") else number
    if named is None:  # a crafted or outdated press names no campaign or announcement
        await stale(update, context)
        return
    if action in ("pause", "resume"):
        await services.campaigns.set_paused(key, action == "pause", who.resident.id)
    elif action in ("stop", "start") and number is not None:
        await services.campaigns.set_schedule_active(number, commune_id, action == "start")
    elif action == "cancel" and number is not None and not await _cancel(
            update, context, who, number, commune_id):
        return
    elif action == "view" and campaign is not None:
        chat = update.effective_chat
        assert chat is not None
        for message in campaign.messages():
            await TelegramSender(context.bot).send(chat.id, message)
    await _show(update, context, who, edit=action != "view")


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


async def _commune(update: Update, context: AppContext, who: Caller) -> int | None:
    communes = await context.services.officers.communes_of(who.resident)
    if not communes:
        await refuse(update, context, who.lang, "campaign.officers_only")
        return None
    return communes[0].id


async def _cancel(
    update: Update, context: AppContext, who: Caller, broadcast_id: int, commune_id: int
) -> bool:
    """Cancel a scheduled announcement; its "scheduled" message says so. False when it was
    no longer waiting (the press is answered with an alert)."""
    cancelled = await context.services.broadcasts.cancel(broadcast_id, commune_id,
                                                         who.resident.id)
    if cancelled is None:
        await refuse(update, context, who.lang, "campaign.cancel_gone")
        return False
    chat_id, message_id = cancelled.progress_chat_id, cancelled.progress_message_id
    if chat_id is not None and message_id is not None:
        with contextlib.suppress(TelegramError):  # the message may be gone; the cancel stands
            await replies.edit_text(context.bot, chat_id, message_id,
                                    tr(context, who.lang, "campaign.cancelled_note"))
    return True


def _find(context: AppContext, campaign_id: str) -> Campaign | None:
    return next((c for c in context.services.scheduler.campaigns() if c.id == campaign_id), None)


async def _show(update: Update, context: AppContext, who: Caller, *, edit: bool) -> None:
    services, lang = context.services, who.lang
    paused = await services.store.schedules.paused()
    lines, rows = [], []
    for campaign in services.scheduler.campaigns():
        stopped = campaign.id in paused
        state = tr(context, lang, "campaign.paused" if stopped else "campaign.active")
        lines.append(tr(context, lang, "campaign.line", title=esc(campaign.title), state=state,
                        schedule=esc(", ".join(campaign.schedule))))
        toggle = ("campaign.resume_button", "resume") if stopped else (
            "campaign.pause_button", "pause")
        rows.append([(f"{tr(context, lang, toggle[0])}: {campaign.title[:30]}",
                      f"pc:{toggle[1]}:{campaign.id}"),
                     (tr(context, lang, "campaign.preview_button"), f"pc:view:{campaign.id}")])
    commune_id = (await services.officers.communes_of(who.resident))[0].id
    for schedule in await services.store.schedules.all(commune_id):
        state = tr(context, lang, "campaign.active" if schedule.active else "campaign.paused")
        lines.append(tr(context, lang, "campaign.repeat_line", id=schedule.id, state=state,
                        schedule=esc(schedule.cron)))
        action = "stop" if schedule.active else "start"
        rows.append([(tr(context, lang, f"campaign.{action}_button", id=schedule.id),
                      f"pc:{action}:{schedule.id}")])
    tz = services.config.locale.tz
    for waiting in await services.broadcasts.scheduled(commune_id):
        when = datetime.fromisoformat(waiting.send_at or "").astimezone(tz)
        text = OutMessage.from_json(waiting.payload).text
        preview = esc(text[:60] + ("…" if len(text) > 60 else ""))
        lines.append(tr(context, lang, "campaign.scheduled_line", id=waiting.id,
                        when=when.strftime("%H:%M %d/%m/%Y"), preview=preview))
        rows.append([(tr(context, lang, "campaign.cancel_button", id=waiting.id),
                      f"pc:cancel:{waiting.id}")])
    body = "\n".join(lines) or tr(context, lang, "campaign.none")
    await answer(update, context, lang, "campaign.list", rows, edit=edit, lines=body)


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CommandHandler(["lichphat", "campaigns"], list_campaigns),
        CallbackQueryHandler(campaign_pressed,
                             pattern=r"^pc:(pause|resume|view|stop|start|cancel):[\w-]+$"),
        PollAnswerHandler(quiz_answered),
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
