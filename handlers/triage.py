"""A report's card, acted on from any channel: an officer's "Tiếp nhận", "Giao tổ" (then a
team, or "Quay lại"), "Đã xử lý", "Mở lại"; the assigned team leader's "Đã đến" and "Đã xử lý"
on their task. "Từ chối" and its reason are handlers/reject.py.

Each is an action (bot/dialog): a button on Telegram — in the staff group, on a private copy,
on a /tin answer — or the number or words typed on Zalo in answer to a message that offered
it. Roles and the report's state are read from the database at every press; a press that
comes after another officer acted is answered with the report's state and changes nothing.
What follows a change (the reporter, the leader, the officers told) is the triage service's;
the card in the staff group is edited by bot/channels/telegram/cards.py."""

from __future__ import annotations

from bot.dialog import Action, Choice, Rows, Turn
from bot.models import Report
from bot.services import cards
from bot.services.relays import Buttons
from bot.services.report_values import Acted, Outcome, Pressed
from bot.services.report_values import Action as Verb
from handlers.text import as_id


async def accept(turn: Turn, parts: tuple[str, ...]) -> None:
    await act(turn, parts, Verb.ACCEPT)


async def resolve(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Đã xử lý" resolves at once; then the officer may say what came of it (optional; the
    reporter is told — handlers/reject.py's outcome actions). Where choices are numbered
    lines the outcomes come with the change's own message (TriageService), after it in order."""
    report_id = one_id(parts)
    if await act(turn, parts, Verb.RESOLVE) and report_id is not None and not turn.numbered:
        report = await turn.services.reports.get(report_id)
        if report is not None:
            await turn.offer(turn.t("report.staff.ask_outcome", code=report.code),
                             rows(await turn.services.triage.followups(report)))


async def reopen(turn: Turn, parts: tuple[str, ...]) -> None:
    await act(turn, parts, Verb.REOPEN)


async def choose_team(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Giao tổ": the teams of the incident's hamlet (else the commune's) and "Quay lại",
    in place of the card's choices where the channel can."""
    report = await report_for(turn, parts, Verb.ASSIGN)
    if report is None:
        return
    services = turn.services
    teams = await services.reports.teams_for(report)
    if not teams:
        await turn.refuse(turn.t("report.staff.no_teams"))
        return
    await turn.offer(turn.t("report.staff.ask_team", code=report.code),
                     rows(services.cards.team_choices(report, teams)), in_place=True)


async def team_chosen(turn: Turn, parts: tuple[str, ...]) -> None:
    """A team chosen: the report is assigned; the leader gets the task."""
    ids = [as_id(part) for part in parts] if len(parts) == 2 else [None]
    if None in ids:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    report_id, team_id = ids
    assert report_id is not None
    await answer(turn, await turn.services.triage.act(
        turn.person, turn.display_name, report_id, Verb.ASSIGN, team_id=team_id,
        pressed=pressed(turn)))


async def back(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Quay lại": the choices of the report's state again (its officers only)."""
    report_id = one_id(parts)
    services = turn.services
    report = None if report_id is None else await services.reports.get(report_id)
    if report is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    if not await services.reports.is_officer(turn.person, report):
        await turn.refuse(turn.t("errors.not_allowed"))
        return
    await turn.offer(services.cards.changed(report, services.cards.state_line(report)),
                     rows(services.cards.choices(report)), in_place=True)


async def arrived(turn: Turn, parts: tuple[str, ...]) -> None:
    """The leader's "Đã đến": the officers are told, once."""
    report_id = one_id(parts)
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    acted = await turn.services.triage.leader_update(
        turn.person, turn.display_name, report_id, Verb.ARRIVED)
    if acted.outcome is Outcome.ALREADY:  # the police already know: no second note
        await turn.notify(turn.t("report.leader.arrived_already"))
    elif await answer(turn, acted):
        await turn.notify(turn.t("report.leader.arrived_noted"))


async def leader_resolved(turn: Turn, parts: tuple[str, ...]) -> None:
    """The leader's "Đã xử lý": the report is resolved, everyone told."""
    report_id = one_id(parts)
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    acted = await turn.services.triage.leader_update(
        turn.person, turn.display_name, report_id, Verb.RESOLVE)
    if await answer(turn, acted):
        await turn.say(turn.t("report.leader.resolved_noted"))


# --- shared with handlers/reject.py and handlers/open_reports.py ----------------------------


async def act(turn: Turn, parts: tuple[str, ...], verb: Verb, note: str | None = None) -> bool:
    """The officer's `verb` on the report the value names; refused if not theirs to do.
    True when it was done."""
    report_id = one_id(parts)
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return False
    return await answer(turn, await turn.services.triage.act(
        turn.person, turn.display_name, report_id, verb, note=note, pressed=pressed(turn)))


async def answer(turn: Turn, acted: Acted) -> bool:
    """True when the action was done (the person sees the new state with everyone else);
    else it is refused: not theirs to do, or the report's state is no longer one it fits —
    said with that state, read again (another officer may have acted a moment ago)."""
    if acted.outcome in (Outcome.NOT_ALLOWED, Outcome.NOT_FOUND) or acted.report is None:
        await turn.refuse(turn.t("errors.not_allowed"))
        return False
    if acted.outcome is not Outcome.DONE:
        await refuse_state(turn, acted.report)
        return False
    return True


async def report_for(turn: Turn, parts: tuple[str, ...], verb: Verb) -> Report | None:
    """The report the value names, when the person may do `verb` to it now; None once the
    person is told why not."""
    report_id = one_id(parts)
    if report_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return None
    services = turn.services
    report = await services.reports.get(report_id)
    if report is None or not await services.reports.is_officer(turn.person, report):
        await turn.refuse(turn.t("errors.not_allowed"))
        return None
    if not services.reports.fits(report, verb):
        await refuse_state(turn, report)
        return None
    return report


async def refuse_state(turn: Turn, report: Report) -> None:
    current = await turn.services.reports.get(report.id) or report
    await turn.refuse(turn.t("report.staff.wrong_state", code=current.code,
                             state=turn.t(f"report.mine.state_{current.state}")))


def one_id(parts: tuple[str, ...]) -> int | None:
    return as_id(parts[0]) if len(parts) == 1 else None


def pressed(turn: Turn) -> Pressed | None:
    """The message the person pressed a button of, where they did."""
    message_id = turn.input.message_id
    if not turn.input.pressed or message_id is None:
        return None
    return Pressed(turn.channel, turn.address, message_id)


def rows(buttons: Buttons) -> Rows:
    return tuple(tuple(Choice(label, value) for label, value in row) for row in buttons)


def actions() -> list[Action]:
    return [Action(cards.ACCEPT, accept), Action(cards.RESOLVE, resolve),
            Action(cards.REOPEN, reopen), Action(cards.ASSIGN, choose_team),
            Action(cards.TEAM, team_chosen), Action(cards.BACK, back),
            Action(cards.ARRIVED, arrived), Action(cards.LEADER_RESOLVED, leader_resolved)]
