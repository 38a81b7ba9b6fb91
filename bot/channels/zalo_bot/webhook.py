"""Zalo Bot Platform webhook mode: a small aiohttp server takes one event per POST, checks the
`X-Bot-Api-Secret-Token` header (constant-time), answers at once and hands the event to the
channel's per-chat workers. Enveloped (`{"ok": true, "result": {…}}`) and bare bodies are
both taken (`parse_update` reads either)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.zalo_bot.updates import SECRET_HEADER, verify_secret

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024


class ZaloWebhookServer:
    def __init__(
        self, take: Callable[[object], None], secret: str, url: str, listen: str, port: int
    ) -> None:
        self.take, self.secret = take, secret
        self.path = urlsplit(url).path or "/"
        self.listen, self.port = listen, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self._receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.listen, self.port).start()
        self._runner = runner
        log.info("Zalo webhook listening on %s:%s%s", self.listen, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        if not verify_secret(request.headers.get(SECRET_HEADER), self.secret):
            log.warning("a Zalo webhook call without the right secret was refused")
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            event = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "description": "not JSON"}, status=400)
        self.take(event)  # queued: the answer does not wait for the bot's work
        return web.json_response({"ok": True})
