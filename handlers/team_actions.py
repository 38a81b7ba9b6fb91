"""What the choices of /to (and of a join request) do, on every messenger: a leader's "Duyệt"
/ "Từ chối", another page of members, the members to remove and removing one, a member
leaving. Each is an action (bot/dialog): a button pressed whenever, or — where choices are
typed — a number or label typed while /to's card is open (handlers/teams.py passes it on).

Every choice's ids are checked: a crafted or out-of-date one is answered as a stale button,
and the role is read from the database on every choice (services.teams)."""

from __future__ import annotations

from bot.dialog import Action, Choice, Turn
from bot.models import Resident, Team
from bot.services.team_notices import tell_member
from bot.services.teams import Decision, LeaderView
from handlers.team_cards import (
    APPROVE,
    LEAVE,
    NAME_LIMIT,
    PAGE,
    PAGE_SIZE,
    REJECT,
    REMOVAL,
    REMOVE,
    WRITE,
    leader_card,
    page_of,
    pager,
)
from handlers.text import clip
from handlers.to_leader import FLOW as TO_LEADER

MAX_PAGE_DIGITS = 6


async def decide(turn: Turn, parts: tuple[str, ...], *, approve: bool) -> None:
    """"Duyệt" / "Từ chối": checked against the database, then both sides told (the
    applicant through the outbox, on their preferred messenger)."""
    ids = _ids(parts, 2)
    if ids is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    services = turn.services
    outcome = await services.teams.decide(turn.person, ids[0], ids[1], approve=approve)
    if outcome.result is Decision.NOT_LEADER:
        await turn.refuse(turn.t("errors.not_allowed"))
        return
    if outcome.result is Decision.NOT_PENDING or outcome.applicant is None or not outcome.team:
        await turn.refuse(turn.t("team.not_pending"))
        return
    team, applicant = outcome.team, outcome.applicant
    await turn.ask(turn.t(f"team.{outcome.result.value}_leader", team=turn.esc(team.name),
                          name=turn.esc(applicant.display_name or "?")), replace=True)
    if outcome.result is Decision.FULL:
        return
    by_officer = "_by_officer" if outcome.result is Decision.APPROVED and outcome.by == (
        "officer") else ""
    await tell(turn, applicant, team, f"team.{outcome.result.value}_you{by_officer}",
                f"join:{team.id}:{applicant.id}")


async def approve(turn: Turn, parts: tuple[str, ...]) -> None:
    await decide(turn, parts, approve=True)


async def reject(turn: Turn, parts: tuple[str, ...]) -> None:
    await decide(turn, parts, approve=False)


async def page(turn: Turn, parts: tuple[str, ...]) -> None:
    """"◀ Trước" / "Sau ▶" on the leader's card: another page, in place where it can be."""
    found = await _leader_view(turn, parts)
    if found is not None:
        view, number = found
        await turn.ask(*leader_card(turn, view, number), replace=True)


async def removal_list(turn: Turn, parts: tuple[str, ...]) -> None:
    """One choice per member the leader may remove, a page at a time."""
    found = await _leader_view(turn, parts)
    if found is None:
        return
    view, number = found
    removable = [m for m in view.members if m.role != "leader"]
    if not removable:
        await turn.refuse(turn.t("team.nobody_to_remove"))
        return
    number, pages = page_of(number, len(removable))
    first = number * PAGE_SIZE
    team_id = view.team.id
    rows = tuple((Choice(f"➖ {clip(m.display_name or '?', NAME_LIMIT)}",
                         f"{REMOVE}:{team_id}:{m.resident_id}"),)
                 for m in removable[first:first + PAGE_SIZE])
    await turn.ask(turn.t("team.choose_removal", team=turn.esc(view.team.name)),
                   (*rows, *pager(turn, f"{REMOVAL}:{team_id}", number, pages)), replace=True)


async def remove(turn: Turn, parts: tuple[str, ...]) -> None:
    """Removes one member (leader or officer only); they are told on their messenger."""
    ids = _ids(parts, 2)
    if ids is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    services = turn.services
    team_id, member_id = ids
    member = await services.store.residents.get(member_id)
    removed = await services.teams.remove_member(turn.person, team_id, member_id)
    team = await services.store.areas.team(team_id)
    if not removed or member is None or team is None:
        await turn.refuse(turn.t("errors.not_allowed"))
        return
    await turn.ask(turn.t("team.removed", name=turn.esc(member.display_name or "?"),
                          team=turn.esc(team.name)), replace=True)
    await tell(turn, member, team, "team.removed_you", f"team:{team.id}:removed:{member.id}")


async def leave(turn: Turn, parts: tuple[str, ...]) -> None:
    """A member leaves a team ("Rời tổ"); a leader cannot."""
    ids = _ids(parts, 1)
    if ids is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    team = await turn.services.teams.leave(turn.person, ids[0])
    if team is None:
        await turn.refuse(turn.t("team.cannot_leave"))
        return
    await turn.ask(turn.t("team.left", team=turn.esc(team.name)), replace=True)


async def write(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Nhắn tổ trưởng": the flow that asks for the message (handlers/to_leader.py)."""
    ids = _ids(parts, 1)
    if ids is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return None
    return f"/{TO_LEADER} {ids[0]}"


def actions() -> list[Action]:
    return [Action(APPROVE, approve), Action(REJECT, reject), Action(PAGE, page),
            Action(REMOVAL, removal_list), Action(REMOVE, remove), Action(LEAVE, leave),
            Action(WRITE, write)]


async def act(turn: Turn, value: str) -> str | bool:
    """Do what a typed choice of /to's card names: True when done, the "/flow argument" it
    starts, False for a value that is no team action."""
    for action in actions():
        if value.startswith(action.prefix + ":"):
            started = await action.handle(turn, tuple(value[len(action.prefix) + 1:].split(":")))
            return started or True
    return False


async def _leader_view(turn: Turn, parts: tuple[str, ...]) -> tuple[LeaderView, int] | None:
    """The team's leader view and the page asked for; None once the choice is answered
    (stale when crafted, refused unless the person leads the team or is its officer)."""
    ids = _ids(parts[:1], 1)
    page_part = parts[1] if len(parts) > 1 else "0"
    if ids is None or len(parts) > 2 or not _is_page(page_part):
        await turn.refuse(turn.t("errors.stale_button"))
        return None
    view = await turn.services.teams.leader_view(turn.person, ids[0])
    if view is None:
        await turn.refuse(turn.t("errors.not_allowed"))
        return None
    return view, int(page_part)


async def tell(turn: Turn, person: Resident, team: Team, key: str, origin: str) -> None:
    """A message to someone else about their membership, through the outbox."""
    services = turn.services
    await tell_member(services.relays, services.delivery, services.i18n, person, team, key,
                      origin)


def _is_page(part: str) -> bool:
    return part.isascii() and part.isdigit() and len(part) <= MAX_PAGE_DIGITS


def _ids(parts: tuple[str, ...], count: int) -> list[int] | None:
    """`count` ids (ASCII digits, 1 to SQLite's largest INTEGER); None if any is not one."""
    if len(parts) != count:
        return None
    ids = [int(p) if p.isascii() and p.isdigit() and len(p) <= 19 else 0 for p in parts]
    return ids if all(0 < i < 2**63 for i in ids) else None
