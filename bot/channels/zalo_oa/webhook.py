"""The Zalo OA webhook: each event kept before Zalo hears 200.

Zalo wants its 200 within 2 s and does not post an event again once it has had it, so the
webhook checks the signature, keeps the raw event in the inbox (bot/store/zalo_oa_inbox.py:
a small file of its own, one short committed insert with plain sqlite3 — a fraction of a
millisecond, nothing queued behind the bot's database work), hands it to the channel's
per-follower queues and answers; the work is done after, a few followers at a time
(bot/channels/chats.py), so it never crowds the loop the answers need. An event that could
not be kept is answered 500, so Zalo posts it again; echoes and receipts other than a ZBS
template's are answered without being kept.

The channel says which events it has handled (`handled`); they are deleted from the inbox in
batches. The events kept and not handled when the bot stopped are handed over again at the
next start; their msg_id stops a second action.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.zalo_oa.events import SIGNATURE_HEADER, acted_on, oa_of, parse_event, signed
from bot.clock import Clock
from bot.config import ZaloOaConfig
from bot.store.zalo_oa_inbox import OaInbox

log = logging.getLogger(__name__)

MAX_BODY = 256 * 1024
FORGET_SECONDS = 0.5  # handled events are deleted from the inbox this often
Take = Callable[[int, Any], None]  # (inbox id, the parsed event): called on the bot's loop


class OaWebhookServer:
    def __init__(self, take: Take, config: ZaloOaConfig, oa_secret: str, database: Path,
                 clock: Clock) -> None:
        self._take, self.config, self.oa_secret = take, config, oa_secret
        self._database, self._clock = database, clock
        self._runner: web.AppRunner | None = None
        self._inbox: OaInbox | None = None
        self._handled: list[int] = []
        self._forgetting: asyncio.TimerHandle | None = None
        self._checkpointing: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the inbox, hand over the events a previous run kept and did not handle,
        and serve."""
        self._inbox = OaInbox.open(self._database, self._clock)
        for event_id, body in self._inbox.kept():
            self._take(event_id, _json(body))
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.config.webhook_path, self._receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.config.webhook_listen, self.config.webhook_port).start()
        self._runner = runner
        log.info("Zalo OA webhook listening on %s:%s%s", self.config.webhook_listen,
                 self.config.webhook_port, self.config.webhook_path)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if self._forgetting is not None:
            self._forgetting.cancel()
        self.forget_handled()
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        if self._inbox is not None:
            inbox, self._inbox = self._inbox, None
            inbox.close()

    def handled(self, event_id: int) -> None:
        """The event was handled: forget it (soon, in a batch)."""
        self._handled.append(event_id)
        if self._forgetting is None:
            loop = asyncio.get_running_loop()
            self._forgetting = loop.call_later(FORGET_SECONDS, self.forget_handled)

    def forget_handled(self) -> None:
        """Delete the events handled so far from the inbox now."""
        self._forgetting = None
        handled, self._handled = self._handled, []
        try:
            if handled and self._inbox is not None:
                self._inbox.forget(handled)
        except Exception:  # kept: handled again at the next start, where msg_id stops them
            log.exception("handled Zalo OA events could not be deleted from the inbox")
        if handled and self._inbox is not None and (
                self._checkpointing is None or self._checkpointing.done()):
            self._checkpointing = asyncio.get_running_loop().create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        try:
            if self._inbox is not None:
                await self._inbox.checkpoint()
        except Exception:  # the log grows until the next one succeeds
            log.warning("the Zalo OA inbox could not be checkpointed", exc_info=True)

    async def _receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        event = _json(body)
        if not isinstance(event, dict):
            return web.json_response({"error": "not a JSON object"}, status=400)
        first = self.config.app_id if self.config.signature_id == "app_id" else oa_of(event)
        if not signed(request.headers.get(SIGNATURE_HEADER), first, body,
                      str(event.get("timestamp") or ""), self.oa_secret):
            log.warning("a Zalo OA webhook call with a wrong signature was refused")
            return web.json_response({"error": "bad signature"}, status=401)
        if not acted_on(parse_event(event)):  # an echo, a receipt: nothing to keep
            return web.json_response({"error": 0})
        try:
            if self._inbox is None:
                raise RuntimeError("the Zalo OA inbox is closed")
            event_id = self._inbox.keep(body)
        except Exception:
            log.exception("a Zalo OA event could not be kept; Zalo will post it again")
            return web.json_response({"error": "not kept, post it again"}, status=500)
        self._take(event_id, event)
        return web.json_response({"error": 0})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
