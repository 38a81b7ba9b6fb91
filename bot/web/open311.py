"""Open311 GeoReport v2 under `/open311/v2/` (the rules: bot/services/open311.py):
`GET services.json|xml` and `services/<code>.json|xml` (public), `POST requests.json|xml`
(form-encoded or a JSON object, with an `api_key`), `GET requests.json|xml` (with an
`api_key`: its commune's requests) and `GET requests/<id>.json|xml` (anyone: the state; with
its commune's key: the whole request); `GET discovery.json|xml` (public, also at
`/open311/discovery`): GeoReport's Service Discovery.
No session and no CSRF here (the key is the credential); every answer, errors included, is in
GeoReport's shape and the format the path asks for, never the console's page."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from html import escape

from aiohttp import web

from bot.markup import visible_text
from bot.services.open311 import Problem, Submission
from bot.web import georeport
from bot.web.context import WebContext, context_of
from bot.web.georeport import REQUESTS, SERVICES
from bot.web.open311_media import anywhere, media_fetch, public

log = logging.getLogger(__name__)

PREFIX = "/open311/v2"

Route = Callable[[web.Request, WebContext, str], Awaitable[web.Response]]


def _georeport(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    """A route whose failures are GeoReport errors in the asked format (a Problem's text in
    the deployment's language; anything unexpected a 500, logged)."""

    async def handle(request: web.Request) -> web.Response:
        context = context_of(request)
        fmt = request.match_info.get("fmt", "json")
        try:
            return await route(request, context, fmt)
        except Problem as problem:
            values = {name: escape(str(v)) for name, v in problem.values.items()}
            return georeport.error(problem.status, visible_text(context.t(
                f"open311.{problem.key}", **values)), fmt)
        except web.HTTPException as failure:  # a body past the server's size limit
            return georeport.error(failure.status, failure.reason, fmt)
        except Exception:
            log.exception("open311: %s %s failed", request.method, request.path)
            return georeport.error(500, visible_text(context.t("open311.error")), fmt)

    return handle


async def services_list(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    open311 = context.services.open311
    await open311.jurisdiction(request.query.get("jurisdiction_id"))
    return georeport.answer(open311.services(), fmt, SERVICES)


async def definition(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    open311 = context.services.open311
    await open311.jurisdiction(request.query.get("jurisdiction_id"))
    found = open311.definition(request.match_info["code"])
    return georeport.document(found, fmt, "service_definition")


async def discovery(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    """Where the API is: `[web] public_url` when set, else the address this request came to."""
    base = context.config.public_url.rstrip("/") or str(request.url.origin())
    found = context.services.open311.discovery(base + PREFIX)
    return georeport.document(found, fmt, "discovery")


async def _fields(request: web.Request) -> dict[str, str]:
    """A filing's fields: form-encoded, or one JSON object (numbers as their text; any other
    kind of value is left out, as a field that was not sent)."""
    if request.content_type != "application/json":
        form = await request.post()
        return {name: value for name, value in form.items() if isinstance(value, str)}
    try:
        body = await request.json()
    except ValueError:
        raise Problem(400, "bad_json") from None
    if not isinstance(body, dict):
        raise Problem(400, "bad_json")
    return {name: value if isinstance(value, str) else str(value) for name, value in body.items()
            if isinstance(value, str) or (isinstance(value, int | float)
                                          and not isinstance(value, bool))}


async def create(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    form = await _fields(request)
    field = form.get

    open311 = context.services.open311
    key = await open311.key(field("api_key"), field("jurisdiction_id"))
    media_url = (field("media_url") or "").strip()
    allowed = anywhere if context.services.config.open311.allow_private_media else public
    fetch = media_fetch(media_url, context.services.media.limit("photo"), allowed) \
        if media_url else None
    report = await open311.file(key, Submission(
        service_code=field("service_code"), description=field("description"),
        lat=field("lat"), long=field("long"), address_string=field("address_string"),
        jurisdiction_id=field("jurisdiction_id")), fetch)
    return georeport.answer([{"service_request_id": report.code}], fmt, REQUESTS)


async def listing(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    open311, query = context.services.open311, request.query
    key = await open311.key(query.get("api_key"), query.get("jurisdiction_id"))
    found = await open311.many(key, dict(query), _link(context))
    return georeport.answer(found, fmt, REQUESTS)


async def one(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    open311, secret = context.services.open311, request.query.get("api_key")
    key = await open311.key(secret, request.query.get("jurisdiction_id")) if secret else None
    found = await open311.one(request.match_info["id"], key, _link(context))
    return georeport.answer([found], fmt, REQUESTS)


async def unknown(request: web.Request, context: WebContext, fmt: str) -> web.Response:
    del request, context, fmt
    raise Problem(404, "no_route")


def _link(context: WebContext) -> Callable[[str], str] | None:
    return context.links.url if context.links is not None else None


def add_routes(app: web.Application) -> None:
    formats = "{fmt:json|xml}"
    app.router.add_get(f"{PREFIX}/discovery.{formats}", _georeport(discovery))
    app.router.add_get(f"/open311/discovery.{formats}", _georeport(discovery))
    app.router.add_get(f"{PREFIX}/services.{formats}", _georeport(services_list))
    app.router.add_get(PREFIX + "/services/{code:[^/.]+}." + formats, _georeport(definition))
    app.router.add_post(f"{PREFIX}/requests.{formats}", _georeport(create))
    app.router.add_get(f"{PREFIX}/requests.{formats}", _georeport(listing))
    app.router.add_get(PREFIX + "/requests/{id:[^/.]+}." + formats, _georeport(one))
    app.router.add_route("*", "/open311/{tail:.*}", _georeport(unknown))
