"""/keng (/alarm): sounding the security gong — scope, kind, optional note or place, "Phát
kẻng". What follows once it sounds (answers, the live count, the end) is handlers/alarm_live.py."""

from __future__ import annotations

import enum

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext
from bot.services import draft_token
from bot.services.alarms import RaiseResult, Scope
from handlers.alarm_answers import deliver_alarm, tell_staff
from handlers.alarm_live import all_clear_button, tally, tally_values
from handlers.common import (
    answer,
    caller,
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
                          all_clear_button(context, who.lang, alarm),
                          **tally_values(context, who.lang, alarm, await tally(context, alarm)))
    if status is not None:
        await services.alarms.remember_caller_message(alarm, status.chat_id, status.message_id)
    await deliver_alarm(services, alarm, list(raised.recipients))
    await tell_staff(services, alarm, "alarm.staff_notice", len(raised.recipients))
    return ConversationHandler.END


async def cancel(update: Update, context: AppContext) -> int:
    """"Hủy" before the gong was sounded."""
    who = await caller(update, context)
    user_data(context).pop(DRAFT, None)
    await answer(update, context, who.lang, "alarm.cancelled")
    return ConversationHandler.END


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
