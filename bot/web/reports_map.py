"""`/map`: the officer's communes' reports of a period with a shared location, as markers
coloured by state on a Leaflet map (vendored from its npm package: static/leaflet/), over
tiles from `[web] map_tiles` — the page still shows the markers when the tiles cannot be
reached (a station without internet) or when map_tiles is "" (none). The markers come from
`/map/markers.json?days=N`, for the officer's communes only."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from aiohttp import web

from bot.services.figures import PERIODS
from bot.services.report_values import center_of
from bot.web.context import context_of, officer_of
from bot.web.figures import days_of
from bot.web.security import POLICY

STATES = ("submitted", "accepted", "assigned", "resolved", "rejected")


def tile_source(template: str) -> str | None:
    """The origin the tiles come from, as a Content-Security-Policy source ("{s}" any
    subdomain); None when there are no tiles."""
    if not template:
        return None
    parts = urlsplit(template)
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


async def map_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services, days = context.services, days_of(request)
    markers = await services.console.markers(officer.communes, services.figures.since(days))
    latitude, longitude = center_of(officer.communes[0] if officer.communes else None,
                                    services.config.reports)
    response = context.render(
        request, "map.html", days=days, periods=PERIODS, count=len(markers), states=STATES,
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
    language = services.i18n.default
    markers = await services.console.markers(officer.communes, services.figures.since(days))
    return web.json_response({"days": days, "markers": [{
        "id": m.report.id, "code": m.report.code, "lat": m.report.latitude,
        "lon": m.report.longitude, "state": m.report.state,
        "state_label": context.t(f"web.state_{m.report.state}"),
        "category": services.reports.categories.name(m.report.category, language),
        "filed": m.filed} for m in markers]})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/map", map_page)
    app.router.add_get("/map/markers.json", markers_json)
