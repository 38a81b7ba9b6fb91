"""Teams: /thamgia, the leader's "Duyệt" / "Từ chối", /to, leaving and removing members."""

from __future__ import annotations

import enum
import logging
import math

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
from bot.models import Member, Team
from bot.replies import Markup, inline_keyboard
from bot.services.teams import Decision, JoinResult, LeaderView, TeamView, minutes
from handlers.common import (
    Caller,
    answer,
    caller,
    clip,
    esc,
    pressed,
    pressed_ids,
    refuse,
    stale,
    tr,
)
from handlers.flows import Flow, conversation

log = logging.getLogger(__name__)

# A message holds at most 4,096 characters: the leader's card names a page of members at a
# time, each name cut to NAME_LIMIT characters, and offers a button for the first requests.
PAGE_SIZE = 25
NAME_LIMIT = 48
MAX_PENDING_BUTTONS = 10


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
    """Files the request and sends the leader the decision buttons (not for a request refused
    by the rules: throttled, another commune, recently rejected); a leader the bot cannot reach
    (never opened it, or blocked it) leaves the request with the commune's officers, and the
    resident is told so rather than promised an answer that cannot come."""
    outcome = await context.services.teams.request_join(who.resident, code)
    result, team = outcome.result, outcome.team
    if result is JoinResult.TOO_MANY_TRIES:  # the same answer whether the code exists or not
        await answer(update, context, who.lang, "team.too_many_tries", edit=False,
                     minutes=minutes(outcome.wait))
        return
    if result is JoinResult.OTHER_COMMUNE:  # names no team, only the resident's own commune
        commune = outcome.commune.name if outcome.commune else "—"
        await answer(update, context, who.lang, "team.other_commune", edit=False,
                     commune=esc(commune))
        return
    if result is JoinResult.UNKNOWN_CODE or team is None:
        await answer(update, context, who.lang, "team.unknown_code", edit=False)
        return
    if result is JoinResult.RECENTLY_REJECTED:
        await answer(update, context, who.lang, "team.recently_rejected", edit=False,
                     team=esc(team.name), hours=math.ceil(minutes(outcome.wait) / 60))
        return
    key = f"team.{result.value}"
    if result is JoinResult.REQUESTED and outcome.tell_leader and not await _tell_leader(
            context, team, outcome.leader, who):
        why = "no_leader" if outcome.leader is None else "leader_unreachable"
        key = f"team.requested_{why}"
        await _tell_officers(context, team, who, why)
    await answer(update, context, who.lang, key, edit=False, team=esc(team.name))


def _decision_buttons(context: AppContext, lang: str, team: Team, applicant: Caller) -> Markup:
    data = f"{team.id}:{applicant.resident.id}"
    return inline_keyboard([[(tr(context, lang, "team.approve"), f"tm:ok:{data}"),
                             (tr(context, lang, "team.reject"), f"tm:no:{data}")]])


async def _tell_leader(
    context: AppContext, team: Team, leader: Member | None, applicant: Caller
) -> bool:
    """The request with "Duyệt" / "Từ chối" in the leader's chat; False when it cannot get
    there (no leader, or Telegram refuses: the leader never opened the bot or blocked it)."""
    if leader is None or leader.telegram_id is None:
        return False
    services = context.services
    leader_resident = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(leader_resident.language if leader_resident else None)
    try:
        await replies.send_text(
            context.bot, leader.telegram_id,
            tr(context, lang, "team.leader_request",
               name=esc(applicant.resident.display_name or "?"), team=esc(team.name)),
            _decision_buttons(context, lang, team, applicant),
        )
    except TelegramError:
        return False
    return True


async def _tell_officers(context: AppContext, team: Team, applicant: Caller, why: str) -> None:
    """The request, with the decision buttons and why the leader did not get it, in the
    commune's staff group (each officer privately when there is no group or it cannot be
    reached): any officer of the commune may decide."""
    services = context.services
    lang = services.i18n.default
    text = tr(context, lang, "team.officer_request",
              name=esc(applicant.resident.display_name or "?"), team=esc(team.name),
              reason=tr(context, lang, f"team.reason_{why}"))
    markup = _decision_buttons(context, lang, team, applicant)
    commune = await services.store.areas.commune(team.commune_id)
    if commune is not None and commune.staff_chat_id is not None:
        try:
            await replies.send_text(context.bot, commune.staff_chat_id, text, markup)
        except TelegramError as error:
            log.warning("could not tell the staff group of %s about a join request: %s",
                        commune.code, error)
        else:
            return
    for officer in await services.store.residents.officers(team.commune_id):
        if officer.telegram_id is None:
            continue
        try:
            await replies.send_text(context.bot, officer.telegram_id, text, markup)
        except TelegramError:
            continue


