"""Teams: /to for members and leaders (a page of members at a time), leaving and removing
members. Joining is handlers/join.py."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
)

from bot import replies
from bot.context import AppContext
from bot.replies import inline_keyboard
from bot.services.teams import LeaderView, TeamView
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

log = logging.getLogger(__name__)

# A message holds at most 4,096 characters: the leader's card names a page of members at a
# time, each name cut to NAME_LIMIT characters, and offers a button for the first requests.
PAGE_SIZE = 25
NAME_LIMIT = 48
MAX_PENDING_BUTTONS = 10


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


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CommandHandler(["to", "myteam"], my_teams),
        CallbackQueryHandler(leader_page, pattern=r"^tm:pg:\d+:\d+$"),
        CallbackQueryHandler(removal_list, pattern=r"^tm:rmlist:\d+(:\d+)?$"),
        CallbackQueryHandler(remove_member, pattern=r"^tm:rm:\d+:\d+$"),
        CallbackQueryHandler(leave, pattern=r"^tm:leave:\d+$"),
    ]
