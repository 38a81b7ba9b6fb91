""""Từ chối" on a report's card, from any channel: the officer gives a reason, which the
reporter is told.

"Từ chối" offers a few reasons, "Lý do khác" and "Quay lại" (on Telegram in place of the
card's buttons, so any officer of the group may pick one; on Zalo as numbered choices).
"Lý do khác" starts a small flow that asks for the reason as text — in the staff group as a
reply to the card, since the bot sees only replies there. The role and the report's state are
read from the database at every step."""

from __future__ import annotations

from bot.dialog import END, Action, Flow, Kind, Turn
from bot.services import cards
from bot.services.report_values import REJECT_REASONS, Pressed
from bot.services.report_values import Action as Verb
from handlers.text import as_id, esc
from handlers.triage import act, answer, report_for, rows

FLOW = "reject_reason"  # entered from "Lý do khác" only (it has no command)
REPORT, PRESSED = "report", "pressed"  # in the draft


async def ask_reason(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Từ chối": the reasons are offered (nothing changes yet)."""
    report = await report_for(turn, parts, Verb.REJECT)
    if report is None:
        return
    await turn.offer(turn.t("report.staff.ask_reject", code=report.code),
                     rows(turn.services.cards.reason_choices(report)), in_place=True)


async def reason_chosen(turn: Turn, parts: tuple[str, ...]) -> None:
    """A reason chosen: the report is rejected with it."""
    if len(parts) != 2 or parts[1] not in REJECT_REASONS:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    reason = turn.services.cards.t(f"report.staff.reason_{parts[1]}")
    await act(turn, parts[:1], Verb.REJECT, note=reason)


async def other_reason(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Lý do khác": the flow that asks for it."""
    report = await report_for(turn, parts, Verb.REJECT)
    return None if report is None else f"/{FLOW} {report.id}"


async def start(turn: Turn) -> str:
    """Asks the officer to type the reason (a reply, in the staff group); remembers the report
    and the message pressed."""
    report = await report_for(turn, (turn.text,), Verb.REJECT)
    if report is None:
        return END
    turn.data[REPORT] = report.id
    if turn.input.pressed and turn.input.message_id is not None:
        turn.data[PRESSED] = [turn.channel, turn.address, turn.input.message_id]
    in_group = str(report.staff_chat_id) == turn.address and turn.channel == (
        cards.STAFF_GROUP_CHANNEL)
    key = "report.staff.ask_reason_in_group" if in_group else "report.staff.ask_reason"
    await turn.ask(turn.t(key, name=esc(turn.display_name), code=report.code), by_reply=True)
    return "typed"


async def typed(turn: Turn) -> str:
    """The typed reason: the report is rejected with it (asked again if nothing visible)."""
    if turn.kind is not Kind.TEXT or not turn.text:
        await turn.say(turn.t("errors.blank_text"))
        return "typed"
    report_id = as_id(str(turn.data.get(REPORT, "")))
    if report_id is None:
        return END
    on = turn.data.get(PRESSED)
    acted = await turn.services.triage.act(
        turn.person, turn.display_name, report_id, Verb.REJECT, note=turn.text,
        pressed=Pressed(*on) if isinstance(on, list) and len(on) == 3 else None)
    await answer(turn, acted)
    return END


def actions() -> list[Action]:
    return [Action(cards.REJECT, ask_reason), Action(cards.REASON, reason_chosen),
            Action(cards.OTHER_REASON, other_reason)]


def build_flow() -> Flow:
    """The typed reason; a command or a quarter of an hour's silence ends it."""
    return Flow(name=FLOW, commands=(), start=start, steps={"typed": typed},
                timeout_minutes=15, private=False)
