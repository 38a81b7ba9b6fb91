"""/to (/myteam): my teams, on every messenger — a member's card with "Rời tổ"; a leader's
card with the members a page at a time, the requests waiting, the join code and how to
invite, and "Xóa thành viên" (handlers/team_cards.py). Joining is handlers/join.py.

The cards' choices are actions (handlers/team_actions.py): a button works whenever it is
pressed. Where choices are typed by number, the card stays open for the answer (a day, or
until another flow starts), and anything else is answered as a message outside any flow."""

from __future__ import annotations

from bot.dialog import END, Flow, Kind, Turn
from handlers import help, team_actions
from handlers.team_cards import Card, joined, leader_card, member_card

CARD = "card"


async def start(turn: Turn) -> str:
    """Each of my teams' cards; a leader's is their team's leader card. An officer names a
    team of their commune ("/to HN01") to see its members and requests."""
    if turn.text.strip() and await turn.services.officers.communes_of(turn.person):
        return await _officer_view(turn, turn.text.strip())
    if not turn.person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    teams = turn.services.teams
    cards: list[tuple[str, Card]] = []
    for view in await teams.my_teams(turn.person):
        leading = await teams.leader_view(turn.person, view.team.id) if (
            view.membership.role == "leader") else None
        cards.append((view.team.name, leader_card(turn, leading, 0) if leading is not None
                      else member_card(turn, view)))
    if not cards:
        officer = bool(await turn.services.officers.communes_of(turn.person))
        await turn.say(turn.t("team.none_officer" if officer else "team.none"))
        return END
    if turn.numbered and len(cards) > 1:
        cards = [("", joined(cards))]
    for _, (text, choices) in cards:
        await turn.ask(text, choices)
    return CARD if turn.numbered else END


async def _officer_view(turn: Turn, typed: str) -> str:
    """A team of the officer's communes, by its code or join code: its leader card (the
    members a page at a time, the requests, the code); another commune's is not found."""
    services = turn.services
    team = await services.officers.find_team(turn.person, typed)
    view = None if team is None else await services.teams.leader_view(turn.person, team.id)
    if view is None:
        await turn.say(turn.t("team.no_such_team", code=turn.esc(typed)))
        return END
    text, choices = leader_card(turn, view, 0)
    await turn.ask(text, choices)
    return CARD if turn.numbered else END


async def card(turn: Turn) -> str:
    """A card's choice typed by its number or words: does what its button does (and stays
    open where it shows another list); anything else is answered as outside any flow."""
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    done = False if value is None else await team_actions.act(turn, value)
    if not done:
        return await help.outside(turn)
    if isinstance(done, str):  # the choice starts a flow ("Nhắn tổ trưởng")
        return done
    return CARD if turn.asked else END


def build_flow() -> Flow:
    return Flow(name="teams", commands=("to", "myteam"), start=start, steps={CARD: card},
                timeout_minutes=24 * 60)
