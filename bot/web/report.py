"""`/reports/<id>`: one report of the officer's communes, its photos, its timeline and the
card's actions — "Tiếp nhận", "Giao tổ", "Đã xử lý", "Từ chối" (a reason chosen or typed),
"Mở lại" — each a form that calls the same triage service as the chat card (audited with
origin "web"; the reporter told on their channel; the Telegram card edited). A report of
another commune is 404, as one that does not exist."""

from __future__ import annotations

from aiohttp import web
from aiohttp.web_request import FileField
from multidict import MultiDictProxy

from bot.media import MediaKind, audio_type_of
from bot.services.console import Page
from bot.services.report_values import REJECT_REASONS, Acted, Action, Outcome
from bot.web.context import context_of, officer_of
from bot.web.reports_map import allow_tiles
from bot.web.security import check_csrf

MAX_NOTE = 300
Form = MultiDictProxy[str | bytes | bytearray | FileField]
# What the page says after a form (texts web.done_<key>): an action done, or why not; and
# what came of a message to the reporter (bot/web/conversation.py), of an outcome or a
# commendation (bot/web/followup.py).
DONE = (*(a.value for a in Action), "wrong_state", "not_allowed", "not_found", "no_team",
        "no_reason", "written", "unreachable", "blank", "too_long", "commended", "no_outcome",
        "commended_already", "commend_nobody")
BAD = ("wrong_state", "not_allowed", "not_found", "no_team", "no_reason", "unreachable",
       "blank", "too_long", "no_outcome", "commended_already", "commend_nobody")


def report_id_of(request: web.Request) -> int:
    value = request.match_info["report_id"]
    if not value.isdigit() or len(value) > 9:
        raise web.HTTPNotFound()
    return int(value)


async def report_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    page = await context.services.console.page(officer.communes, report_id_of(request))
    if page is None:
        raise web.HTTPNotFound()
    services = context.services
    language = services.i18n.default
    done = request.query.get("done", "")
    response = context.render(
        request, "report.html", page=page, report=page.report,
        tiles=context.config.map_tiles, attribution=context.config.map_attribution,
        said=await services.conversation.messages(page.report),
        category=services.reports.categories.name(page.report.category, language),
        done=done if done in DONE else "", bad=BAD)
    located = page.report.latitude is not None and page.report.longitude is not None
    return allow_tiles(response, context.config.map_tiles) if located else response


async def posted(request: web.Request) -> tuple[Page, Form]:
    """A form posted about a report of the officer's communes: its page and the form, once
    the form's CSRF token is checked (403) and the report found (404)."""
    form = await request.post()
    check_csrf(request, form)
    page = await context_of(request).services.console.page(
        officer_of(request).communes, report_id_of(request))
    if page is None:
        raise web.HTTPNotFound()
    return page, form


async def act(request: web.Request) -> web.Response:
    """One of the card's actions; back to the report's page, saying what came of it."""
    context, officer = context_of(request), officer_of(request)
    page, form = await posted(request)
    report_id = page.report.id
    verb = form.get("action")
    if not isinstance(verb, str) or verb not in {a.value for a in page.actions}:
        return back(report_id, Outcome.WRONG_STATE.value)
    action = Action(verb)
    team_id, note = None, None
    if action is Action.ASSIGN:
        team = form.get("team")
        team_id = int(team) if isinstance(team, str) and team.isdigit() and len(team) < 10 \
            else None
        if team_id is None:
            return back(report_id, "no_team")
    if action is Action.REJECT:
        note = _reason(request, form.get("reason"), form.get("other"))
        if note is None:
            return back(report_id, "no_reason")
    acted: Acted = await context.services.triage.act(
        officer.person, officer.name or context.t("web.officer"), report_id, action,
        team_id=team_id, note=note,
        origin="web")
    return back(report_id, action.value if acted.outcome is Outcome.DONE
                 else acted.outcome.value)


def _reason(request: web.Request, chosen: object, typed: object) -> str | None:
    """The rejection's reason: the text typed, else the reason chosen; None for neither."""
    if isinstance(typed, str) and typed.strip():
        return typed.strip()[:MAX_NOTE]
    if isinstance(chosen, str) and chosen in REJECT_REASONS:
        return context_of(request).t(f"report.staff.reason_{chosen}")
    return None


def back(report_id: int, done: str) -> web.Response:
    return web.Response(status=303, headers={"Location": f"/reports/{report_id}?done={done}"})


async def photo(request: web.Request) -> web.StreamResponse:
    context, officer = context_of(request), officer_of(request)
    number = request.match_info["number"]
    key = await context.services.console.photo(
        officer.communes, report_id_of(request), int(number) if number.isdigit() and len(
            number) < 3 else 0)
    return await kept_photo(request, key)


async def voice(request: web.Request) -> web.StreamResponse:
    context, officer = context_of(request), officer_of(request)
    key = await context.services.console.voice(officer.communes, report_id_of(request))
    return await kept_file(request, key, "voice")


async def kept_photo(request: web.Request, key: str | None) -> web.FileResponse:
    """A photo from the media store, for this browser only; 404 when there is none."""
    return await kept_file(request, key, "photo")


async def kept_file(request: web.Request, key: str | None,
                    kind: MediaKind) -> web.FileResponse:
    """A photo or voice note from the media store, for this browser only, its type from its
    first bytes (a PNG photo, a voice note in Ogg from Telegram, MP4 or MP3 elsewhere); 404
    when there is none."""
    files = context_of(request).services.media.files
    if key is None or not files.exists(key):
        raise web.HTTPNotFound()
    if kind == "photo":
        content_type = await files.image_type(key)
    else:  # nosniff: an unknown kind is a download, never run
        content_type = audio_type_of(await files.head(key)) or "application/octet-stream"
    return web.FileResponse(files.path(key), headers={
        "Content-Type": content_type, "Cache-Control": "private, no-store"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports/{report_id}", report_page)
    app.router.add_post("/reports/{report_id}/act", act)
    app.router.add_get("/reports/{report_id}/photos/{number}", photo)
    app.router.add_get("/reports/{report_id}/voice", voice)
