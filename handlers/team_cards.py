"""What /to shows, on every messenger: a member's card, and a leader's card with a page of
members, the requests waiting, the join code and how to invite. Each choice carries its action
(`tm:…`, handlers/team_actions.py), so a button works whenever it is pressed and a typed
number or label does the same.

A message holds at most 4,096 characters on Telegram (2,000 a part on Zalo, where a long text
goes in parts): the leader's card names a page of members at a time, each name cut to
NAME_LIMIT characters, and offers a choice for the first requests only."""

from __future__ import annotations

from bot.dialog import Choice, Rows, Turn
from bot.services.teams import LeaderView, TeamView
from handlers.text import clip

PAGE_SIZE = 25
NAME_LIMIT = 48
MAX_PENDING_CHOICES = 10
# Actions (prefix: what follows it): approve or reject a request (team:applicant), a page of
# the card (team:page), the members to remove (team[:page]), remove one (team:member), leave.
APPROVE, REJECT, PAGE, REMOVAL, REMOVE, LEAVE, WRITE = (
    "tm:ok", "tm:no", "tm:pg", "tm:rmlist", "tm:rm", "tm:leave", "tm:write")

Card = tuple[str, Rows]


def member_card(turn: Turn, view: TeamView) -> Card:
    """The team, its kind, its leader (or that it has none, or that they have not opened the
    bot yet) and size, whether the request waits; "Nhắn tổ trưởng" where the leader can be
    written to, and "Rời tổ"."""
    leader, active = view.leader, view.membership.state == "active"
    if leader is None:
        named = turn.t("team.no_leader")
    elif leader.display_name:
        named = turn.esc(leader.display_name)
    else:
        named = turn.t("team.leader_unknown")
    status = "" if active else turn.t("team.pending")
    text = turn.t("team.card", team=turn.esc(view.team.name),
                  kind=turn.esc(turn.services.catalog.kind_name(view.team.kind, turn.lang)),
                  leader=named, count=view.active_members, status=status)
    rows: Rows = ()
    if active and leader is not None and leader.display_name and (
            leader.resident_id != turn.person.id):
        rows = ((Choice(turn.t("team.write_leader"), f"{WRITE}:{view.team.id}"),),)
    return text, (*rows, (Choice(turn.t("team.leave"), f"{LEAVE}:{view.team.id}"),))


def leader_card(turn: Turn, view: LeaderView, page: int) -> Card:
    """The leader's card at one page of members, with its choices: counts and at most
    PAGE_SIZE names, so that a team of any size fits in one message."""
    team_id = view.team.id
    page, pages = page_of(page, len(view.members))
    first = page * PAGE_SIZE
    members = "\n".join(
        # Where choices are numbered lines, a numbered name would read as one: a bullet.
        f"{'•' if turn.numbered else f'{index}.'} "
        f"{turn.esc(clip(m.display_name or '?', NAME_LIMIT))}"
        + (" ★" if m.role == "leader" else "")
        for index, m in enumerate(view.members[first:first + PAGE_SIZE], start=first + 1)
    )
    if pages > 1:
        members += "\n" + turn.t("team.page", page=page + 1, pages=pages)
    code = view.team.join_code
    link = turn.start_link(f"join_{code}")
    invite = turn.t("team.invite_link", link=turn.esc(link)) if link else turn.t(
        "team.invite_words", code=turn.esc(code))
    text = turn.t("team.leader_card", team=turn.esc(view.team.name), count=len(view.members),
                  members=members or "—", pending=len(view.pending), code=turn.esc(code),
                  invite=invite)
    rows: Rows = tuple(
        (Choice(f"✅ {clip(p.display_name or '?', NAME_LIMIT)}",
                f"{APPROVE}:{team_id}:{p.resident_id}"),
         Choice(f"✖ {clip(p.display_name or '?', NAME_LIMIT)}",
                f"{REJECT}:{team_id}:{p.resident_id}"))
        for p in view.pending[:MAX_PENDING_CHOICES])
    return text, (*rows, *pager(turn, f"{PAGE}:{team_id}", page, pages),
                  (Choice(turn.t("team.remove_members"), f"{REMOVAL}:{team_id}:0"),))


def joined(cards: list[tuple[str, Card]]) -> Card:
    """Several teams' cards as one message (where choices are typed by number, so that each
    number means one thing): each choice names its team."""
    text = "\n\n".join(card[0] for _, card in cards)
    choices = tuple((Choice(f"{choice.label} ({name})", choice.value),)
                    for name, (_, rows) in cards for row in rows for choice in row)
    return text, choices


def page_of(page: int, count: int) -> tuple[int, int]:
    """(the page, clamped, counted from 0; how many pages) for `count` items."""
    pages = max(1, -(-count // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


def pager(turn: Turn, prefix: str, page: int, pages: int) -> Rows:
    """A row with "◀ Trước" and/or "Sau ▶" (values `prefix:page`); none on one page."""
    row = []
    if page > 0:
        row.append(Choice(turn.t("team.previous_page"), f"{prefix}:{page - 1}"))
    if page < pages - 1:
        row.append(Choice(turn.t("team.next_page"), f"{prefix}:{page + 1}"))
    return (tuple(row),) if row else ()
