"""The web server `anninh run` starts when `[web] public_url` is set: `GET /media/<token>` serves
a photo from the media store to whoever holds an address bot/web/media.py made (a messenger
fetching it for a person); anything else is 404, and so is an expired or forged address."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config import WebConfig
from bot.media import MediaStore
from bot.web.media import MediaLinks

log = logging.getLogger(__name__)


class WebServer:
    def __init__(self, config: WebConfig, links: MediaLinks, files: MediaStore) -> None:
        self.config, self.links, self.files = config, links, files
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/media/{token}", self._media)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.config.listen, self.config.port).start()
        self._runner = runner
        log.info("web server on %s:%s (%s)", self.config.listen, self.config.port,
                 self.config.public_url)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _media(self, request: web.Request) -> web.StreamResponse:
        key = self.links.key_of(request.match_info["token"])
        if key is None or not self.files.exists(key):
            raise web.HTTPNotFound()
        try:
            content_type = await self.files.image_type(key)
        except FileNotFoundError:  # removed a moment ago
            raise web.HTTPNotFound() from None
        return web.FileResponse(self.files.path(key), headers={
            "Content-Type": content_type,
            "Cache-Control": "private, max-age=3600",
            "X-Content-Type-Options": "nosniff"})
