"""Officers in chat: /taoto (/newteam) creates a team, /totruong (/setleader) appoints a leader."""

from __future__ import annotations

import enum
from typing import Any

from telegram import Update
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
from bot.context import AppContext
from bot.services.officers import Appointment, NotAllowed
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
)
from handlers.flows import Flow, conversation

DRAFT = "new_team"


class Step(enum.IntEnum):
    COMMUNE = 1
    HAMLET = 2
    KIND = 3
    NAME = 4


async def new_team(update: Update, context: AppContext) -> int:
    """/taoto: officers only (checked in the database); asks for the commune or the hamlet."""
    who = await caller(update, context)
    communes = await context.services.officers.communes_of(who.resident)
    if not communes:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return ConversationHandler.END
    draft_of(context, DRAFT).clear()
    if len(communes) == 1:
        return await _ask_hamlet(update, context, who, communes[0].id)
    await answer(update, context, who.lang, "officer_tools.ask_commune",
                 [[(c.name, f"ot:c:{c.id}")] for c in communes])
    return Step.COMMUNE


async def step_other(update: Update, context: AppContext) -> int:
    """Anything but a press where a choice is asked: asks that step's question again, with its
    choices (the officer role checked again in the database)."""
    who = await caller(update, context)
    services, draft = context.services, draft_of(context, DRAFT)
    communes = await services.officers.communes_of(who.resident)
    if not communes:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return ConversationHandler.END
    hamlet = await services.store.areas.hamlet(int(draft.get("hamlet", 0)))
    if hamlet is not None:
        await reask(update, context, who.lang, "officer_tools.ask_kind",
                    _kind_buttons(context, who.lang), hamlet=esc(hamlet.name))
        return Step.KIND
    commune_id = draft.get("commune")
    if commune_id is not None:
        hamlets = await services.store.areas.hamlets(int(commune_id))
        await reask(update, context, who.lang, "officer_tools.ask_hamlet",
                    [[(h.name, f"ot:h:{h.id}")] for h in hamlets])
        return Step.HAMLET
    await reask(update, context, who.lang, "officer_tools.ask_commune",
                [[(c.name, f"ot:c:{c.id}")] for c in communes])
    return Step.COMMUNE


