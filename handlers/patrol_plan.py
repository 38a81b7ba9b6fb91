"""A leader plans a patrol shift (from /tuantra's "Lên lịch ca"), on every messenger: the day
and time typed the Vietnamese way ("thứ Bảy 21:00-23:00", "30/11 21:00-23:00"), once or
every week, the whole team or chosen members, an optional route or note, then "Lưu" / "Hủy".
The role is read from the database at every step; the plan is audited and the members of its
first shift are told through the outbox (services.patrols)."""

from __future__ import annotations

from datetime import datetime

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn, rows_of
from bot.services.patrol_times import PastWindow, Window, parse_window
from handlers.text import as_id, clip, esc

NOTE_LIMIT = 300
ONCE, WEEKLY = "once", "weekly"
ALL, DONE, SKIP, SAVE, CANCEL = "all", "done", "skip", "save", "cancel"
MEMBER = "m:"  # a member toggled: m:<resident id>


async def start(turn: Turn) -> str:
    """Started with the team's id (the leader's choice); asks when."""
    team_id = as_id(turn.text)
    team = None if team_id is None else await turn.services.patrols.led_team(turn.person,
                                                                             team_id)
    if team is None:
        await turn.refuse(turn.t("patrol.leaders_only"))
        return END
    turn.data = {"team": team.id, "team_name": team.name, "members": []}
    await turn.ask(turn.t("patrol.ask_when", team=esc(team.name)), replace=True)
    return "when"


async def when(turn: Turn) -> str:
    """Reads the typed day and window; asks whether it repeats every week."""
    if not await _still_leading(turn):
        return END
    services = turn.services
    try:
        window = parse_window(turn.text, services.clock.now(), services.patrols.tz) if (
            turn.kind is Kind.TEXT) else None
    except PastWindow:
        await turn.say(turn.t("patrol.past", typed=esc(turn.text)))
        return "when"
    if window is None:
        await turn.say(turn.t("patrol.bad_when", typed=esc(turn.text)))
        return "when"
    turn.data.update(starts=window.starts.isoformat(), ends=window.ends.isoformat())
    if window.weekly:
        turn.data["weekly"] = True
        return await _ask_members(turn)
    await turn.ask(turn.t("patrol.ask_repeat", when=_when(turn)), (
        (Choice(turn.t("patrol.once"), ONCE), Choice(turn.t("patrol.weekly"), WEEKLY)),))
    return "repeat"


async def repeat(turn: Turn) -> str:
    """Once or every week; asks who goes."""
    if not await _still_leading(turn):
        return END
    choice = turn.input.choice if turn.kind is Kind.CHOICE else None
    if choice not in (ONCE, WEEKLY):
        await turn.ask(turn.t("flows.choose_below"), turn.choices)
        return "repeat"
    turn.data["weekly"] = choice == WEEKLY
    return await _ask_members(turn, replace=True)


async def members(turn: Turn) -> str:
    """"Cả tổ", or members toggled one at a time then "Xong"; asks for the route."""
    if not await _still_leading(turn):
        return END
    choice = turn.input.choice if turn.kind is Kind.CHOICE else ""
    chosen: list[int] = turn.data["members"]
    if choice == ALL:
        turn.data["members"] = None
    elif choice and choice.startswith(MEMBER) and (member := as_id(choice[2:])) is not None:
        if member in chosen:
            chosen.remove(member)
        else:
            chosen.append(member)
        return await _ask_members(turn, replace=True)
    elif choice != DONE or not chosen:
        return await _ask_members(turn)
    await turn.ask(turn.t("patrol.ask_note"), ((Choice(turn.t("patrol.skip_note"), SKIP),),),
                   replace=True)
    return "note"


