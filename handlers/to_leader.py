""""Nhắn tổ trưởng" on a member's /to card, on every messenger: the member types a message and
it reaches their team leader on the leader's own messenger, through the outbox, with the
member's name (and the phone number they shared: the consent says leaders may use it to reach
them). A few an hour at most; audited without the text. Membership and the leader are read
from the database at every step."""

from __future__ import annotations

from bot.delivery import OutMessage
from bot.dialog import END, Flow, Kind, Turn
from bot.models import Member, Team
from bot.services.residents import display_phone
from bot.services.teams import LEADER_MESSAGES_PER_HOUR
from handlers.text import as_id, esc

FLOW = "to_leader"  # entered from the card's choice only (it has no command)
TEAM = "team"  # in the draft


async def start(turn: Turn) -> str:
    """Asks for the message to the leader of the team the choice names."""
    found = await _leader(turn, as_id(turn.text.strip()))
    if found is None:
        return END
    team, leader = found
    turn.data = {TEAM: team.id}
    phone = turn.t("team.with_phone") if turn.person.phone else ""
    await turn.ask(turn.t("team.ask_leader_message", leader=esc(leader.display_name or ""),
                          team=esc(team.name), phone=phone))
    return "typed"


async def typed(turn: Turn) -> str:
    """The message: queued to the leader; the member is told it went."""
    if turn.kind is not Kind.TEXT or not turn.text:
        await turn.say(turn.t("errors.blank_text"))
        return "typed"
    found = await _leader(turn, as_id(str(turn.data.get(TEAM, ""))))
    if found is None:
        return END
    team, leader = found
    services = turn.services
    recipient = await services.relays.recipient(leader.resident_id)
    person = await services.store.residents.get(leader.resident_id)
    if recipient is None or person is None:
        await turn.say(turn.t("team.cannot_write_leader"))
        return END
    lang = services.i18n.language(person.language)
    member = turn.person
    phone = services.i18n.t(lang, "team.leader_message_phone",
                            phone=display_phone(member.phone)) if member.phone else ""
    text = services.i18n.t(lang, "team.leader_message", name=esc(
        member.display_name or turn.display_name), team=esc(team.name), text=esc(turn.text),
        phone=phone)
    await services.delivery.enqueue("personal", OutMessage(text=text), [recipient],
                                    commune_id=team.commune_id, origin=f"team:{team.id}:leader",
                                    created_by=member.id)
    await services.teams.wrote_to_leader(member, team)
    await turn.say(turn.t("team.leader_message_sent", leader=esc(leader.display_name or "")))
    return END


async def _leader(turn: Turn, team_id: int | None) -> tuple[Team, Member] | None:
    """The team and its leader if the person may write to them now; else they are told why."""
    teams = turn.services.teams
    found = None if team_id is None else await teams.leader_to_write(turn.person, team_id)
    if found is None:
        await turn.say(turn.t("team.cannot_write_leader"))
        return None
    if not await teams.may_write_to_leader(turn.person):
        await turn.say(turn.t("team.leader_message_limit", max=LEADER_MESSAGES_PER_HOUR))
        return None
    return found


def build_flow() -> Flow:
    """The message to the leader; a command or a quarter of an hour's silence ends it."""
    return Flow(name=FLOW, commands=(), start=start, steps={"typed": typed},
                timeout_minutes=15, label="flows.to_leader")
