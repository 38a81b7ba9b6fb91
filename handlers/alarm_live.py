"""The sounded gong: members answer "Đang đến" / "Không thể", the caller's message keeps a live
count, "Đã an toàn" ends it for everyone, the police group gets its copy; the repeating check
escalates a gong too few answer and ends an expired one."""

from __future__ import annotations

from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import replies
from bot.context import AppContext, Services
from bot.delivery import OutMessage
from bot.models import Alarm, AlarmRecipient, Recipient
from bot.replies import inline_keyboard
from bot.services.alarms import AnswerResult, Tally
from handlers.common import (
    caller,
    clip,
    esc,
    pressed,
    pressed_ids,
    refuse,
    stale,
    tr,
)

MAX_NAMED = 30  # responders named in the caller's message; the others are counted
NAME_LIMIT = 40


async def respond(update: Update, context: AppContext) -> None:
    """A member's "Đang đến" / "Không thể"; the caller's count is refreshed soon after."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    response = pressed(update)[3]
    result, alarm = await context.services.alarms.answer(
        ids[0], who.resident, "coming" if response == "coming" else "cannot")
    query = update.callback_query
    assert query is not None
    if result is not AnswerResult.RECORDED or alarm is None:
        await replies.answer_press(context.bot, query.id,
                                   tr(context, who.lang, f"alarm.answer_{result.value}"),
                                   alert=True)
        return
    await replies.answer_press(context.bot, query.id,
                               tr(context, who.lang, f"alarm.answer_{response}"))
    _schedule_refresh(context, alarm)


async def end(update: Update, context: AppContext) -> None:
    """"Đã an toàn": only the caller or an officer of the commune; everyone is told."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    services = context.services
    alarm = await services.alarms.all_clear(ids[0], who.resident)
    if alarm is None:
        await refuse(update, context, who.lang, "alarm.not_yours")
        return
    recipients = await services.alarms.recipients(alarm)
    await _edit_caller(context.bot, services, alarm, "alarm.all_clear_caller", buttons=False)
    await deliver_alarm(context, alarm, recipients, all_clear=True)
    query = update.callback_query
    if query is not None:
        await replies.answer_press(context.bot, query.id)


async def check(bot: Bot, services: Services) -> None:
    """Escalates alarms too few answered and closes expired ones (a repeating job)."""
    for alarm, tally in await services.alarms.escalations_due():
        await tell_staff(services, alarm, "alarm.escalation", tally.total, tally)
    for alarm in await services.alarms.expire_due():
        await _edit_caller(bot, services, alarm, "alarm.expired_caller", buttons=False)


async def deliver_alarm(
    context: AppContext, alarm: Alarm, recipients: list[AlarmRecipient], *,
    all_clear: bool = False,
) -> None:
    """Queues the alarm (or its all clear) on the delivery engine's alarm lane, one message per
    language, with sound: never silent, whatever a recipient's propaganda mute says."""
    services = context.services
    by_language: dict[str, list[Recipient]] = {}
    for recipient in recipients:
        if recipient.telegram_id is not None:
            lang = services.i18n.language(recipient.language)
            by_language.setdefault(lang, []).append(
                Recipient(recipient.resident_id, recipient.telegram_id))
    for lang, group in by_language.items():
        await services.delivery.enqueue(
            "alarm", _alarm_message(services, lang, alarm, len(recipients), all_clear), group,
            commune_id=alarm.commune_id, created_by=alarm.caller_id, urgent=True,
            origin=f"alarm:{alarm.id}" + (":all-clear" if all_clear else ""),
        )


def _alarm_message(
    services: Services, lang: str, alarm: Alarm, total: int, all_clear: bool
) -> OutMessage:
    values = _values(services, lang, alarm, Tally(total, [], []))
    if all_clear:
        return OutMessage(text=services.i18n.t(lang, "alarm.all_clear_members", **values))
    place = ""
    if alarm.latitude is not None and alarm.longitude is not None:
        url = f"https://maps.google.com/?q={alarm.latitude:.6f},{alarm.longitude:.6f}"
        place = services.i18n.t(lang, "alarm.map_link", url=url)
    return OutMessage(
        text=services.i18n.t(lang, "alarm.member_alert", **values | {"place": place}),
        buttons=(((services.i18n.t(lang, "alarm.coming"), f"al:a:{alarm.id}:coming"),
                  (services.i18n.t(lang, "alarm.cannot"), f"al:a:{alarm.id}:cannot")),),
    )


