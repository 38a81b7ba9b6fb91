"""/keng (/alarm): the security gong — scope, kind, optional note or place, "Phát kẻng";
members answer "Đang đến" / "Không thể"; "Đã an toàn" ends it; escalation and expiry."""

from __future__ import annotations

import enum
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.context import AppContext, Services
from bot.delivery import OutMessage
from bot.models import Alarm, AlarmRecipient, Recipient
from bot.replies import inline_keyboard
from bot.services import draft_token
from bot.services.alarms import AnswerResult, RaiseResult, Scope, Tally
from handlers.common import (
    answer,
    caller,
    clip,
    display_name,
    draft_of,
    esc,
    pressed,
    pressed_ids,
    reask,
    refuse,
    stale,
    tr,
    typed,
    user_data,
)
from handlers.flows import Flow, conversation

DRAFT = "alarm_draft"
NOTE_LIMIT = 200
MAX_NAMED = 30  # responders named in the caller's message; the others are counted
NAME_LIMIT = 40


class Step(enum.IntEnum):
    SCOPE = 1
    KIND = 2
    CONFIRM = 3


async def start(update: Update, context: AppContext) -> int:
    """Lists the scopes the caller may use (from the database); skips the step if only one.
    Also the answer to anything but a press while the scope is asked."""
    who = await caller(update, context)
    scopes = await context.services.alarms.scopes(who.resident)
    if not scopes:
        await refuse(update, context, who.lang, "alarm.not_allowed")
        return ConversationHandler.END
    if len(scopes) == 1:
        return await _ask_kind(update, context, who.lang, scopes[0])
    rows = [[(_scope_label(context, who.lang, s), f"al:s:{s.kind}:{s.id}")] for s in scopes]
    await answer(update, context, who.lang, "alarm.ask_scope", rows)
    return Step.SCOPE


async def scope_chosen(update: Update, context: AppContext) -> int:
    """Stores the scope (checked again in the database); asks for the kind."""
    ids = pressed_ids(update, 3)
    if ids is None:
        await stale(update, context)
        return Step.SCOPE
    who = await caller(update, context)
    scope = await context.services.alarms.scope(who.resident, pressed(update)[2], ids[0])
    if scope is None:
        await refuse(update, context, who.lang, "alarm.stale")
        return ConversationHandler.END
    return await _ask_kind(update, context, who.lang, scope)


async def kind_chosen(update: Update, context: AppContext) -> int:
    """Stores the kind; offers "Phát kẻng" at once (a note or a place is optional)."""
    who = await caller(update, context)
    kind = pressed(update)[-1]
    if kind not in context.services.catalog.alarm_kinds:
        await refuse(update, context, who.lang, "alarm.stale")
        return ConversationHandler.END
    draft_of(context, DRAFT)["kind"] = kind
    return await _ask_confirm(update, context, who.lang)


async def kind_other(update: Update, context: AppContext) -> int:
    """Anything but a press while the kind is asked: asks again with the kinds."""
    who = await caller(update, context)
    await reask(update, context, who.lang, "alarm.ask_kind", _kind_buttons(context, who.lang),
                scope=esc(str(draft_of(context, DRAFT).get("scope_name", ""))))
    return Step.KIND


async def confirm_other(update: Update, context: AppContext) -> int:
    """Neither a note, a place nor a press (a sticker, a photo …): asks to confirm again."""
    who = await caller(update, context)
    return await _ask_confirm(update, context, who.lang, edit=False)


async def note_typed(update: Update, context: AppContext) -> int:
    """A short note about the place or what is happening; asks to confirm again."""
    who = await caller(update, context)
    text = typed(update)
    if not text:  # nothing visible: only spaces, zero-width or other invisible characters
        await answer(update, context, who.lang, "errors.blank_text")
        return Step.CONFIRM
    if len(text) > NOTE_LIMIT:
        await answer(update, context, who.lang, "alarm.note_too_long", limit=NOTE_LIMIT)
        return Step.CONFIRM
    draft_of(context, DRAFT)["note"] = text
    return await _ask_confirm(update, context, who.lang, edit=False)


async def place_shared(update: Update, context: AppContext) -> int:
    """A shared location for the alarm; asks to confirm again."""
    who = await caller(update, context)
    message = update.effective_message
    if message is not None and message.location is not None:
        draft_of(context, DRAFT)["place"] = [message.location.latitude, message.location.longitude]
    return await _ask_confirm(update, context, who.lang, edit=False)


