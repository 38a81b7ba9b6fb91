"""Teams: /thamgia, the leader's "Duyệt" / "Từ chối", /to, leaving and removing members."""

from __future__ import annotations

import enum

from telegram import Update
from telegram.error import Forbidden, TelegramError
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
from bot.models import Member, Team
from bot.replies import inline_keyboard
from bot.services.teams import Decision, JoinResult, LeaderView, TeamView
from handlers.common import Caller, answer, caller, esc, pressed, refuse, tr
from handlers.flows import Flow, conversation

MAX_LISTED = 120  # members named in one message; Telegram caps a message at 4096 characters


class Step(enum.IntEnum):
    CODE = 1


async def join_command(update: Update, context: AppContext) -> int:
    """/thamgia CODE: asks to join the team with that code; without one, in a private chat,
    asks for the code and takes the next message as it."""
    who = await caller(update, context)
    if not who.resident.has_consented:
        await answer(update, context, who.lang, "consent.required")
        return ConversationHandler.END
    if not context.args:
        await answer(update, context, who.lang, "team.ask_code")
        chat = update.effective_chat
        return Step.CODE if chat is not None and chat.type == "private" else (
            ConversationHandler.END)
    await ask_to_join(update, context, who, context.args[0])
    return ConversationHandler.END


async def code_sent(update: Update, context: AppContext) -> int:
    """The message after /thamgia without a code: its last word is the code; anything but
    text asks for the code again."""
    who = await caller(update, context)
    message = update.effective_message
    words = (message.text or "").split() if message is not None else []
    if not words:
        await answer(update, context, who.lang, "team.ask_code")
        return Step.CODE
    await ask_to_join(update, context, who, words[-1])
    return ConversationHandler.END


async def ask_to_join(update: Update, context: AppContext, who: Caller, code: str) -> None:
    """Files the request, tells the resident, and sends the leader the decision buttons."""
    outcome = await context.services.teams.request_join(who.resident, code)
    if outcome.result is JoinResult.UNKNOWN_CODE or outcome.team is None:
        await answer(update, context, who.lang, "team.unknown_code", edit=False)
        return
    team = outcome.team
    await answer(update, context, who.lang, f"team.{outcome.result.value}", edit=False,
                 team=esc(team.name))
    if outcome.result is JoinResult.REQUESTED:
        await _tell_leader(context, team, outcome.leader, who)


async def _tell_leader(
    context: AppContext, team: Team, leader: Member | None, applicant: Caller
) -> None:
    if leader is None or leader.telegram_id is None:
        return
    services = context.services
    leader_resident = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(leader_resident.language if leader_resident else None)
    data = f"{team.id}:{applicant.resident.id}"
    try:
        await replies.send_text(
            context.bot, leader.telegram_id,
            tr(context, lang, "team.leader_request",
               name=esc(applicant.resident.display_name or "?"), team=esc(team.name)),
            inline_keyboard([[(tr(context, lang, "team.approve"), f"tm:ok:{data}"),
                              (tr(context, lang, "team.reject"), f"tm:no:{data}")]]),
        )
    except (Forbidden, TelegramError):
        # The leader has not started the bot (or blocked it): the request waits in /to.
        return


async def decide(update: Update, context: AppContext) -> None:
    """A press on "Duyệt" / "Từ chối": checked against the database, then both sides told."""
    who = await caller(update, context)
    _, verdict, team_id, applicant_id = pressed(update)
    outcome = await context.services.teams.decide(
        who.resident, int(team_id), int(applicant_id), approve=verdict == "ok"
    )
    if outcome.result is Decision.NOT_LEADER:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    if outcome.result is Decision.NOT_PENDING or outcome.applicant is None or not outcome.team:
        await refuse(update, context, who.lang, "team.not_pending")
        return
    team, applicant = outcome.team, outcome.applicant
    name = esc(applicant.display_name or "?")
    await answer(update, context, who.lang, f"team.{outcome.result.value}_leader",
                 name=name, team=esc(team.name))
    if outcome.result is Decision.FULL or applicant.telegram_id is None:
        return
    lang = context.services.i18n.language(applicant.language)
    try:
        await replies.send_text(
            context.bot, applicant.telegram_id,
            tr(context, lang, f"team.{outcome.result.value}_you", team=esc(team.name)),
        )
    except TelegramError:
        return


async def my_teams(update: Update, context: AppContext) -> None:
    """/to: each of my teams; a leader also gets members, requests and the join link."""
    who = await caller(update, context)
    if not who.resident.has_consented:
        await answer(update, context, who.lang, "consent.required")
        return
    views = await context.services.teams.my_teams(who.resident)
    if not views:
        await answer(update, context, who.lang, "team.none")
        return
    for view in views:
        if view.membership.role == "leader":
            leader_view = await context.services.teams.leader_view(who.resident, view.team.id)
            if leader_view is not None:
                await _show_leader_view(update, context, who, leader_view)
                continue
        await _show_member_view(update, context, who, view)


