"""What Telegram does with a sounded gong (handlers/alarm_answers.py has the answers, for every
messenger): the caller's message keeps a live count and "Đã an toàn" — edited at most once per
refresh interval, not once per answer — and the repeating check escalates a gong too few
answer and ends an expired one."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import TelegramError

from bot import replies
from bot.context import AppContext, Services
from bot.models import Alarm
from bot.replies import inline_keyboard
from bot.services.alarms import Tally
from handlers.alarm_answers import ALL_CLEAR, alarm_values, tell_staff
from handlers.common import tr


async def check(bot: Bot, services: Services) -> None:
    """Escalates alarms too few answered and closes expired ones (a repeating job)."""
    for alarm, tally in await services.alarms.escalations_due():
        await tell_staff(services, alarm, "alarm.escalation", tally.total, tally)
    for alarm in await services.alarms.expire_due():
        await _edit_caller(bot, services, alarm, "alarm.expired_caller", buttons=False)


async def _check_job(context: AppContext) -> None:
    await check(context.bot, context.services)


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
    if queue is None or queue.get_jobs_by_name(name):
        return
    queue.run_once(_refresh_job, app.bot_data["config"].alarms.refresh_seconds,
                   data=alarm.id, name=name)


async def ended(bot: Bot, services: Services, alarm: Alarm) -> None:
    """"Đã an toàn": the caller's message says so, without its button."""
    await _edit_caller(bot, services, alarm, "alarm.all_clear_caller", buttons=False)


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


def tally_values(context: AppContext, lang: str, alarm: Alarm, tally: Tally) -> dict[str, Any]:
    return alarm_values(context.services, lang, alarm, tally)


async def tally(context: AppContext, alarm: Alarm) -> Tally:
    return await context.services.alarms.tally(alarm.id)


def all_clear_button(context: AppContext, lang: str, alarm: Alarm) -> list[list[tuple[str, str]]]:
    return [[(tr(context, lang, "alarm.all_clear_button"), f"{ALL_CLEAR}:{alarm.id}")]]


def schedule(app: Any) -> None:
    """The repeating check for escalation and expiry (state lives in the database)."""
    seconds = app.bot_data["config"].alarms.check_seconds
    if app.job_queue is not None:
        app.job_queue.run_repeating(_check_job, interval=seconds, first=seconds,
                                    name="alarm-check")
