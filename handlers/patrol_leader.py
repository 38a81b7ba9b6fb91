"""A leader's choices about shifts already planned, on every messenger: under "Ai đã đi tuần",
each member who checked in and is not confirmed yet is a choice — confirmed, they are thanked
on their own messenger and earn the patrol's points (content/points.toml `patrol_done`). The
role is read from the database at each press (services.patrol_leader)."""

from __future__ import annotations

from datetime import datetime

from bot.dialog import Action, Choice, Rows, Turn
from bot.models import PatrolAttendance, PatrolShift
from bot.services.patrols import ACTION
from handlers.text import as_id, clip, esc

CONFIRM = f"{ACTION}:ok"  # pt:ok:<shift id>:<resident id>
NAME_LIMIT = 30


async def offer_confirm(turn: Turn, team_id: int) -> None:
    """Who checked in on the team's latest shifts and awaits the leader's confirmation."""
    waiting = await turn.services.patrol_leader.to_confirm(turn.person, team_id)
    if waiting:
        await turn.offer(turn.t("patrol.confirm_ask"), _choices(turn, waiting))


async def confirm(turn: Turn, parts: tuple[str, ...]) -> None:
    """One member's shift confirmed: thanked, their points; the choice goes from the list."""
    ids = [as_id(part) for part in parts] if len(parts) == 2 else [None, None]
    shift_id, member_id = ids
    if shift_id is None or member_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    services = turn.services
    done = await services.patrol_leader.confirm(turn.person, shift_id, member_id)
    if done is None:
        await turn.refuse(turn.t("patrol.confirm_refused"))
        return
    shift, part = done
    await turn.notify(turn.t("patrol.confirmed", name=esc(part.display_name or "?"),
                             when=services.patrols.when(shift, turn.lang)))
    remaining = await services.patrol_leader.to_confirm(turn.person, shift.team_id)
    if remaining:
        await turn.offer(turn.t("patrol.confirm_ask"), _choices(turn, remaining),
                         in_place=True)
    else:
        await turn.close_press()


def _choices(turn: Turn, waiting: list[tuple[PatrolShift, PatrolAttendance]]) -> Rows:
    tz = turn.services.patrols.tz
    rows: Rows = ()
    for shift, part in waiting:
        day = datetime.fromisoformat(shift.starts_at).astimezone(tz).strftime("%d/%m")
        label = f"✅ {clip(part.display_name or '?', NAME_LIMIT)} ({day})"
        rows += ((Choice(label, f"{CONFIRM}:{shift.id}:{part.resident_id}"),),)
    return rows


def actions() -> list[Action]:
    return [Action(CONFIRM, confirm)]