async def sound(update: Update, context: AppContext) -> int:
    """"Phát kẻng": records the alarm, sends it on the alarm lane, shows the live count."""
    who = await caller(update, context)
    draft = user_data(context).get(DRAFT)
    if not draft:  # a press of the same "Phát kẻng" already sounded it and dropped the draft
        await refuse(update, context, who.lang, "alarm.already_sounded")
        return ConversationHandler.END
    services = context.services
    place = draft.get("place") or [None, None]
    raised = await services.alarms.sound(
        who.resident, who.resident.display_name or display_name(update), str(draft.get("kind")),
        str(draft.get("scope_kind")), int(draft.get("scope_id") or 0), draft.get("note"),
        place[0], place[1], token=draft.get("token"),
    )
    user_data(context).pop(DRAFT, None)
    if raised.result is RaiseResult.ALREADY:
        await refuse(update, context, who.lang, "alarm.already_sounded")
        return ConversationHandler.END
    if raised.result is not RaiseResult.RAISED or raised.alarm is None:
        key = "alarm.stale" if raised.result is RaiseResult.NOT_ALLOWED else (
            f"alarm.{raised.result.value}")
        await answer(update, context, who.lang, key, limit=services.config.alarms.max_per_hour)
        return ConversationHandler.END
    alarm = raised.alarm
    status = await answer(update, context, who.lang, "alarm.caller_status",
                          _all_clear_button(context, who.lang, alarm),
                          **_tally_values(context, who.lang, alarm, await _tally(context, alarm)))
    if status is not None:
        await services.alarms.remember_caller_message(alarm, status.chat_id, status.message_id)
    await deliver_alarm(context, alarm, list(raised.recipients))
    await _tell_staff(services, alarm, "alarm.staff_notice", len(raised.recipients))
    return ConversationHandler.END


async def cancel(update: Update, context: AppContext) -> int:
    """"Hủy" before the gong was sounded."""
    who = await caller(update, context)
    user_data(context).pop(DRAFT, None)
    await answer(update, context, who.lang, "alarm.cancelled")
    return ConversationHandler.END


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
        await _tell_staff(services, alarm, "alarm.escalation", tally.total, tally)
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


async def _tell_staff(
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


def _tally_values(context: AppContext, lang: str, alarm: Alarm, tally: Tally) -> dict[str, Any]:
    return _values(context.services, lang, alarm, tally)


async def _tally(context: AppContext, alarm: Alarm) -> Tally:
    return await context.services.alarms.tally(alarm.id)


def _all_clear_button(context: AppContext, lang: str, alarm: Alarm) -> list[list[tuple[str, str]]]:
    return [[(tr(context, lang, "alarm.all_clear_button"), f"al:end:{alarm.id}")]]


async def _ask_kind(update: Update, context: AppContext, lang: str, scope: Scope) -> int:
    user_data(context)[DRAFT] = {"scope_kind": scope.kind, "scope_id": scope.id,
                                "scope_name": scope.name, "token": draft_token()}
    await answer(update, context, lang, "alarm.ask_kind", _kind_buttons(context, lang),
                 scope=esc(_scope_label(context, lang, scope)))
    return Step.KIND


def _kind_buttons(context: AppContext, lang: str) -> list[list[tuple[str, str]]]:
    kinds = list(context.services.catalog.alarm_kinds.values())
    rows = [[(f"{k.emoji} {k.name(lang)}", f"al:k:{k.code}") for k in kinds[i:i + 2]]
            for i in range(0, len(kinds), 2)]
    rows.append([(tr(context, lang, "alarm.cancel"), "al:x")])
    return rows


async def _ask_confirm(
    update: Update, context: AppContext, lang: str, *, edit: bool = True
) -> int:
    draft = draft_of(context, DRAFT)
    kind = context.services.catalog.alarm_kinds[str(draft["kind"])]
    extra = ""
    if draft.get("note"):
        extra += tr(context, lang, "alarm.extra_note", note=esc(draft["note"]))
    if draft.get("place"):
        extra += tr(context, lang, "alarm.extra_place")
    await answer(update, context, lang, "alarm.ask_confirm",
                 [[(tr(context, lang, "alarm.confirm"), "al:go"),
                   (tr(context, lang, "alarm.cancel"), "al:x")]],
                 edit=edit, kind=esc(f"{kind.emoji} {kind.name(lang)}"),
                 scope=esc(str(draft.get("scope_name", ""))), extra=extra)
    return Step.CONFIRM


def _scope_label(context: AppContext, lang: str, scope: Scope) -> str:
    if scope.kind == "commune":
        return f"{tr(context, lang, 'alarm.whole_commune')} ({scope.name})"
    return scope.name


def build_conversation() -> Flow:
    """/keng: at most four taps — /keng, scope, kind, "Phát kẻng"."""
    other = ~filters.COMMAND
    return conversation(
        "alarm",
        entry_points=[CommandHandler(["keng", "alarm"], start)],
        states={
            Step.SCOPE: [CallbackQueryHandler(scope_chosen, pattern=r"^al:s:\w+:\d+$"),
                         MessageHandler(other, start)],
            Step.KIND: [CallbackQueryHandler(kind_chosen, pattern=r"^al:k:[a-z0-9-]+$"),
                        MessageHandler(other, kind_other)],
            Step.CONFIRM: [
                CallbackQueryHandler(sound, pattern=r"^al:go$"),
                MessageHandler(filters.LOCATION, place_shared),
                MessageHandler(filters.TEXT & other, note_typed),
                MessageHandler(other, confirm_other),
            ],
        },
        fallbacks=[CallbackQueryHandler(cancel, pattern=r"^al:x$")],
        timeout_minutes=15,
        drafts=[DRAFT],
        cancelled="alarm.cancelled",
        label="flows.alarm",
    )


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
