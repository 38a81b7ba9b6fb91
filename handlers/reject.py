""""Từ chối" on a report's card, from any channel: the officer gives a reason, which the
reporter is told; and, after "Đã xử lý", what came of the report (optional), told the same way.

"Từ chối" offers a few reasons, "Lý do khác" and "Quay lại" (on Telegram in place of the
card's buttons, so any officer of the group may pick one; on Zalo as numbered choices).
"Đã xử lý" is followed by a few outcomes and "Kết quả khác" (handlers/triage.py). "Lý do
khác" and "Kết quả khác" start a small flow that asks for the text — in the staff group as a
reply to the card, since the bot sees only replies there. The role and the report's state are
read from the database at every step."""

from __future__ import annotations

from bot.dialog import END, Action, Flow, Kind, Turn
from bot.models import Report
from bot.services import cards
from bot.services.report_values import OUTCOMES, REJECT_REASONS, Acted, Outcome, Pressed
from bot.services.report_values import Action as Verb
from handlers.text import as_id, esc
from handlers.triage import act, answer, report_for, rows

FLOW = "typed_note"  # entered from "Lý do khác" / "Kết quả khác" only (it has no command)
REPORT, PRESSED, VERB = "report", "pressed", "verb"  # in the draft
# what is typed, by the verb it is for: the question (alone, in the staff group)
ASKED = {Verb.REJECT: ("report.staff.ask_reason", "report.staff.ask_reason_in_group"),
         Verb.OUTCOME: ("report.staff.ask_outcome_typed",
                        "report.staff.ask_outcome_typed_in_group")}


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
    return None if report is None else f"/{FLOW} {Verb.REJECT} {report.id}"


async def outcome_chosen(turn: Turn, parts: tuple[str, ...]) -> None:
    """An outcome chosen after "Đã xử lý": kept, and the reporter told (once)."""
    report_id = as_id(parts[0]) if len(parts) == 2 and parts[1] in OUTCOMES else None
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    outcome = turn.services.cards.t(f"report.staff.outcome_{parts[1]}")
    await _noted(turn, await turn.services.triage.note_outcome(turn.person, report_id, outcome))


async def other_outcome(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Kết quả khác": the flow that asks for it."""
    report = await report_for(turn, parts, Verb.OUTCOME)
    return None if report is None else f"/{FLOW} {Verb.OUTCOME} {report.id}"


async def start(turn: Turn) -> str:
    """Asks the officer to type the reason or the outcome (a reply, in the staff group);
    remembers the report, what the text is for and the message pressed."""
    verb_name, _, report_id = turn.text.partition(" ")
    verb = Verb(verb_name) if verb_name in (Verb.REJECT, Verb.OUTCOME) else None
    report = None if verb is None else await report_for(turn, (report_id,), verb)
    if verb is None or report is None:
        return END
    turn.data.update({REPORT: report.id, VERB: verb.value})
    if turn.input.pressed and turn.input.message_id is not None:
        turn.data[PRESSED] = [turn.channel, turn.address, turn.input.message_id]
    alone, in_group = ASKED[verb]
    key = in_group if _in_staff_group(turn, report) else alone
    await turn.ask(turn.t(key, name=esc(turn.display_name), code=report.code), by_reply=True)
    return "typed"


async def typed(turn: Turn) -> str:
    """The typed text: the report is rejected with it, or its outcome kept (asked again if
    nothing visible)."""
    if turn.kind is not Kind.TEXT or not turn.text:
        await turn.say(turn.t("errors.blank_text"))
        return "typed"
    report_id = as_id(str(turn.data.get(REPORT, "")))
    if report_id is None:
        return END
    triage = turn.services.triage
    if turn.data.get(VERB) == Verb.OUTCOME:
        await _noted(turn, await triage.note_outcome(turn.person, report_id, turn.text))
        return END
    on = turn.data.get(PRESSED)
    acted = await triage.act(
        turn.person, turn.display_name, report_id, Verb.REJECT, note=turn.text,
        pressed=Pressed(*on) if isinstance(on, list) and len(on) == 3 else None)
    await answer(turn, acted)
    return END


async def _noted(turn: Turn, acted: Acted) -> None:
    """The officer sees the outcome told (what may still follow stays offered), or why not."""
    if await answer(turn, acted) and acted.report is not None:
        await turn.notify(turn.t("report.staff.outcome_noted", code=acted.report.code,
                                 outcome=esc(acted.report.state_note or "")))
        await _what_remains(turn, acted.report)


async def commend(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Khen": the reporter thanked (and their points), once; nobody learns who they are."""
    report_id = as_id(parts[0]) if len(parts) == 1 else None
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    acted = await turn.services.triage.commend(turn.person, report_id)
    if acted.outcome is Outcome.ALREADY:
        await turn.refuse(turn.t("report.staff.commended_already"))
        return
    if acted.outcome is Outcome.NOT_FOUND and acted.report is not None:
        await turn.refuse(turn.t("report.staff.commend_nobody"))
        return
    if await answer(turn, acted) and acted.report is not None:
        await turn.notify(turn.t("report.staff.commended", code=acted.report.code))
        await _what_remains(turn, acted.report)


async def _what_remains(turn: Turn, report: Report) -> None:
    """The pressed message keeps the follow-ups still open (an outcome, "Khen"), or none."""
    fresh = await turn.services.reports.get(report.id) or report
    remaining = await turn.services.triage.followups(fresh)
    if remaining and turn.input.pressed:
        await turn.offer(turn.t("report.staff.ask_outcome", code=fresh.code), rows(remaining),
                         in_place=True)
    else:
        await turn.close_press()


def _in_staff_group(turn: Turn, report: Report) -> bool:
    return str(report.staff_chat_id) == turn.address and turn.channel == (
        cards.STAFF_GROUP_CHANNEL)


def actions() -> list[Action]:
    return [Action(cards.REJECT, ask_reason), Action(cards.REASON, reason_chosen),
            Action(cards.OTHER_REASON, other_reason), Action(cards.OUTCOME, outcome_chosen),
            Action(cards.OTHER_OUTCOME, other_outcome), Action(cards.COMMEND, commend)]


def build_flow() -> Flow:
    """The typed reason or outcome; a command or a quarter of an hour's silence ends it."""
    return Flow(name=FLOW, commands=(), start=start, steps={"typed": typed},
                timeout_minutes=15, private=False)
