"""`/`: the queue of the officer's communes — open reports first, oldest first — with filters
(state, category, hamlet, urgency, overdue) and counts per state, QUEUE_LIMIT reports a page
(`?page=N`); `/find?code=…` opens a report by its tracking code. An htmx request gets the
table alone (the filters swap it in place); a plain one the whole page."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from bot.models import REPORT_STATES
from bot.services.categories import URGENCIES
from bot.services.console import Wanted
from bot.web.context import context_of, officer_of

STATE_CHOICES = ("open", "all", *REPORT_STATES)
MAX_CODE = 40  # what a lookup echoes back at most


def wanted(request: web.Request) -> Wanted:
    """The filters from the query; anything unknown is no filter."""
    query = request.query
    context = context_of(request)
    state = query.get("state", "open")
    category = query.get("category", "")
    hamlet = query.get("hamlet", "")
    urgency = query.get("urgency", "")
    page = query.get("page", "")
    return Wanted(
        state=state if state in STATE_CHOICES else "open",
        category=category if context.services.reports.categories.get(category) else "",
        hamlet=int(hamlet) if hamlet.isdigit() and len(hamlet) < 10 else None,
        urgency=urgency if urgency in URGENCIES else "",
        overdue=query.get("overdue") == "1",
        page=int(page) if page.isdigit() and 0 < len(page) < 6 and int(page) > 0 else 1)


async def find(request: web.Request) -> web.Response:
    """A report looked up by its tracking code ("TB-000123", "tb 123", "123"): its page when
    it is one of the officer's communes', else the queue saying it was not found (404)."""
    context, officer = context_of(request), officer_of(request)
    code = request.query.get("code", "").strip()[:MAX_CODE]
    if not code:
        raise web.HTTPSeeOther("/")
    report = await context.services.console.find(officer.communes, code)
    if report is not None:
        raise web.HTTPSeeOther(f"/reports/{report.id}")
    return await queue_page(request, missing=code)


async def queue_page(request: web.Request, missing: str = "") -> web.Response:
    context, officer = context_of(request), officer_of(request)
    filters = wanted(request)
    queue = await context.services.console.queue(officer.communes, filters)
    categories = context.services.reports.categories
    template = "queue_table.html" if request.headers.get("HX-Request") else "queue.html"
    return context.render(
        request, template, 404 if missing else 200, missing=missing, queue=queue,
        wanted=filters, states=STATE_CHOICES,
        page_link=lambda page: "/?" + urlencode(
            [(k, v) for k, v in request.query.items() if k != "page"] + [("page", str(page))]),
        open_count=sum(queue.counts.get(s, 0) for s in ("submitted", "accepted", "assigned")),
        report_states=REPORT_STATES, urgencies=URGENCIES,
        categories=[(c.code, c.name(context.services.i18n.default))
                    for c in categories.items.values()],
        category_name=lambda code: categories.name(code, context.services.i18n.default))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page)
    app.router.add_get("/find", find)
