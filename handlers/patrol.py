"""/tuantra (/patrol): the team's patrol roster, on every messenger — a member's coming shifts
with "Bắt đầu" / "Kết thúc" / "Không tham gia được" / "Nhờ người đổi ca" / "Báo tin từ ca tuần
tra" for the nearest; a leader's team schedule with "Lên lịch ca" (handlers/patrol_plan.py),
"Ai đã đi tuần" and "Hủy ca, dừng lịch".

The card's choices are actions (handlers/patrol_actions.py): a button works whenever it is
pressed, and so do those of the reminder each member gets before a shift. Where choices are
typed by number, the card stays open for the answer, as /to's does."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn
from bot.models import PatrolAttendance, PatrolShift, Team
from bot.services.patrols import ACTION
from handlers import help, patrol_actions
from handlers.text import esc

CARD = "card"


async def start(turn: Turn) -> str:
    """My shifts, and each team I lead's schedule, with their choices."""
    services, person = turn.services, turn.person
    if not person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    teams = await services.patrols.member_teams(person)
    if not teams:
        await turn.say(turn.t("patrol.no_team"))
        return END
    mine = await services.patrols.my_shifts(person)
    led = await services.patrols.led_teams(person)
    parts = [turn.t("patrol.title")]
    names = {team.id: team.name for team in teams}
    if mine:
        parts.append(turn.t("patrol.mine") + "\n" + "\n".join(
            _my_line(turn, shift, part, names) for shift, part in mine))
    else:
        parts.append(turn.t("patrol.mine_none"))
    for team in led:
        parts.append(await _schedule(turn, team))
    choices = _my_choices(turn, *mine[0]) if mine else ()
    for team in led:
        suffix = f" ({team.name})" if len(led) > 1 else ""
        choices += ((Choice(turn.t("patrol.plan") + suffix, f"{ACTION}:plan:{team.id}"),
                     Choice(turn.t("patrol.log") + suffix, f"{ACTION}:log:{team.id}")),
                    (Choice(turn.t("patrol.cancel_menu") + suffix, f"{ACTION}:cx:{team.id}"),))
    await turn.ask("\n\n".join(parts), choices)
    return CARD if turn.numbered and choices else END


async def card(turn: Turn) -> str:
    """A card's choice typed by its number or words does what its button does; anything
    else is answered as outside any flow."""
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    if value is None or not value.startswith(f"{ACTION}:"):
        return await help.outside(turn)
    chosen = await patrol_actions.act(turn, value)
    return chosen or END


def _my_line(turn: Turn, shift: PatrolShift, part: PatrolAttendance,
             names: dict[int, str]) -> str:
    if part.checked_out_at:
        state = "patrol.state_done"
    elif part.checked_in_at:
        state = "patrol.state_on"
    elif part.state == "declined":
        state = "patrol.state_declined"
    else:
        state = "patrol.state_assigned"
    return turn.t("patrol.my_line", when=turn.services.patrols.when(shift, turn.lang),
                  team=esc(names.get(shift.team_id, "")), state=turn.t(state))


def _my_choices(turn: Turn, shift: PatrolShift, part: PatrolAttendance) -> Rows:
    """What the person can do about their nearest shift."""
    on = f"{shift.id}"
    if part.checked_in_at and not part.checked_out_at:
        return ((Choice(turn.t("patrol.finish"), f"{ACTION}:out:{on}"),),
                (Choice(turn.t("patrol.report"), f"{ACTION}:rep:{on}"),))
    if part.checked_in_at:
        return ()
    if part.state == "declined":
        return ((Choice(turn.t("patrol.start"), f"{ACTION}:in:{on}"),),)
    return ((Choice(turn.t("patrol.start"), f"{ACTION}:in:{on}"),
             Choice(turn.t("patrol.decline"), f"{ACTION}:no:{on}")),
            (Choice(turn.t("patrol.swap"), f"{ACTION}:sw:{on}"),))


async def _schedule(turn: Turn, team: Team) -> str:
    """A team's coming shifts, for its leader: when, how many, the route."""
    services = turn.services
    lines = []
    for shift in await services.patrols.upcoming(team.id):
        people = await services.store.patrols.attendance(shift.id)
        going = sum(1 for p in people if p.state == "assigned")
        route = f" — {esc(shift.note)}" if shift.note else ""
        lines.append(turn.t("patrol.team_line", when=services.patrols.when(shift, turn.lang),
                            count=going, declined=len(people) - going, route=route))
    body = "\n".join(lines) if lines else turn.t("patrol.team_none")
    return turn.t("patrol.team_schedule", team=esc(team.name)) + "\n" + body


def build_flow() -> Flow:
    return Flow(name="patrol", commands=("tuantra", "patrol"), start=start,
                steps={CARD: card}, timeout_minutes=24 * 60)