async def commune_pressed(update: Update, context: AppContext) -> int:
    """Stores nothing yet; asks for a hamlet of the pressed commune."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return Step.COMMUNE
    who = await caller(update, context)
    return await _ask_hamlet(update, context, who, ids[0])


async def hamlet_pressed(update: Update, context: AppContext) -> int:
    """Stores the hamlet (if the presser is its commune's officer); asks for the team kind."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return Step.HAMLET
    who = await caller(update, context)
    services = context.services
    hamlet = await services.store.areas.hamlet(ids[0])
    if hamlet is None or not await services.store.residents.has_role(
            who.resident.id, "officer", hamlet.commune_id):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return ConversationHandler.END
    draft_of(context, DRAFT)["hamlet"] = hamlet.id
    await answer(update, context, who.lang, "officer_tools.ask_kind",
                 _kind_buttons(context, who.lang), hamlet=esc(hamlet.name))
    return Step.KIND


def _kind_buttons(context: AppContext, lang: str) -> list[list[tuple[str, str]]]:
    kinds = context.services.catalog.team_kinds.values()
    return [[(k.name(lang), f"ot:k:{k.code}")] for k in kinds]


async def kind_pressed(update: Update, context: AppContext) -> int:
    """Stores the team kind; asks for the team's name."""
    who = await caller(update, context)
    kind = pressed(update)[-1]
    if kind not in context.services.catalog.team_kinds:
        await refuse(update, context, who.lang, "errors.stale_button")
        return Step.KIND
    draft_of(context, DRAFT)["kind"] = kind
    await answer(update, context, who.lang, "officer_tools.ask_name",
                 kind=esc(context.services.catalog.kind_name(kind, who.lang)))
    return Step.NAME


async def name_typed(update: Update, context: AppContext) -> int:
    """Creates the team with a fresh join code; shows the code and the invitation link."""
    who = await caller(update, context)
    name = typed(update)
    message = update.effective_message
    if not name and message is not None and message.text:  # only invisible characters typed
        await answer(update, context, who.lang, "errors.blank_text")
        return Step.NAME
    draft = draft_of(context, DRAFT)
    services = context.services
    hamlet = await services.store.areas.hamlet(int(draft.get("hamlet", 0)))
    if hamlet is None or draft.get("kind") is None:
        await refuse(update, context, who.lang, "errors.stale_button")
        return ConversationHandler.END
    if len(name) < 3:
        await answer(update, context, who.lang, "officer_tools.name_too_short")
        return Step.NAME
    try:
        team = await services.officers.create_team(who.resident, hamlet, str(draft["kind"]), name)
    except NotAllowed:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return ConversationHandler.END
    draft.clear()
    await answer(update, context, who.lang, "officer_tools.created", team=esc(team.name),
                 hamlet=esc(hamlet.name), code=esc(team.join_code), team_code=esc(team.code),
                 link=esc(f"https://t.me/{context.bot.username}?start=join_{team.join_code}"))
    return ConversationHandler.END


async def set_leader(update: Update, context: AppContext) -> None:
    """/totruong TEAM [TELEGRAM_ID]: appoints at once, or lists the members to pick from."""
    who = await caller(update, context)
    officers = context.services.officers
    if not await officers.communes_of(who.resident):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    args = context.args or []
    team = await officers.find_team(who.resident, args[0]) if args else None
    if team is None:
        await answer(update, context, who.lang, "officer_tools.leader_usage")
        return
    if len(args) > 1:
        telegram_id = as_id(args[1])
        if telegram_id is None:
            await answer(update, context, who.lang, "officer_tools.leader_usage")
            return
        await _appoint(update, context, who, team.id, telegram_id)
        return
    members = [m for m in await context.services.store.memberships.members(team.id)
               if m.state == "active" and m.role != "leader" and m.telegram_id is not None]
    if not members:
        await answer(update, context, who.lang, "officer_tools.no_members", team=esc(team.name))
        return
    rows = [[(m.display_name or str(m.telegram_id), f"ot:l:{team.id}:{m.telegram_id}")]
            for m in members[:90]]
    await answer(update, context, who.lang, "officer_tools.pick_leader", rows,
                 team=esc(team.name))


async def leader_pressed(update: Update, context: AppContext) -> None:
    """A press on a member in the /totruong list: the officer role is checked again."""
    ids = pressed_ids(update, 2, 3)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    await _appoint(update, context, who, *ids)


async def _appoint(
    update: Update, context: AppContext, who: Caller, team_id: int, telegram_id: int
) -> None:
    try:
        done = await context.services.officers.appoint_leader(who.resident, team_id, telegram_id)
    except NotAllowed:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    await answer(update, context, who.lang, "officer_tools.leader_set",
                 name=esc(done.leader.display_name or telegram_id), team=esc(done.team.name))
    await _tell_new_leader(context, done)


async def _tell_new_leader(context: AppContext, done: Appointment) -> None:
    if done.leader.telegram_id is None:
        return
    lang = context.services.i18n.language(done.leader.language)
    try:
        await replies.send_text(
            context.bot, done.leader.telegram_id,
            tr(context, lang, "officer_tools.you_lead", team=esc(done.team.name)),
        )
    except TelegramError:
        return  # not started yet: /to shows the team once they do


async def _ask_hamlet(update: Update, context: AppContext, who: Caller, commune_id: int) -> int:
    if not await context.services.store.residents.has_role(who.resident.id, "officer",
                                                           commune_id):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return ConversationHandler.END
    hamlets = await context.services.store.areas.hamlets(commune_id)
    if not hamlets:
        await answer(update, context, who.lang, "officer_tools.no_hamlets")
        return ConversationHandler.END
    draft_of(context, DRAFT)["commune"] = commune_id
    await answer(update, context, who.lang, "officer_tools.ask_hamlet",
                 [[(h.name, f"ot:h:{h.id}")] for h in hamlets])
    return Step.HAMLET


def build_conversation() -> Flow:
    """The /taoto conversation."""
    other = ~filters.COMMAND
    return conversation(
        "officer_new_team",
        entry_points=[CommandHandler(["taoto", "newteam"], new_team,
                                     filters=filters.ChatType.PRIVATE)],
        states={
            Step.COMMUNE: [CallbackQueryHandler(commune_pressed, pattern=r"^ot:c:\d+$"),
                           MessageHandler(other, step_other)],
            Step.HAMLET: [CallbackQueryHandler(hamlet_pressed, pattern=r"^ot:h:\d+$"),
                          MessageHandler(other, step_other)],
            Step.KIND: [CallbackQueryHandler(kind_pressed, pattern=r"^ot:k:[a-z0-9-]+$"),
                        MessageHandler(other, step_other)],
            Step.NAME: [MessageHandler(other, name_typed)],  # not text: "at least 3 letters"
        },
        fallbacks=[],
        timeout_minutes=30,
        drafts=[DRAFT],
        label="flows.new_team",
    )


def build_handlers() -> list[BaseHandler[Update, AppContext, Any]]:
    """/totruong and its presses."""
    return [
        CommandHandler(["totruong", "setleader"], set_leader, filters=filters.ChatType.PRIVATE),
        CallbackQueryHandler(leader_pressed, pattern=r"^ot:l:\d+:\d+$"),
    ]
