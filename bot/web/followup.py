"""What the chat card offers after "Đã xử lý", on a report's page: what came of it — one of
the chat's outcomes, or typed (`POST /reports/<id>/outcome`) — and "🏅 Khen người báo tin"
(`POST /reports/<id>/commend`), each through the same triage service as the chat
(handlers/reject.py): once a report, the reporter told on their messenger through the
outbox, anonymity kept, audited with origin "web"."""

from __future__ import annotations

from aiohttp import web

from bot.services.report_values import OUTCOMES, Outcome
from bot.web.context import context_of, officer_of
from bot.web.report import MAX_NOTE, back, posted


async def outcome(request: web.Request) -> web.Response:
    """The outcome chosen (`outcome`: a key of OUTCOMES) or typed (`other`, which wins);
    back to the report's page, saying what came of it."""
    context, officer = context_of(request), officer_of(request)
    page, form = await posted(request)
    chosen, typed = form.get("outcome"), form.get("other")
    if isinstance(typed, str) and typed.strip():
        note = typed.strip()[:MAX_NOTE]
    elif isinstance(chosen, str) and chosen in OUTCOMES:
        note = context.services.cards.t(f"report.staff.outcome_{chosen}")
    else:
        return back(page.report.id, "no_outcome")
    acted = await context.services.triage.note_outcome(officer.person, page.report.id, note,
                                                       origin="web")
    return back(page.report.id, "outcome" if acted.outcome is Outcome.DONE
                else acted.outcome.value)


async def commend(request: web.Request) -> web.Response:
    """"Khen": the reporter thanked (and their points), once; back to the report's page."""
    context, officer = context_of(request), officer_of(request)
    page, _ = await posted(request)
    acted = await context.services.triage.commend(officer.person, page.report.id, origin="web")
    done = {Outcome.DONE: "commended", Outcome.ALREADY: "commended_already",
            Outcome.NOT_FOUND: "commend_nobody"}.get(acted.outcome, acted.outcome.value)
    return back(page.report.id, done)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/reports/{report_id}/outcome", outcome)
    app.router.add_post("/reports/{report_id}/commend", commend)
