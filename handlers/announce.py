"""/thongbao: an officer's announcement — content, audience, preview, then now, later or never."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.context import AppContext
from bot.delivery import OutMessage
from bot.models import Audience
from bot.services import audiences
from bot.services.broadcasts import PastMoment, parse_when
from bot.telegram_sender import TelegramSender
from bot.text import clean
from handlers.common import (
    Caller,
    answer,
    as_id,
    caller,
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

DRAFT = "announce"
CHOSEN = "✓ "
KINDS = {"h": "hamlets", "t": "teams", "k": "kinds", "g": "tags"}
MAX_MINUTES_AHEAD = 2 * 24 * 60  # the quick choices reach tomorrow morning at most


class Step(enum.IntEnum):
    CONTENT = 1
    AUDIENCE = 2
    CONFIRM = 3
    WHEN = 4


async def start(update: Update, context: AppContext) -> int:
    """Officers only: starts a draft for their commune; asks for the content."""
    who = await caller(update, context)
    communes = await context.services.officers.communes_of(who.resident)
    if not communes:
        await refuse(update, context, who.lang, "broadcast.officers_only")
        return ConversationHandler.END
    user_data(context)[DRAFT] = {"commune": communes[0].id, "hamlets": [], "teams": [],
                                 "kinds": [], "tags": [], "urgent": False}
    await answer(update, context, who.lang, "broadcast.ask_content")
    return Step.CONTENT


async def content_received(update: Update, context: AppContext) -> int:
    """Stores the text, photo or forwarded message as residents will get it; asks who."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    message = update.effective_message
    assert message is not None
    if message.text is not None and message.forward_origin is None and not typed(update):
        await answer(update, context, who.lang, "errors.blank_text")  # only invisible chars
        return Step.CONTENT
    draft_of(context, DRAFT)["message"] = _out_message(message).to_json()
    await _ask_audience(update, context, who, edit=False)
    return Step.AUDIENCE


async def audience_pressed(update: Update, context: AppContext) -> int:
    """Toggles a hamlet, team, kind, tag or the urgent flag; "Toàn xã" / "Tiếp tục" preview."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    draft, parts = draft_of(context, DRAFT), pressed(update)
    if parts[1] == "all":
        for key in KINDS.values():
            draft[key] = []
    elif parts[1] == "urgent":
        draft["urgent"] = not draft["urgent"]
    elif parts[1] in KINDS:
        chosen: list[Any] = draft[KINDS[parts[1]]]
        value: Any = as_id(parts[2]) if parts[1] in ("h", "t") else parts[2]
        known = {"k": context.services.catalog.team_kinds, "g": context.services.catalog.tags}
        if value is None or value not in known.get(parts[1], (value,)):  # crafted: no change
            await stale(update, context)
            return Step.AUDIENCE
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
    if parts[1] not in ("all", "next"):
        await _ask_audience(update, context, who)
        return Step.AUDIENCE
    return await _preview(update, context, who)


async def audience_other(update: Update, context: AppContext) -> int:
    """Anything but a press while the audience is chosen: shows the choices again."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    await _ask_audience(update, context, who, edit=False)
    return Step.AUDIENCE


async def confirm_other(update: Update, context: AppContext) -> int:
    """Anything but a press under the preview: asks again for "Gửi ngay", "Hẹn giờ", "Hủy"."""
    who = await caller(update, context)
    await reask(update, context, who.lang, None, _confirm_buttons(context, who.lang))
    return Step.CONFIRM