async def decide(update: Update, context: AppContext) -> None:
    """A press on "Duyệt" / "Từ chối": checked against the database, then both sides told."""
    ids = pressed_ids(update, 2, 3)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    team_id, applicant_id = ids
    outcome = await context.services.teams.decide(
        who.resident, team_id, applicant_id, approve=pressed(update)[1] == "ok"
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
    by_officer = "_by_officer" if outcome.result is Decision.APPROVED and outcome.by == (
        "officer") else ""
    try:
        await replies.send_text(
            context.bot, applicant.telegram_id,
            tr(context, lang, f"team.{outcome.result.value}_you{by_officer}",
               team=esc(team.name)),
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
    text, rows = _leader_card(context, who.lang, view, 0)
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id, text, inline_keyboard(rows))


async def leader_page(update: Update, context: AppContext) -> None:
    """"◀ Trước" / "Sau ▶" on the leader's card: another page of members (role checked)."""
    pressed_view = await _paged_view(update, context)
    if pressed_view is None:
        return
    who, view, page = pressed_view
    text, rows = _leader_card(context, who.lang, view, page)
    query = update.callback_query
    assert query is not None and query.message is not None
    await replies.answer_press(context.bot, query.id)
    await replies.edit_text(context.bot, query.message.chat.id, query.message.message_id, text,
                            inline_keyboard(rows))


def _leader_card(
    context: AppContext, lang: str, view: LeaderView, page: int
) -> tuple[str, list[list[tuple[str, str]]]]:
    """The leader's card at one page of members, with its buttons: counts and at most
    PAGE_SIZE names, so that a team of any size fits in one Telegram message."""
    team_id = view.team.id
    page, pages = _page_of(page, len(view.members))
    first = page * PAGE_SIZE
    members = "\n".join(
        f"{index}. {esc(clip(m.display_name or '?', NAME_LIMIT))}"
        + (" ★" if m.role == "leader" else "")
        for index, m in enumerate(view.members[first:first + PAGE_SIZE], start=first + 1)
    )
    if pages > 1:
        members += "\n" + tr(context, lang, "team.page", page=page + 1, pages=pages)
    link = f"https://t.me/{context.bot.username}?start=join_{view.team.join_code}"
    text = tr(context, lang, "team.leader_card", team=esc(view.team.name),
              count=len(view.members), members=members or "—", pending=len(view.pending),
              code=esc(view.team.join_code), link=esc(link))
    rows = [
        [(f"✅ {clip(p.display_name or '?', NAME_LIMIT)}", f"tm:ok:{team_id}:{p.resident_id}"),
         (f"✖ {clip(p.display_name or '?', NAME_LIMIT)}", f"tm:no:{team_id}:{p.resident_id}")]
        for p in view.pending[:MAX_PENDING_BUTTONS]
    ]
    rows += _pager(context, lang, f"tm:pg:{team_id}", page, pages)
    rows.append([(tr(context, lang, "team.remove_members"), f"tm:rmlist:{team_id}:0")])
    return text, rows


async def _paged_view(
    update: Update, context: AppContext
) -> tuple[Caller, LeaderView, int] | None:
    """The caller, the team's leader view and the page a pager press asks for; None once the
    press is answered (stale when crafted, refused unless the caller leads the team)."""
    ids, page = pressed_ids(update, 2), _page_pressed(update)
    if ids is None or page is None:
        await stale(update, context)
        return None
    who = await caller(update, context)
    view = await context.services.teams.leader_view(who.resident, ids[0])
    if view is None:
        await refuse(update, context, who.lang, "errors.not_allowed")
        return None
    return who, view, page


def _page_pressed(update: Update) -> int | None:
    """The page number a pager button carries (its 4th part, 0 when absent); None if crafted."""
    parts = pressed(update)
    if len(parts) < 4:
        return 0
    digits = parts[3]
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 6 else None


def _page_of(page: int, count: int) -> tuple[int, int]:
    """(the page, clamped, counted from 0; how many pages) for `count` items."""
    pages = max(1, -(-count // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


def _pager(
    context: AppContext, lang: str, prefix: str, page: int, pages: int
) -> list[list[tuple[str, str]]]:
    """A row with "◀ Trước" and/or "Sau ▶" (callback data `prefix:page`); none on one page."""
    row = []
    if page > 0:
        row.append((tr(context, lang, "team.previous_page"), f"{prefix}:{page - 1}"))
    if page < pages - 1:
        row.append((tr(context, lang, "team.next_page"), f"{prefix}:{page + 1}"))
    return [row] if row else []


async def removal_list(update: Update, context: AppContext) -> None:
    """Shows one button per member the leader may remove, a page at a time."""
    pressed_view = await _paged_view(update, context)
    if pressed_view is None:
        return
    who, view, page = pressed_view
    team_id = view.team.id
    removable = [m for m in view.members if m.role != "leader"]
    if not removable:
        await refuse(update, context, who.lang, "team.nobody_to_remove")
        return
    page, pages = _page_of(page, len(removable))
    first = page * PAGE_SIZE
    rows = [[(f"➖ {clip(m.display_name or '?', NAME_LIMIT)}", f"tm:rm:{team_id}:{m.resident_id}")]
            for m in removable[first:first + PAGE_SIZE]]
    rows += _pager(context, who.lang, f"tm:rmlist:{team_id}", page, pages)
    await answer(update, context, who.lang, "team.choose_removal", rows, team=esc(view.team.name))


async def remove_member(update: Update, context: AppContext) -> None:
    """Removes one member (leader or officer only) and tells them."""
    ids = pressed_ids(update, 2, 3)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    team_id, member_id = ids
    member = await context.services.store.residents.get(member_id)
    removed = await context.services.teams.remove_member(who.resident, team_id, member_id)
    team = await context.services.store.areas.team(team_id)
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
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    team = await context.services.teams.leave(who.resident, ids[0])
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
        CallbackQueryHandler(leader_page, pattern=r"^tm:pg:\d+:\d+$"),
        CallbackQueryHandler(removal_list, pattern=r"^tm:rmlist:\d+(:\d+)?$"),
        CallbackQueryHandler(remove_member, pattern=r"^tm:rm:\d+:\d+$"),
        CallbackQueryHandler(leave, pattern=r"^tm:leave:\d+$"),
    ]
