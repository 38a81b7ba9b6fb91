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
from bot.models import Commune
from bot.services.broadcasts import set_reachable
from bot.services.campaigns import Campaign
from bot.telegram_sender import TelegramSender
from handlers.common import (
    Caller,
    acting_communes,
    answer,
    as_id,
    caller,
    esc,
    pressed,
    refuse,
    stale,
    tr,
)


async def list_campaigns(update: Update, context: AppContext) -> None:
    """Officers: the campaigns aimed at their communes with their schedule and state, and
    their communes' repeating and scheduled announcements."""
    who = await caller(update, context)
    communes = await _communes(update, context, who)
    if communes:
        await _show(update, context, who, communes, edit=False)


async def campaign_pressed(update: Update, context: AppContext) -> None:
    """Pause, resume or preview a campaign (pc:pause:ID), stop or restart a repeating
    announcement (pc:stop:N), cancel a scheduled one (pc:cancel:N). Only officers of the
    commune it is for (checked in the database); every change is audited."""
    who = await caller(update, context)
    communes = await _communes(update, context, who)
    if not communes:
        return
    services = context.services
    _, action, key = pressed(update)
    number = as_id(key)
    named = _find(context, key) if action in ("pause", "resume", "view") else number
    if named is None:  # a crafted or outdated press names no campaign or announcement
        await stale(update, context)
        return
    if action in ("pause", "resume", "view"):
        if not await _campaign_action(update, context, who, action, key):
            return
    elif action in ("stop", "start") and number is not None:
        if not await services.campaigns.set_schedule_active(number, action == "start",
                                                             who.resident):
            await refuse(update, context, who.lang, "errors.not_allowed")
            return
    elif action == "cancel" and number is not None and not await _cancel(
            update, context, who, number):
        return
    await _show(update, context, who, communes, edit=action != "view")


async def _campaign_action(
    update: Update, context: AppContext, who: Caller, action: str, campaign_id: str
) -> bool:
    """Preview, pause or resume a campaign of the officer's commune; False when refused."""
    services = context.services
    campaign = _find(context, campaign_id)
    if action == "view" and campaign is not None and await services.campaigns.may_manage(
            who.resident, campaign):
        chat = update.effective_chat
        assert chat is not None
        for message in campaign.messages():
            await TelegramSender(context.bot).send(chat.id, message)
        return True
    if action != "view" and campaign is not None and await services.campaigns.set_paused(
            campaign, action == "pause", who.resident):
        return True
    await refuse(update, context, who.lang, "errors.not_allowed")
    return False


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


async def _communes(update: Update, context: AppContext, who: Caller) -> list[Commune]:
    communes = await acting_communes(update, context, who)
    if not communes:
        await refuse(update, context, who.lang, "campaign.officers_only")
    return communes


async def _cancel(
    update: Update, context: AppContext, who: Caller, broadcast_id: int
) -> bool:
    """Cancel a scheduled announcement; its "scheduled" message says so. False when it was
    no longer waiting or is another commune's (the press is answered with an alert)."""
    cancelled = await context.services.broadcasts.cancel(broadcast_id, who.resident.id)
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


async def _show(
    update: Update, context: AppContext, who: Caller, communes: list[Commune], *, edit: bool
) -> None:
    lines: list[str] = []
    rows: list[list[tuple[str, str]]] = []
    await _campaign_lines(context, who.lang, {c.code for c in communes}, lines, rows)
    for commune in communes:
        await _announcement_lines(context, who.lang, commune.id, lines, rows)
    body = "\n".join(lines) or tr(context, who.lang, "campaign.none")
    await answer(update, context, who.lang, "campaign.list", rows, edit=edit, lines=body)


async def _campaign_lines(
    context: AppContext, lang: str, codes: set[str], lines: list[str],
    rows: list[list[tuple[str, str]]],
) -> None:
    """The campaigns aimed at these communes: state, schedule, pause/resume and preview."""
    services = context.services
    paused = await services.store.schedules.paused()
    for campaign in services.scheduler.campaigns():
        if campaign.audience.commune not in codes:
            continue  # another commune's: not theirs to see or touch
        stopped = campaign.id in paused
        state = tr(context, lang, "campaign.paused" if stopped else "campaign.active")
        lines.append(tr(context, lang, "campaign.line", title=esc(campaign.title), state=state,
                        schedule=esc(", ".join(campaign.schedule))))
        toggle = ("campaign.resume_button", "resume") if stopped else (
            "campaign.pause_button", "pause")
        rows.append([(f"{tr(context, lang, toggle[0])}: {campaign.title[:30]}",
                      f"pc:{toggle[1]}:{campaign.id}"),
                     (tr(context, lang, "campaign.preview_button"), f"pc:view:{campaign.id}")])


async def _announcement_lines(
    context: AppContext, lang: str, commune_id: int, lines: list[str],
    rows: list[list[tuple[str, str]]],
) -> None:
    """The commune's repeating and scheduled announcements, held ones marked as such."""
    services = context.services
    for schedule in await services.store.schedules.all(commune_id):
        if schedule.held_reason is not None:
            lines.append(tr(context, lang, "campaign.held_repeat_line", id=schedule.id,
                            schedule=esc(schedule.cron), preview=_preview(schedule.payload)))
        else:
            state = tr(context, lang,
                       "campaign.active" if schedule.active else "campaign.paused")
            lines.append(tr(context, lang, "campaign.repeat_line", id=schedule.id, state=state,
                            schedule=esc(schedule.cron)))
        action = "stop" if schedule.active else "start"
        rows.append([(tr(context, lang, f"campaign.{action}_button", id=schedule.id),
                      f"pc:{action}:{schedule.id}")])
    tz = services.config.locale.tz
    for waiting in await services.broadcasts.scheduled(commune_id):
        when = datetime.fromisoformat(waiting.send_at or "").astimezone(tz)
        key = "campaign.held_scheduled_line" if waiting.held_reason else "campaign.scheduled_line"
        lines.append(tr(context, lang, key, id=waiting.id,
                        when=when.strftime("%H:%M %d/%m/%Y"), preview=_preview(waiting.payload)))
        rows.append([(tr(context, lang, "campaign.cancel_button", id=waiting.id),
                      f"pc:cancel:{waiting.id}")])


def _preview(payload: str) -> str:
    text = OutMessage.from_json(payload).text
    return esc(text[:60] + ("…" if len(text) > 60 else ""))


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CommandHandler(["lichphat", "campaigns"], list_campaigns),
        CallbackQueryHandler(campaign_pressed,
                             pattern=r"^pc:(pause|resume|view|stop|start|cancel):[\w-]+$"),
        PollAnswerHandler(quiz_answered),
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
