"""A leader's choices about shifts already planned, on every messenger: under "Ai đã đi tuần",
each member who checked in and is not confirmed yet is a choice — confirmed, they are thanked
on their own messenger and earn the patrol's points (content/points.toml `patrol_done`);
"Hủy ca, dừng lịch" lists the coming shifts to cancel and the weekly series to stop (their
members told). The role is read from the database at each press (services.patrol_leader)."""

from __future__ import annotations

from datetime import datetime

from bot.dialog import Action, Choice, Rows, Turn
from bot.models import PatrolAttendance, PatrolShift
from bot.services.patrols import ACTION
from handlers.text import as_id, clip, esc

CONFIRM = f"{ACTION}:ok"  # pt:ok:<shift id>:<resident id>
CANCEL_SHIFT = f"{ACTION}:cs"  # pt:cs:<shift id>
STOP_SERIES = f"{ACTION}:st"  # pt:st:<series id>
NAME_LIMIT = 30
MAX_LISTED = 10  # shifts, and series, offered to cancel at once


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


async def cancel_menu(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Hủy ca, dừng lịch": the team's coming shifts and weekly series, one choice each."""
    team_id = as_id(parts[0]) if len(parts) == 1 else None
    services = turn.services
    found = None if team_id is None else await services.patrol_leader.cancellable(
        turn.person, team_id)
    if found is None:
        await turn.refuse(turn.t("patrol.leaders_only"))
        return None
    shifts, series = found
    if not shifts and not series:
        await turn.say(turn.t("patrol.nothing_to_cancel"))
        return None
    rows: Rows = tuple((Choice(turn.t("patrol.cancel_shift", when=services.patrols.when(
        shift, turn.lang)), f"{CANCEL_SHIFT}:{shift.id}"),) for shift in shifts[:MAX_LISTED])
    rows += tuple((Choice(turn.t("patrol.stop_series", when=services.patrol_leader.series_when(
        one, turn.lang)), f"{STOP_SERIES}:{one.id}"),) for one in series[:MAX_LISTED])
    await turn.offer(turn.t("patrol.cancel_ask"), rows)
    return None


async def cancel_shift(turn: Turn, parts: tuple[str, ...]) -> None:
    """One shift cancelled (before it starts); its members are told."""
    leader, patrols = turn.services.patrol_leader, turn.services.patrols
    shift_id = as_id(parts[0]) if len(parts) == 1 else None
    shift = None if shift_id is None else await leader.cancel_shift(turn.person, shift_id)
    await _cancelled(turn, None if shift is None else turn.t(
        "patrol.shift_cancelled", when=patrols.when(shift, turn.lang)))


async def stop_series(turn: Turn, parts: tuple[str, ...]) -> None:
    """A weekly series stopped: its coming shifts cancelled, their members told."""
    leader = turn.services.patrol_leader
    series_id = as_id(parts[0]) if len(parts) == 1 else None
    series = None if series_id is None else await leader.stop_series(turn.person, series_id)
    await _cancelled(turn, None if series is None else turn.t(
        "patrol.series_stopped", when=leader.series_when(series, turn.lang)))


async def _cancelled(turn: Turn, said: str | None) -> None:
    """`said` once done; None: refused (not the leader, started, or done already)."""
    if said is None:
        await turn.refuse(turn.t("patrol.cancel_refused"))
        return
    await turn.close_press()
    await turn.say(said)


def _choices(turn: Turn, waiting: list[tuple[PatrolShift, PatrolAttendance]]) -> Rows:
    tz = turn.services.patrols.tz
    rows: Rows = ()
    for shift, part in waiting:
        day = datetime.fromisoformat(shift.starts_at).astimezone(tz).strftime("%d/%m")
        label = f"✅ {clip(part.display_name or '?', NAME_LIMIT)} ({day})"
        rows += ((Choice(label, f"{CONFIRM}:{shift.id}:{part.resident_id}"),),)
    return rows


def actions() -> list[Action]:
    return [Action(CONFIRM, confirm), Action(CANCEL_SHIFT, cancel_shift),
            Action(STOP_SERIES, stop_series)]
