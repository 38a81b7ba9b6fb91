"""What the choices of /tuantra and of a shift's reminder do, on every messenger — "Bắt đầu",
"Kết thúc" (then an optional note), "Không tham gia được" (then the reason; the leader is
told), "Nhờ người đổi ca" (handlers/patrol_swap.py), "Báo tin từ ca tuần tra" (/baotin linked
to the shift), and a leader's "Lên lịch ca", "Ai đã đi tuần" and "Hủy ca, dừng lịch"
(handlers/patrol_leader.py). Each is an action (bot/dialog): a button pressed whenever, or a number
or label typed in answer to the message that offered it. Every id is checked against the
database: a crafted or out-of-date one changes nothing."""

from __future__ import annotations

from datetime import datetime

from bot.dialog import END, Action, Choice, Flow, Kind, Turn
from bot.models import PatrolAttendance, PatrolShift
from bot.services.patrols import ACTION, CHECK_IN_EARLY, Check
from handlers import patrol_leader, patrol_swap
from handlers.text import as_id, esc

REASON_LIMIT = 200
NOTE_LIMIT = 500
SKIP = "skip"
REASONS = ("patrol.reason_family", "patrol.reason_sick", "patrol.reason_away")


async def check_in(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Bắt đầu": recorded from CHECK_IN_EARLY before the start until the end; then asks
where the person starts (patrol_place)."""
    shift_id = _shift_id(parts)
    if shift_id is None:
        await _stale(turn)
        return None
    services = turn.services
    result, shift = await services.patrols.check_in(turn.person, shift_id)
    if result is Check.DONE and shift is not None:
        return f"/patrol_place {shift_id}"  # then where (optional): handlers/patrol_checkin.py
    if result is Check.TOO_EARLY and shift is not None:
        opens = datetime.fromisoformat(shift.starts_at) - CHECK_IN_EARLY
        await turn.refuse(turn.t("patrol.too_early", time=opens.astimezone(
            services.patrols.tz).strftime("%H:%M")))
    else:
        await turn.refuse(turn.t(f"patrol.{result.value}"))
    return None


async def check_out(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Kết thúc": recorded after a check-in; then a note may be typed (patrol_note)."""
    shift_id = _shift_id(parts)
    if shift_id is None:
        await _stale(turn)
        return None
    result, _ = await turn.services.patrols.check_out(turn.person, shift_id)
    if result is not Check.DONE:
        await turn.refuse(turn.t(f"patrol.{result.value}"))
        return None
    return f"/patrol_note {shift_id}"


async def decline(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Không tham gia được": asks the reason (patrol_decline) while the shift is open."""
    found = await _mine(turn, parts)
    if found is None:
        return None
    _, part = found
    if part.checked_in_at:
        await turn.refuse(turn.t("patrol.checked_in_already"))
        return None
    return f"/patrol_decline {part.shift_id}"


async def report(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Báo tin từ ca tuần tra": /baotin, linked to the shift."""
    found = await _mine(turn, parts)
    return None if found is None else f"/baotin patrol:{found[0].id}"


async def plan(turn: Turn, parts: tuple[str, ...]) -> str | None:
    team_id = _shift_id(parts)
    if team_id is None:
        await _stale(turn)
        return None
    return f"/patrol_plan {team_id}"


async def log(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Ai đã đi tuần": the team's latest shifts, who came, who missed (leader only)."""
    team_id = _shift_id(parts)
    if team_id is None:
        await _stale(turn)
        return None
    services = turn.services
    found = await services.patrols.log(turn.person, team_id)
    if found is None:
        await turn.refuse(turn.t("errors.not_allowed"))
        return None
    if not found:
        await turn.say(turn.t("patrol.log_none"))
        return None
    now = services.clock.now()
    blocks = []
    for shift, people in found:
        over = datetime.fromisoformat(shift.ends_at) <= now
        lines = [_attendance_line(turn, part, over) for part in people] or [
            turn.t("patrol.log_nobody")]
        blocks.append(f"<b>{services.patrols.when(shift, turn.lang)}</b>\n" + "\n".join(lines))
    await turn.say(turn.t("patrol.log_title") + "\n\n" + "\n\n".join(blocks))
    await patrol_leader.offer_confirm(turn, team_id)
    return None


def _attendance_line(turn: Turn, part: PatrolAttendance, over: bool) -> str:
    name = esc(part.display_name or "?")
    tz = turn.services.patrols.tz
    if part.checked_in_at:
        came = datetime.fromisoformat(part.checked_in_at).astimezone(tz).strftime("%H:%M")
        left = datetime.fromisoformat(part.checked_out_at).astimezone(tz).strftime(
            "%H:%M") if part.checked_out_at else "…"
        note = f" — {esc(part.note)}" if part.note else ""
        confirmed = turn.t("patrol.log_confirmed") if part.confirmed_at else ""
        return turn.t("patrol.log_came", name=name, came=came, left=left, note=note,
                      place=_place(part), confirmed=confirmed)
    if part.state == "declined":
        return turn.t("patrol.log_declined", name=name, reason=esc(part.reason or ""))
    return turn.t("patrol.log_missed" if over else "patrol.log_waiting", name=name)


def _place(part: PatrolAttendance) -> str:
    """Where the person checked in, if they said: " · 📍 cổng chợ" or the coordinates."""
    if part.place:
        return f" · 📍 {esc(part.place)}"
    if part.lat is not None and part.lon is not None:
        return f" · 📍 {part.lat:.5f}, {part.lon:.5f}"
    return ""


async def _mine(turn: Turn, parts: tuple[str, ...]) -> tuple[PatrolShift, PatrolAttendance] | None:
    """The shift and the person's part in it, while it has not ended; else None (told)."""
    shift_id = _shift_id(parts)
    store = turn.services.store
    shift = None if shift_id is None else await store.patrols.shift(shift_id)
    part = None if shift is None else await store.patrols.assignment(shift.id, turn.person.id)
    if shift is None or part is None:
        await turn.refuse(turn.t("patrol.not_on_shift"))
        return None
    if datetime.fromisoformat(shift.ends_at) <= turn.services.clock.now():
        await turn.refuse(turn.t("patrol.over"))
        return None
    return shift, part


async def _stale(turn: Turn) -> None:
    await turn.refuse(turn.t("errors.stale_button"))


def _shift_id(parts: tuple[str, ...]) -> int | None:
    return as_id(parts[0]) if len(parts) == 1 else None


HANDLERS = {"in": check_in, "out": check_out, "no": decline, "rep": report, "plan": plan,
            "log": log, "cx": patrol_leader.cancel_menu, "sw": patrol_swap.offer}


def actions() -> list[Action]:
    return [Action(f"{ACTION}:{name}", handle) for name, handle in HANDLERS.items()]


async def act(turn: Turn, value: str) -> str | None:
    """Do what a typed choice of /tuantra's card names; the flow it starts, if any."""
    name, _, rest = value.removeprefix(f"{ACTION}:").partition(":")
    handle = HANDLERS.get(name)
    if handle is None:
        await _stale(turn)
        return None
    return await handle(turn, tuple(rest.split(":")))


# --- the reason for declining, and the note after a shift ---------------------------------------


async def decline_start(turn: Turn) -> str:
    """Started by "Không tham gia được" with the shift's id: asks the reason."""
    shift_id = as_id(turn.text)
    if shift_id is None:
        return END
    turn.data = {"shift": shift_id}
    await turn.ask(turn.t("patrol.ask_reason"), tuple(
        (Choice(turn.t(key), turn.t(key)),) for key in REASONS), replace=True)
    return "reason"


async def decline_reason(turn: Turn) -> str:
    """Stores the reason (a choice or typed) and tells the leader."""
    if turn.kind is Kind.CHOICE:
        reason = turn.input.choice or ""
    elif turn.kind is Kind.TEXT:
        typed = await turn.typed(REASON_LIMIT, "patrol.reason_too_long")
        if typed is None:
            return "reason"
        reason = typed
    else:
        await turn.ask(turn.t("patrol.ask_reason"), turn.choices)
        return "reason"
    result = await turn.services.patrols.decline(turn.person, int(turn.data["shift"]), reason)
    key = "patrol.declined" if result is Check.DONE else f"patrol.{result.value}"
    await turn.ask(turn.t(key), replace=True)
    return END


async def note_start(turn: Turn) -> str:
    """Started by "Kết thúc" with the shift's id: thanks, and asks for an optional note."""
    shift_id = as_id(turn.text)
    if shift_id is None:
        return END
    turn.data = {"shift": shift_id}
    await turn.ask(turn.t("patrol.checked_out"),
                   ((Choice(turn.t("patrol.skip_note"), SKIP),),), replace=True)
    return "note"


async def note(turn: Turn) -> str:
    """Stores a typed note; "Bỏ qua" ends without one."""
    if turn.kind is Kind.CHOICE and turn.input.choice == SKIP:
        await turn.ask(turn.t("patrol.no_note"), replace=True)
        return END
    if turn.kind is not Kind.TEXT:
        await turn.ask(turn.t("patrol.checked_out"), turn.choices)
        return "note"
    typed = await turn.typed(NOTE_LIMIT, "patrol.note_too_long")
    if typed is None:
        return "note"
    await turn.services.patrols.add_note(turn.person, int(turn.data["shift"]), typed)
    await turn.say(turn.t("patrol.note_saved"))
    return END


def build_flows() -> list[Flow]:
    """Entered only from the actions above (no command of their own)."""
    return [Flow(name="patrol_decline", commands=(), start=decline_start,
                 steps={"reason": decline_reason}, timeout_minutes=60),
            Flow(name="patrol_note", commands=(), start=note_start, steps={"note": note},
                 timeout_minutes=60)]
