"""`/map`: the officer's communes' reports of a period with a shared location, as markers
coloured by state on a Leaflet map (vendored from its npm package: static/leaflet/),
clustered (Leaflet.markercluster) and as a heat layer (Leaflet.heat), with the gongs of the
period as a layer of their own (at their place, else at their commune's centre); filtered
by category and state. Tiles come from `[web] map_tiles` — the page still shows everything
when the tiles cannot be reached (a station without internet) or when map_tiles is ""
(none). The data comes from `/map/markers.json?days=N&category=…&state=…`, for the
officer's communes only."""

from __future__ import annotations

import json
from urllib.parse import urlencode, urlsplit

from aiohttp import web

from bot.models import REPORT_STATES
from bot.services.console import MAP_LIMIT, Wanted
from bot.services.figures import PERIODS
from bot.services.report_values import center_of
from bot.web.context import context_of, officer_of
from bot.web.figures import days_of
from bot.web.queue import STATE_CHOICES
from bot.web.security import POLICY


def wanted(request: web.Request) -> Wanted:
    """The map's filters from the query (every state unless one is asked for)."""
    state, category = request.query.get("state", "all"), request.query.get("category", "")
    return Wanted(
        state=state if state in STATE_CHOICES else "all",
        category=category if context_of(request).services.reports.categories.get(category)
        else "")


def tile_source(template: str) -> str | None:
    """The origin the tiles come from, as a Content-Security-Policy source ("{s}" any
    subdomain); None when there are no tiles."""
    if not template:
        return None
    parts = urlsplit(template)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


async def map_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services, days, filters = context.services, days_of(request), wanted(request)
    count = await services.console.marker_count(officer.communes,
                                                services.figures.since(days), filters)
    latitude, longitude = center_of(officer.communes[0] if officer.communes else None,
                                    services.config.reports)
    language = services.i18n.default
    query = urlencode({"days": days, "category": filters.category, "state": filters.state})
    response = context.render(
        request, "map.html", days=days, periods=PERIODS, count=count, shown=MAP_LIMIT,
        states=REPORT_STATES, choices=STATE_CHOICES, wanted=filters, query=query,
        filters=urlencode({"category": filters.category, "state": filters.state}),
        categories=[(c.code, c.name(language))
                    for c in services.reports.categories.items.values()],
        centre=json.dumps([latitude, longitude]), tiles=context.config.map_tiles,
        attribution=context.config.map_attribution)
    return allow_tiles(response, context.config.map_tiles)


def allow_tiles(response: web.Response, tiles: str) -> web.Response:
    """A page with a map: images from the tiles' origin too (nothing else from elsewhere)."""
    source = tile_source(tiles)
    if source is not None:
        response.headers["Content-Security-Policy"] = POLICY.replace(
            "img-src 'self'", f"img-src 'self' data: {source}")
        # Tile servers (OpenStreetMap's among them) refuse requests that name no site.
        response.headers["Referrer-Policy"] = "strict-origin"
    return response


async def markers_json(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services, days = context.services, days_of(request)
    language, since = services.i18n.default, services.figures.since(days)
    markers = await services.console.markers(officer.communes, since, wanted(request))
    alarms = []
    for sounded in await services.console.alarms(officer.communes, since):
        alarm, placed = sounded.alarm, sounded.alarm.latitude is not None
        latitude, longitude = (alarm.latitude, alarm.longitude) if placed else center_of(
            sounded.commune, services.config.reports)
        kind = services.catalog.alarm_kinds.get(alarm.kind)
        alarms.append({
            "id": alarm.id, "lat": latitude, "lon": longitude, "placed": placed,
            "kind": f"{kind.emoji} {kind.name(language)}" if kind
            else alarm.kind,
            "scope": alarm.scope_name, "state": alarm.state,
            "state_label": context.t(f"web.alarm_{alarm.state}"), "sent": sounded.sent})
    states = {state: context.t(f"web.state_{state}") for state in REPORT_STATES}
    categories = {code: category.name(language)
                  for code, category in services.reports.categories.items.items()}
    return web.json_response({"days": days, "markers": [{
        "id": m.point.id, "code": m.point.code, "lat": m.point.latitude,
        "lon": m.point.longitude, "state": m.point.state, "state_label": states[m.point.state],
        "category": categories.get(m.point.category, m.point.category), "filed": m.filed,
    } for m in markers], "alarms": alarms})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/map", map_page)
    app.router.add_get("/map/markers.json", markers_json)