async def _check_job(context: AppContext) -> None:
    await check(context.bot, context.services)


async def _refresh_job(context: AppContext) -> None:
    job = context.job
    assert job is not None
    alarm = await context.services.alarms.get(int(str(job.data)))
    if alarm is not None and alarm.state == "active":
        await _edit_caller(context.bot, context.services, alarm, "alarm.caller_status")


def _schedule_refresh(context: AppContext, alarm: Alarm) -> None:
    """At most one edit of the caller's message per refresh interval, not one per press."""
    queue = context.job_queue
    name = f"alarm-refresh-{alarm.id}"
    if queue is None or queue.get_jobs_by_name(name):
        return
    queue.run_once(_refresh_job, context.services.config.alarms.refresh_seconds,  # type: ignore[arg-type]
                   data=alarm.id, name=name)


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
                                    f"al:end:{alarm.id}")]])
    try:
        await replies.edit_text(
            bot, alarm.caller_chat_id, alarm.caller_message_id,
            services.i18n.t(lang, key, **_values(services, lang, alarm, tally)), markup)
    except TelegramError:
        return  # "message is not modified" or the caller deleted it: nothing to do


async def tell_staff(
    services: Services, alarm: Alarm, key: str, total: int, tally: Tally | None = None
) -> None:
    """The police group's copy, on the alarm lane: paced with the group's other messages
    (never starved by relays), retried, and recorded and logged if it cannot be delivered."""
    commune = await services.store.areas.commune(alarm.commune_id)
    if commune is None or commune.staff_chat_id is None:
        return
    lang = services.i18n.default
    values = _values(services, lang, alarm, tally or Tally(total, [], []))
    values["role"] = services.i18n.t(lang, f"alarm.role_{alarm.caller_role}")
    await services.delivery.enqueue(
        "alarm", OutMessage(text=services.i18n.t(lang, key, **values)),
        [Recipient(None, commune.staff_chat_id)], commune_id=alarm.commune_id,
        created_by=alarm.caller_id, urgent=True, origin=f"alarm:{alarm.id}:staff")


def _values(services: Services, lang: str, alarm: Alarm, tally: Tally) -> dict[str, Any]:
    kind = services.catalog.alarm_kinds.get(alarm.kind)
    note = services.i18n.t(lang, "alarm.note_line", note=esc(alarm.note)) if alarm.note else ""
    return {
        "kind": esc(f"{kind.emoji} {kind.name(lang)}" if kind else alarm.kind),
        "scope": esc(alarm.scope_name), "caller": esc(alarm.caller_name), "total": tally.total,
        "coming_count": len(tally.coming), "coming": _names(services, lang, tally.coming),
        "cannot_count": len(tally.cannot), "silent": tally.silent, "note": note,
    }


def _names(services: Services, lang: str, names: list[str]) -> str:
    """At most MAX_NAMED names, then "và X người khác": the caller's message is edited with
    this list, and must stay within Telegram's 4,096 characters however many answer."""
    if not names:
        return "—"
    shown = esc(", ".join(clip(name, NAME_LIMIT) for name in names[:MAX_NAMED]))
    if len(names) > MAX_NAMED:
        shown += services.i18n.t(lang, "alarm.and_others", count=len(names) - MAX_NAMED)
    return shown


def tally_values(context: AppContext, lang: str, alarm: Alarm, tally: Tally) -> dict[str, Any]:
    return _values(context.services, lang, alarm, tally)


async def tally(context: AppContext, alarm: Alarm) -> Tally:
    return await context.services.alarms.tally(alarm.id)


def all_clear_button(context: AppContext, lang: str, alarm: Alarm) -> list[list[tuple[str, str]]]:
    return [[(tr(context, lang, "alarm.all_clear_button"), f"al:end:{alarm.id}")]]


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CallbackQueryHandler(respond, pattern=r"^al:a:\d+:(coming|cannot)$"),
        CallbackQueryHandler(end, pattern=r"^al:end:\d+$"),
    ]


def schedule(app: Any) -> None:
    """The repeating check for escalation and expiry (state lives in the database)."""
    seconds = app.bot_data["config"].alarms.check_seconds
    if app.job_queue is not None:
        app.job_queue.run_repeating(_check_job, interval=seconds, first=seconds,
                                    name="alarm-check")
