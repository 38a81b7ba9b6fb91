"""The web server `anninh run` starts when `[web]` is configured: the officers' console
(bot/web/auth.py, queue.py, report.py), its vendored static files, and with `public_url`
`GET /media/<token>` — a photo from the media store for whoever holds an address
bot/web/media.py made (a messenger fetching it for a person); 404 when expired or forged."""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from bot.config import WebConfig
from bot.services.container import Services
from bot.web import (
    auth,
    campaigns,
    conversation,
    figures,
    followup,
    gong,
    loudspeaker,
    open311,
    queue,
    repeating,
    report,
    reports_map,
    teams,
)
from bot.web.context import CONTEXT, STATIC, WebContext, environment
from bot.web.live import Live, stream
from bot.web.media import MediaLinks
from bot.web.security import add_headers, errors, sessions

log = logging.getLogger(__name__)


def build_app(services: Services, config: WebConfig, links: MediaLinks | None) -> web.Application:
    """The console's aiohttp application (tests drive it with aiohttp's test client)."""
    app = web.Application(middlewares=[errors, sessions], client_max_size=64 * 1024)
    live = Live()
    app[CONTEXT] = WebContext(services, config, links, environment(), live)
    app.on_response_prepare.append(add_headers)
    events = services.events
    events.report_filed_listeners.append(live.filed)
    events.report_changed_listeners.append(live.changed)
    unhear = services.delivery.on_progress(live.progressed)

    async def forget(_app: web.Application) -> None:
        events.report_filed_listeners.remove(live.filed)
        events.report_changed_listeners.remove(live.changed)
        unhear()

    app.on_shutdown.append(live.close)  # before aiohttp waits for the open streams
    app.on_cleanup.append(forget)
    app.router.add_get("/live", stream)
    app.router.add_static("/static/", Path(__file__).parent / STATIC)
    auth.add_routes(app)
    queue.add_routes(app)
    report.add_routes(app)
    loudspeaker.add_routes(app)
    campaigns.add_routes(app)
    repeating.add_routes(app)
    teams.add_routes(app)
    gong.add_routes(app)
    open311.add_routes(app)  # Open311 GeoReport v2: keys, not sessions
    conversation.add_routes(app)
    followup.add_routes(app)
    figures.add_routes(app)
    reports_map.add_routes(app)
    if links is not None:
        app.router.add_get("/media/{token}", _media)
    return app


async def _media(request: web.Request) -> web.StreamResponse:
    context = request.app[CONTEXT]
    assert context.links is not None
    key = context.links.key_of(request.match_info["token"])
    files = context.services.media.files
    if key is None or not files.exists(key):
        raise web.HTTPNotFound()
    try:
        content_type = await files.image_type(key)
    except FileNotFoundError:  # removed a moment ago
        raise web.HTTPNotFound() from None
    return web.FileResponse(files.path(key), headers={
        "Content-Type": content_type, "Cache-Control": "private, max-age=3600"})


class WebServer:
    def __init__(self, services: Services, config: WebConfig, links: MediaLinks | None) -> None:
        self.services, self.config, self.links = services, config, links
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(build_app(self.services, self.config, self.links),
                               access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.config.listen, self.config.port).start()
        self._runner = runner
        log.info("web console on %s:%s (%s)", self.config.listen, self.config.port,
                 self.config.base_url)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
