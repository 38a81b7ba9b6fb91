"""/keng (/alarm): sounding the security gong, on every messenger — scope, kind, an optional
note or place, "Phát kẻng". On Zalo "keng" or "kẻng" typed starts it, and the scopes and kinds
are numbered choices.

What follows once it sounds — the members' answers, the caller's live count, "Đã an toàn" —
is handlers/alarm_answers.py (for every messenger) and handlers/alarm_count.py (the count as
new messages where a message cannot be edited); Telegram edits the caller's message in place
(bot/channels/telegram/alarm_live.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.dialog import END, Choice, Flow, Kind, Rows, Share, Turn, rows_of
from bot.services import draft_token
from bot.services.alarms import RaiseResult, Scope, Tally
from handlers.alarm_answers import ALL_CLEAR, alarm_values, deliver_alarm, tell_staff

NOTE_LIMIT = 200
SCOPE, KIND = "s:", "k:"  # a scope chosen: s:<kind>:<id>; a kind: k:<code>
GO, CANCEL = "go", "x"


async def start(turn: Turn) -> str:
    """Lists the scopes the caller may use (read from the database); skips the question when
    there is only one. Also the answer to anything but a scope while the scope is asked."""
    scopes = await turn.services.alarms.scopes(turn.person)
    if not scopes:
        await turn.say(turn.t("alarm.not_allowed"))
        return END
    if len(scopes) == 1:
        return await _ask_kind(turn, scopes[0])
    await turn.ask(turn.t("alarm.ask_scope"), rows_of(
        [Choice(_scope_label(turn, s), f"{SCOPE}{s.kind}:{s.id}") for s in scopes]))
    return "scope"


async def scope(turn: Turn) -> str:
    """Stores the chosen scope (checked again in the database); asks for the kind."""
    choice = _chosen(turn)
    if not choice.startswith(SCOPE):
        return await start(turn)
    kind, _, scope_id = choice[len(SCOPE):].partition(":")
    found = await turn.services.alarms.scope(turn.person, kind, _as_id(scope_id))
    if found is None:
        await turn.refuse(turn.t("alarm.stale"))
        return END
    return await _ask_kind(turn, found)


async def kind(turn: Turn) -> str:
    """Stores the kind; offers "Phát kẻng" at once (a note or a place is optional). Anything
    else asks again."""
    choice = _chosen(turn)
    if choice == CANCEL:
        return await _cancel(turn)
    code = choice[len(KIND):] if choice.startswith(KIND) else ""
    if code not in turn.services.catalog.alarm_kinds:
        await turn.ask(f"{turn.t('flows.choose_below')}\n\n{_kind_question(turn)}",
                       _kind_choices(turn))
        return "kind"
    turn.data["kind"] = code
    return await _ask_confirm(turn, replace=True)


async def confirm(turn: Turn) -> str:
    """"Phát kẻng" sounds the gong, "Hủy" drops it; a typed note or a shared place is stored
    and the question asked again; anything else asks again."""
    choice = _chosen(turn)
    if choice == GO:
        return await _sound(turn)
    if choice == CANCEL:
        return await _cancel(turn)
    if turn.kind is Kind.LOCATION and turn.input.location is not None:
        turn.data["place"] = list(turn.input.location)
    elif turn.kind is Kind.TEXT:
        note = await turn.typed(NOTE_LIMIT, "alarm.note_too_long")
        if note is None:
            return "confirm"
        turn.data["note"] = note
    return await _ask_confirm(turn)


async def _sound(turn: Turn) -> str:
    """"Phát kẻng": records the alarm (once per draft, however often it is chosen), shows the
    caller the live count with "Đã an toàn", and queues the gong on the alarm lane."""
    services, draft = turn.services, turn.data
    place = draft.get("place") or [None, None]
    raised = await services.alarms.sound(
        turn.person, turn.person.display_name or turn.display_name, str(draft.get("kind")),
        str(draft.get("scope_kind")), int(draft.get("scope_id") or 0), draft.get("note"),
        place[0], place[1], token=draft.get("token"))
    if raised.result is RaiseResult.ALREADY:
        await turn.refuse(turn.t("alarm.already_sounded"))
        return END
    if raised.result is not RaiseResult.RAISED or raised.alarm is None:
        key = "alarm.stale" if raised.result is RaiseResult.NOT_ALLOWED else (
            f"alarm.{raised.result.value}")
        await turn.ask(turn.t(key, limit=services.config.alarms.max_per_hour), replace=True)
        return END
    alarm = raised.alarm
    total = len(raised.recipients)
    status = turn.t("alarm.caller_status",
                    **alarm_values(services, turn.lang, alarm, Tally(total, [], [])))
    end = ((Choice(turn.t("alarm.all_clear_button"), f"{ALL_CLEAR}:{alarm.id}"),),)
    until = services.clock.now() + timedelta(minutes=services.config.alarms.expire_minutes)
    shown = await turn.post(status, end, until=until, replace=True)
    if shown is not None:  # the channel edits it with the count (Telegram)
        await services.alarms.remember_caller_message(alarm, turn.address, shown)
    await deliver_alarm(services, alarm, list(raised.recipients))
    await tell_staff(services, alarm, "alarm.staff_notice", total)
    return END


async def _cancel(turn: Turn) -> str:
    await turn.ask(turn.t("alarm.cancelled"), replace=True)
    return END


async def _ask_kind(turn: Turn, chosen: Scope) -> str:
    turn.data = {"scope_kind": chosen.kind, "scope_id": chosen.id,
                 "scope_name": _scope_label(turn, chosen), "token": draft_token()}
    await turn.ask(_kind_question(turn), _kind_choices(turn), replace=True)
    return "kind"


def _kind_question(turn: Turn) -> str:
    return turn.t("alarm.ask_kind", scope=turn.esc(turn.data.get("scope_name", "")))


def _kind_choices(turn: Turn) -> Rows:
    kinds = [Choice(f"{k.emoji} {k.name(turn.lang)}", KIND + k.code)
             for k in turn.services.catalog.alarm_kinds.values()]
    return (*rows_of(kinds, 2), (Choice(turn.t("alarm.cancel"), CANCEL),))


async def _ask_confirm(turn: Turn, *, replace: bool = False) -> str:
    draft = turn.data
    found = turn.services.catalog.alarm_kinds[str(draft["kind"])]
    extra = ""
    if draft.get("note"):
        extra += turn.t("alarm.extra_note", note=turn.esc(draft["note"]))
    if draft.get("place"):
        extra += turn.t("alarm.extra_place")
    share = turn.t("alarm.or_location") if turn.can_share(Share.LOCATION) else ""
    choices = ((Choice(turn.t("alarm.confirm"), GO), Choice(turn.t("alarm.cancel"), CANCEL)),)
    await turn.ask(turn.t("alarm.ask_confirm", kind=turn.esc(f"{found.emoji} "
                                                             f"{found.name(turn.lang)}"),
                          scope=turn.esc(draft.get("scope_name", "")), extra=extra,
                          share=share), choices, replace=replace)
    return "confirm"


def _scope_label(turn: Turn, chosen: Scope) -> str:
    if chosen.kind == "commune":
        return f"{turn.t('alarm.whole_commune')} ({chosen.name})"
    return chosen.name


def _chosen(turn: Turn) -> str:
    return (turn.input.choice or "") if turn.kind is Kind.CHOICE else ""


def _as_id(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def build_flow() -> Flow:
    """/keng: at most four taps — /keng, scope, kind, "Phát kẻng"; 15 minutes to choose."""
    return Flow(name="alarm", commands=("keng", "alarm"), start=start,
                steps={"scope": scope, "kind": kind, "confirm": confirm},
                timeout_minutes=15, label="flows.alarm", cancelled="alarm.cancelled")