async def send_now(update: Update, context: AppContext) -> int:
    """"Gửi ngay": queues the broadcast; the pressed message becomes its progress report."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    draft = user_data(context).pop(DRAFT)
    sent = await answer(update, context, who.lang, "broadcast.sending")
    progress = (sent.chat_id, sent.message_id) if sent is not None else None
    await context.services.broadcasts.send(
        _audience(draft), OutMessage.from_json(draft["message"]), urgent=draft["urgent"],
        created_by=who.resident.id, progress=progress)
    return ConversationHandler.END


async def ask_when(update: Update, context: AppContext) -> int:
    """"Hẹn giờ": offers quick times and reads a typed one ("07:30 25/11", "hằng ngày 7h")."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    local = context.services.clock.now().astimezone(context.services.config.locale.tz)
    rows = [[(tr(context, who.lang, "broadcast.in_hours", hours=h), f"an:in:{h * 60}")
             for h in (1, 3)]]
    tomorrow = (local + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    rows.append([(tr(context, who.lang, "broadcast.tomorrow_morning"),
                  f"an:in:{int((tomorrow - local).total_seconds() // 60)}")])
    await answer(update, context, who.lang, "broadcast.ask_when", rows,
                 example=_example(context))
    return Step.WHEN


async def when_pressed(update: Update, context: AppContext) -> int:
    """A quick choice: schedules for that moment."""
    ids = pressed_ids(update, 2)
    if ids is None or ids[0] > MAX_MINUTES_AHEAD:  # crafted: not a time the bot offered
        await stale(update, context)
        return Step.WHEN
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    minutes = ids[0]
    now = context.services.clock.now()
    return await _schedule(update, context, who, now + timedelta(minutes=minutes))


async def when_typed(update: Update, context: AppContext) -> int:
    """A typed time or repetition; asks again if it cannot be read or has passed."""
    who = await caller(update, context)
    if not await _still_officer(update, context, who):
        return ConversationHandler.END
    services = context.services
    typed = (update.effective_message.text or "") if update.effective_message else ""
    try:
        when = parse_when(typed, services.clock.now(), services.config.locale.tz)
    except PastMoment as past:
        await _refuse_past(update, context, who, past)
        return Step.WHEN
    if when is None:
        await answer(update, context, who.lang, "broadcast.bad_time", typed=esc(typed),
                     example=_example(context))
        return Step.WHEN
    return await _schedule(update, context, who, when)


async def cancel(update: Update, context: AppContext) -> int:
    """"Hủy": drops the draft; nothing is sent."""
    who = await caller(update, context)
    user_data(context).pop(DRAFT, None)
    await answer(update, context, who.lang, "broadcast.cancelled")
    return ConversationHandler.END


# --- steps -----------------------------------------------------------------------------------


async def _still_officer(update: Update, context: AppContext, who: Caller) -> bool:
    """Every step reads the role from the database: someone who is no longer an officer of
    the draft's commune is refused, the draft dropped and the flow ended."""
    draft = user_data(context).get(DRAFT)
    if draft and await context.services.broadcasts.may_announce(
            who.resident.id, draft["commune"]):
        return True
    user_data(context).pop(DRAFT, None)
    await refuse(update, context, who.lang, "broadcast.officers_only")
    return False


async def _ask_audience(update: Update, context: AppContext, who: Caller, *,
                        edit: bool = True) -> None:
    services, draft, lang = context.services, draft_of(context, DRAFT), who.lang
    commune_id = draft["commune"]

    def mark(kind: str, value: object) -> str:
        return CHOSEN if value in draft[kind] else ""

    teams = await services.store.areas.teams(commune_id)
    rows = [[(tr(context, lang, "broadcast.whole_commune"), "an:all")]]
    rows += _pairs([(mark("hamlets", h.id) + h.name, f"an:h:{h.id}")
                    for h in await services.store.areas.hamlets(commune_id)])
    rows += _pairs([(mark("teams", t.id) + t.name, f"an:t:{t.id}") for t in teams])
    kinds = sorted({t.kind for t in teams})
    rows += _pairs([(mark("kinds", k) + services.catalog.kind_name(k, lang), f"an:k:{k}")
                    for k in kinds])
    rows += _pairs([(mark("tags", code) + tag.name(lang), f"an:g:{code}")
                    for code, tag in services.catalog.tags.items()])
    urgent = (CHOSEN if draft["urgent"] else "") + tr(context, lang, "broadcast.urgent_button")
    rows.append([(urgent, "an:urgent"), (tr(context, lang, "broadcast.next_button"), "an:next")])
    await answer(update, context, lang, "broadcast.ask_audience", rows, edit=edit)


async def _preview(update: Update, context: AppContext, who: Caller) -> int:
    services, draft = context.services, draft_of(context, DRAFT)
    audience = _audience(draft)
    message = OutMessage.from_json(draft["message"])
    query = update.callback_query
    if query is not None:
        await replies.answer_press(context.bot, query.id)
    chat = update.effective_chat
    assert chat is not None
    await TelegramSender(context.bot).send(chat.id, message)  # exactly as residents see it
    parts = await audiences.describe(services.store, services.catalog, audience, who.lang)
    names = ", ".join(esc(p) for p in parts) or tr(context, who.lang, "broadcast.whole_commune")
    count = await services.broadcasts.count(audience, urgent=draft["urgent"])
    key = "broadcast.preview_urgent" if draft["urgent"] else "broadcast.preview"
    await answer(update, context, who.lang, key, _confirm_buttons(context, who.lang),
                 edit=False, count=count, audience=names)
    return Step.CONFIRM


def _confirm_buttons(context: AppContext, lang: str) -> list[list[tuple[str, str]]]:
    return [[(tr(context, lang, "broadcast.send_now"), "an:now"),
             (tr(context, lang, "broadcast.later"), "an:later"),
             (tr(context, lang, "broadcast.cancel"), "an:cancel")]]


async def _schedule(
    update: Update, context: AppContext, who: Caller, when: datetime | str
) -> int:
    services, draft = context.services, user_data(context).pop(DRAFT)
    audience, message = _audience(draft), OutMessage.from_json(draft["message"])
    if isinstance(when, str):
        await services.broadcasts.repeat(audience, message, when, who.resident.id)
        await answer(update, context, who.lang, "broadcast.repeating", cron=esc(when))
        return ConversationHandler.END
    sent = await answer(update, context, who.lang, "broadcast.scheduled",
                        when=when.astimezone(services.config.locale.tz).strftime("%H:%M %d/%m/%Y"))
    progress = (sent.chat_id, sent.message_id) if sent is not None else None
    await services.broadcasts.schedule(audience, message, when, urgent=draft["urgent"],
                                       created_by=who.resident.id, progress=progress)
    return ConversationHandler.END


def _example(context: AppContext) -> str:
    """A moment to show as an example of what to type: 07:30 tomorrow, never one gone by."""
    local = context.services.clock.now().astimezone(context.services.config.locale.tz)
    return (local + timedelta(days=1)).strftime("07:30 %d/%m")


async def _refuse_past(update: Update, context: AppContext, who: Caller,
                       past: PastMoment) -> None:
    """Says that the typed moment has passed, with one that would do; the step stays WHEN."""
    local = context.services.clock.now().astimezone(context.services.config.locale.tz)
    moment = past.moment
    tomorrow = (local + timedelta(days=1)).replace(hour=moment.hour, minute=moment.minute)
    now, example = local.strftime("%H:%M %d/%m/%Y"), tomorrow.strftime("%H:%M %d/%m")
    if not past.dated:
        await answer(update, context, who.lang, "broadcast.past_time",
                     time=moment.strftime("%H:%M"), now=now, example=example)
        return
    try:
        next_year = moment.replace(year=local.year + 1)
    except ValueError:  # 29/02
        next_year = moment.replace(year=local.year + 1, day=28)
    await answer(update, context, who.lang, "broadcast.past_date",
                 when=moment.strftime("%H:%M %d/%m/%Y"), now=now, example=example,
                 next_year=next_year.strftime("%H:%M %d/%m/%Y"))


def _out_message(message: Message) -> OutMessage:
    if message.forward_origin is not None:
        return OutMessage(copy_from=(message.chat_id, message.message_id), forward=True)
    if message.photo:
        return OutMessage(text=clean(message.caption_html), photo=message.photo[-1].file_id)
    if message.text:
        return OutMessage(text=clean(message.text_html))
    return OutMessage(copy_from=(message.chat_id, message.message_id))


def _audience(draft: dict[str, Any]) -> Audience:
    return Audience(draft["commune"], tuple(draft["hamlets"]), tuple(draft["teams"]),
                    tuple(draft["kinds"]), tuple(draft["tags"]))


def _pairs(buttons: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def build_conversation() -> Flow:
    """The announcement conversation, persistent so a draft survives a restart."""
    other = ~filters.COMMAND
    return conversation(
        "announce",
        entry_points=[CommandHandler(["thongbao", "broadcast"], start,
                                     filters=filters.ChatType.PRIVATE)],
        states={
            Step.CONTENT: [MessageHandler(other, content_received)],
            Step.AUDIENCE: [CallbackQueryHandler(
                audience_pressed, pattern=r"^an:(all|next|urgent|[htkg]:[\w-]+)$"),
                MessageHandler(other, audience_other)],
            Step.CONFIRM: [CallbackQueryHandler(send_now, pattern=r"^an:now$"),
                           CallbackQueryHandler(ask_when, pattern=r"^an:later$"),
                           MessageHandler(other, confirm_other)],
            Step.WHEN: [CallbackQueryHandler(when_pressed, pattern=r"^an:in:\d+$"),
                        MessageHandler(filters.TEXT & other, when_typed),
                        MessageHandler(other, ask_when)],
        },
        fallbacks=[CallbackQueryHandler(cancel, pattern=r"^an:cancel$")],
        timeout_minutes=60,
        drafts=[DRAFT],
        cancelled="broadcast.cancelled",
        label="flows.announce",
    )
