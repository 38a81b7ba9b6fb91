"""What Telegram does with a sounded gong: the caller's message (sent by /keng's "Phát kẻng",
handlers/alarm.py) keeps a live count and "Đã an toàn" — edited at most once per refresh
interval, not once per answer — and says so when the gong is over (all clear or expired).

It listens to `events.alarm_answered` and `events.alarm_ended` (wired in bot/app.py); a gong
whose caller has no such message (sounded on Zalo) is handlers/alarm_count.py's."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot import replies
from bot.context import AppContext, Services
from bot.models import Alarm
from bot.replies import inline_keyboard
from handlers.alarm_answers import ALL_CLEAR, alarm_values


async def _refresh_job(context: AppContext) -> None:
    job = context.job
    assert job is not None
    alarm = await context.services.alarms.get(int(str(job.data)))
    if alarm is not None and alarm.state == "active":
        await _edit_caller(context.bot, context.services, alarm, "alarm.caller_status")


def refresh_soon(app: Any, alarm: Alarm) -> None:
    """At most one edit of the caller's message per refresh interval, not one per answer."""
    queue = app.job_queue
    name = f"alarm-refresh-{alarm.id}"
    if alarm.caller_message_id is None or queue is None or queue.get_jobs_by_name(name):
        return
    queue.run_once(_refresh_job, app.bot_data["config"].alarms.refresh_seconds,
                   data=alarm.id, name=name)


async def ended(bot: Bot, services: Services, alarm: Alarm) -> None:
    """"Đã an toàn", or the gong expired: the caller's message says so, without its button."""
    key = "alarm.expired_caller" if alarm.state == "expired" else "alarm.all_clear_caller"
    await _edit_caller(bot, services, alarm, key, buttons=False)


async def _edit_caller(
    bot: Bot, services: Services, alarm: Alarm, key: str, *, buttons: bool = True
) -> None:
    if alarm.caller_chat_id is None or alarm.caller_message_id is None:
        return
    caller_resident = await services.store.residents.get(alarm.caller_id or 0)
    lang = services.i18n.language(caller_resident.language if caller_resident else None)
    tally = await services.alarms.tally(alarm.id)
    markup = None
    if buttons:
        markup = inline_keyboard([[(services.i18n.t(lang, "alarm.all_clear_button"),
                                    f"{ALL_CLEAR}:{alarm.id}")]])
    try:
        await replies.edit_text(
            bot, alarm.caller_chat_id, alarm.caller_message_id,
            services.i18n.t(lang, key, **alarm_values(services, lang, alarm, tally)), markup)
    except TelegramError:
        return  # "message is not modified" or the caller deleted it: nothing to do
