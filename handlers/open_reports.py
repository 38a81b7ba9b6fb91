"""/tinmo (/openreports): the reports of the officer's commune still waiting for an end; and
/tin CODE (/lookup): one report of the officer's communes, open or closed, with its state and
the choices that state allows. Both work in the commune's staff group too (about that commune).

The staff group holds every card, but after a busy day the oldest unhandled ones have scrolled
far up. The list gives them back, oldest first: code, category, urgency, hamlet, state and how
long it has been open — on Telegram the code links to its card in the group; where choices are
typed by number, each report is a choice that shows it as /tin does."""

from __future__ import annotations

import re
from datetime import datetime

from bot.dialog import END, Choice, Flow, Kind, Turn, as_command, command_value, rows_of
from bot.models import Commune, Report
from handlers import help
from handlers.text import clip, esc
from handlers.triage import rows

MAX_LISTED = 30
MAX_CHOICES = 10  # reports offered as choices where they are typed by number
LOOKUP = "tin"


async def show(turn: Turn) -> str:
    """Officers only: the open reports of their commune, oldest first."""
    services = turn.services
    communes = await _communes(turn)
    reports = await services.reports.open_in(turn.person, communes[0].id) if communes else None
    if reports is None:
        await turn.say(turn.t("errors.not_allowed"))
        return END
    commune = esc(communes[0].name)
    if not reports:
        await turn.say(turn.t("report.open.none", commune=commune))
        return END
    lines = [await _line(turn, report) for report in reports[:MAX_LISTED]]
    if len(reports) > MAX_LISTED:
        lines.append(turn.t("report.open.more", count=len(reports) - MAX_LISTED))
    hint = "report.open.hint_number" if turn.numbered else "report.open.hint_link"
    text = turn.t("report.open.list", commune=commune, count=len(reports),
                  lines="\n".join(lines), hint=turn.t(hint))
    if not turn.numbered:
        await turn.say(text)
        return END
    await turn.ask(text, rows_of([Choice(report.code, command_value(LOOKUP, report.code))
                                  for report in reports[:MAX_CHOICES]]))
    return "chosen"


async def chosen(turn: Turn) -> str:
    """A report chosen from the list is shown as /tin shows it; anything else is answered as
    a message outside any flow."""
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    if value is not None and as_command(value) is not None:
        return value
    return await help.outside(turn)


async def _line(turn: Turn, report: Report) -> str:
    services = turn.services
    hamlet = await services.store.areas.hamlet(report.hamlet_id) if report.hamlet_id else None
    link = services.cards.link(report, turn.channel)
    code = f'<a href="{link}">{report.code}</a>' if link else f"<b>{report.code}</b>"
    minutes = int((services.clock.now() - datetime.fromisoformat(report.created_at))
                  .total_seconds() // 60)
    return turn.t("report.open.line", code=code,
                  category=esc(services.reports.categories.name(report.category, turn.lang)),
                  urgency=turn.t(f"report.staff.urgency_{report.urgency}"),
                  hamlet=esc(hamlet.name) if hamlet else "—",
                  state=turn.t(f"report.mine.state_{report.state}"), age=_age(turn, minutes))


def _age(turn: Turn, minutes: int) -> str:
    if minutes < 60:
        return turn.t("report.open.minutes", n=max(minutes, 0))
    if minutes < 48 * 60:
        return turn.t("report.open.hours", n=minutes // 60)
    return turn.t("report.open.days", n=minutes // (24 * 60))


async def lookup(turn: Turn) -> str:
    """/tin CODE: the report's card with its state and the choices that state allows; only a
    report of a commune the officer serves (checked in the database), else "not found"."""
    services = turn.services
    communes = await _communes(turn)
    if not communes:
        await turn.say(turn.t("errors.not_allowed"))
        return END
    number = re.search(r"\d{1,9}", turn.text)
    if number is None:
        await turn.say(turn.t("report.lookup.usage"))
        return END
    report = await services.reports.get(int(number[0]))
    if report is None or report.commune_id not in {c.id for c in communes}:
        await turn.say(turn.t("report.lookup.not_found", code=esc(clip(turn.text, 20))))
        return END
    card = await services.cards.text(report, services.cards.state_line(report))
    await turn.offer(card, rows(services.cards.choices(report)))
    return END


async def _communes(turn: Turn) -> list[Commune]:
    """The communes the officer acts for here: in a staff group, that commune only."""
    return await turn.services.officers.acting_communes(turn.person, turn.channel, turn.address)


def build_flows() -> list[Flow]:
    """/tinmo (where its reports are typed by number, open for the choice a while) and /tin;
    both answer in the staff group too (the group gate lets its officers' commands in)."""
    return [
        Flow(name="open_reports", commands=("tinmo", "openreports"), start=show,
             steps={"chosen": chosen}, timeout_minutes=60, private=False),
        Flow(name="lookup", commands=(LOOKUP, "lookup"), start=lookup, private=False),
    ]