async def note(turn: Turn) -> str:
    """Stores the route or note ("Bỏ qua": none); shows the summary with "Lưu" / "Hủy"."""
    if not await _still_leading(turn):
        return END
    if turn.kind is Kind.TEXT:
        typed = await turn.typed(NOTE_LIMIT, "patrol.note_too_long")
        if typed is None:
            return "note"
        turn.data["note"] = typed
    elif not (turn.kind is Kind.CHOICE and turn.input.choice == SKIP):
        await turn.ask(turn.t("patrol.ask_note"), turn.choices)
        return "note"
    chosen = turn.data["members"]
    names = turn.t("patrol.everyone") if chosen is None else ", ".join(
        esc(name) for member, name in await turn.services.patrols.active_members(
            int(turn.data["team"])) if member in chosen)
    note_line = turn.t("patrol.route", note=esc(turn.data["note"])) if turn.data.get(
        "note") else ""
    await turn.ask(turn.t("patrol.summary", team=esc(turn.data["team_name"]), when=_when(turn),
                          weekly=turn.t("patrol.weekly_note") if turn.data["weekly"] else "",
                          members=names, note=note_line),
                   ((Choice(turn.t("patrol.save"), SAVE), Choice(turn.t("patrol.cancel"),
                                                                 CANCEL)),), replace=True)
    return "confirm"


async def confirm(turn: Turn) -> str:
    """"Lưu" plans it (once: the flow ends), "Hủy" drops it."""
    choice = turn.input.choice if turn.kind is Kind.CHOICE else None
    if choice == CANCEL:
        await turn.ask(turn.t("patrol.plan_cancelled"), replace=True)
        return END
    if choice != SAVE:
        await turn.ask(turn.t("flows.choose_below"), turn.choices)
        return "confirm"
    draft = turn.data
    window = Window(datetime.fromisoformat(draft["starts"]), datetime.fromisoformat(
        draft["ends"]), bool(draft["weekly"]))
    planned = await turn.services.patrols.plan(turn.person, int(draft["team"]), window,
                                               draft["members"], draft.get("note"))
    if planned is None:
        await turn.refuse(turn.t("patrol.leaders_only"))
        return END
    await turn.ask(turn.t("patrol.planned", team=esc(planned.team.name), when=_when(turn),
                          count=len(planned.shifts)), replace=True)
    return END


async def _ask_members(turn: Turn, *, replace: bool = False) -> str:
    chosen = turn.data["members"] or []
    people = await turn.services.patrols.active_members(int(turn.data["team"]))
    rows: Rows = ((Choice(turn.t("patrol.everyone"), ALL),),)
    rows += rows_of([Choice(("✓ " if member in chosen else "") + clip(name, 30),
                            f"{MEMBER}{member}") for member, name in people], 2)
    rows += ((Choice(turn.t("patrol.members_done"), DONE),),)
    await turn.ask(turn.t("patrol.ask_members", when=_when(turn)), rows, replace=replace)
    return "members"


async def _still_leading(turn: Turn) -> bool:
    if await turn.services.patrols.led_team(turn.person, int(turn.data["team"])) is not None:
        return True
    turn.data = {}
    await turn.refuse(turn.t("patrol.leaders_only"))
    return False


def _when(turn: Turn) -> str:
    tz = turn.services.patrols.tz
    starts = datetime.fromisoformat(turn.data["starts"]).astimezone(tz)
    ends = datetime.fromisoformat(turn.data["ends"]).astimezone(tz)
    day = turn.t("patrol.weekdays").split(",")[starts.weekday()].strip()
    return f"{day} {starts:%d/%m}, {starts:%H:%M}–{ends:%H:%M}"


def build_flow() -> Flow:
    """Entered from /tuantra's "Lên lịch ca" with the team's id; an hour to finish."""
    return Flow(name="patrol_plan", commands=(), start=start,
                steps={"when": when, "repeat": repeat, "members": members, "note": note,
                       "confirm": confirm},
                timeout_minutes=60, label="flows.patrol_plan", cancelled="patrol.plan_cancelled")
