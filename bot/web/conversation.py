"""A report's conversation with its reporter, on the report's page: the form that writes to
the reporter (`POST /reports/<id>/write`, relayed on the reporter's messenger, anonymity kept,
audited "web") and the photos sent in it (`/reports/<id>/said/<message id>/photo`)."""

from __future__ import annotations

from aiohttp import web

from bot.services.conversation import Written
from bot.web.context import context_of, officer_of
from bot.web.report import back, kept_photo, posted, report_id_of


async def write(request: web.Request) -> web.Response:
    """The officer's words to the reporter; back to the report's page, saying what came of
    them."""
    context, officer = context_of(request), officer_of(request)
    page, form = await posted(request)
    text = form.get("text")
    written = await context.services.conversation.to_reporter(
        officer.person, page.report, text if isinstance(text, str) else "", origin="web")
    return back(page.report.id, "written" if written is Written.SENT else written.value)


async def photo(request: web.Request) -> web.StreamResponse:
    context, officer = context_of(request), officer_of(request)
    page = await context.services.console.page(officer.communes, report_id_of(request))
    message = request.match_info["message_id"]
    if page is None or not message.isdigit() or len(message) > 12:
        raise web.HTTPNotFound()
    key = await context.services.conversation.photo(page.report, int(message))
    return await kept_photo(request, key)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/reports/{report_id}/write", write)
    app.router.add_get("/reports/{report_id}/said/{message_id}/photo", photo)