async def _show_member_view(
    update: Update, context: AppContext, who: Caller, view: TeamView
) -> None:
    leader = view.leader.display_name if view.leader and view.leader.display_name else "—"
    status = "" if view.membership.state == "active" else tr(context, who.lang, "team.pending")
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(
        context.bot, chat.id,
        tr(context, who.lang, "team.card", team=esc(view.team.name),
           kind=esc(context.services.catalog.kind_name(view.team.kind, who.lang)),
           leader=esc(leader), count=view.active_members, status=status),
        inline_keyboard([[(tr(context, who.lang, "team.leave"), f"tm:leave:{view.team.id}")]]),
    )


async def _show_leader_view(
    update: Update, context: AppContext, who: Caller, view: LeaderView
) -> None:
    members = "\n".join(
        f"{index}. {esc(m.display_name or '?')}" + (" ★" if m.role == "leader" else "")
        for index, m in enumerate(view.members[:MAX_LISTED], start=1)
    )
    if len(view.members) > MAX_LISTED:
        members += "\n…"
    link = f"https://t.me/{context.bot.username}?start=join_{view.team.join_code}"
    text = tr(context, who.lang, "team.leader_card", team=esc(view.team.name),
              count=len(view.members), members=members or "—", pending=len(view.pending),
              code=esc(view.team.join_code), link=esc(link))
    rows = [
        [(f"✅ {p.display_name or '?'}", f"tm:ok:{view.team.id}:{p.resident_id}"),
         (f"✖ {p.display_name or '?'}", f"tm:no:{view.team.id}:{p.resident_id}")]
        for p in view.pending[:20]
    ]
    rows.append([(tr(context, who.lang, "team.remove_members"), f"tm:rmlist:{view.team.id}")])
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, text, inline_keyboard(rows))


async def removal_list(update: Update, context: AppContext) -> None:
    """Shows one button per member the leader may remove."""
    who = await caller(update, context)
    team_id = int(pressed(update)[-1])
    view = await context.services.teams.leader_view(who.resident, team_id)
    if view is None:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    rows = [[(f"➖ {m.display_name or '?'}", f"tm:rm:{team_id}:{m.resident_id}")]
            for m in view.members if m.role != "leader"][:90]
    if not rows:
        await refuse(update, context, who.lang, "team.nobody_to_remove")
        return
    await answer(update, context, who.lang, "team.choose_removal", rows, team=esc(view.team.name))


async def remove_member(update: Update, context: AppContext) -> None:
    """Removes one member (leader or officer only) and tells them."""
    who = await caller(update, context)
    _, _, team_id, member_id = pressed(update)
    member = await context.services.store.residents.get(int(member_id))
    removed = await context.services.teams.remove_member(who.resident, int(team_id),
                                                          int(member_id))
    team = await context.services.store.areas.team(int(team_id))
    if not removed or member is None or team is None:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    await answer(update, context, who.lang, "team.removed", name=esc(member.display_name or "?"),
                 team=esc(team.name))
    if member.telegram_id is not None:
        lang = context.services.i18n.language(member.language)
        try:
            await replies.send_text(
                context.bot, member.telegram_id,
                tr(context, lang, "team.removed_you", team=esc(team.name)),
            )
        except TelegramError:
            return


async def leave(update: Update, context: AppContext) -> None:
    """A member leaves a team (a press on "Rời tổ")."""
    who = await caller(update, context)
    team = await context.services.teams.leave(who.resident, int(pressed(update)[-1]))
    if team is None:
        await refuse(update, context, who.lang, "team.cannot_leave")
        return
    await answer(update, context, who.lang, "team.left", team=esc(team.name))


def build_conversation() -> Flow:
    """/thamgia, with the code or asking for it."""
    return conversation(
        "join",
        entry_points=[CommandHandler(["thamgia", "join"], join_command)],
        states={Step.CODE: [MessageHandler(~filters.COMMAND, code_sent)]},
        fallbacks=[],
        timeout_minutes=30,
    )


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CommandHandler(["to", "myteam"], my_teams),
        CallbackQueryHandler(decide, pattern=r"^tm:(ok|no):\d+:\d+$"),
        CallbackQueryHandler(removal_list, pattern=r"^tm:rmlist:\d+$"),
        CallbackQueryHandler(remove_member, pattern=r"^tm:rm:\d+:\d+$"),
        CallbackQueryHandler(leave, pattern=r"^tm:leave:\d+$"),
    ]
