"""The Zalo OA webhook, answered on a thread of its own.

Zalo wants its 200 within 2 s and takes a slow answer for a failure. The bot's own event loop
is busy with the work the events bring (conversations, the delivery engine), so the webhook
has a small aiohttp server on its own thread and event loop: it checks the signature, keeps
the raw event in the inbox (bot/store/zalo_oa_inbox.py: a file of its own, committed before
the answer — Zalo does not post an event again after a 200), hands the event to the bot's
loop and answers. Nothing it does waits for the bot's loop. An event that could not be kept
is answered 500, so Zalo posts it again.

The bot says which events it has handled (`handled`, from its loop); they are deleted from
the inbox in batches on the webhook's thread. The events kept and not handled when the bot
stopped are handed over again at the next start; their msg_id stops a second action.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
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
        self._main: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._inbox: OaInbox | None = None
        self._handled: list[int] = []
        self._handled_lock = threading.Lock()

    # --- on the bot's loop -------------------------------------------------------------------

    async def start(self) -> None:
        """Serve on the webhook's thread; then hand over the events a previous run kept and
        did not handle."""
        self._main = asyncio.get_running_loop()
        ready: concurrent.futures.Future[list[tuple[int, bytes]]] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._serve, args=(ready,),
                                        name="zalo-oa-webhook", daemon=True)
        self._thread.start()
        for event_id, body in await asyncio.wrap_future(ready):
            self._take(event_id, _json(body))

    async def stop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            await asyncio.to_thread(thread.join)

    def handled(self, event_id: int) -> None:
        """The event was handled: forget it (soon, in a batch)."""
        with self._handled_lock:
            self._handled.append(event_id)

    async def forget_handled(self) -> None:
        """Delete the events handled so far from the inbox now, not at the next round."""
        loop = self._loop
        if loop is None:
            return
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def forget() -> None:
            self._forget_now(False)
            done.set_result(None)

        loop.call_soon_threadsafe(forget)
        await asyncio.wrap_future(done)

    # --- on the webhook's thread -------------------------------------------------------------

    def _serve(self, ready: concurrent.futures.Future[list[tuple[int, bytes]]]) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            runner = loop.run_until_complete(self._open())
            assert self._inbox is not None
            kept = self._inbox.kept()
        except BaseException as error:
            if self._inbox is not None:
                self._inbox.close()
            loop.close()
            ready.set_exception(error)
            return
        self._loop = loop
        ready.set_result(kept)
        loop.call_later(FORGET_SECONDS, self._forget_now, True)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            self._forget_now(False)
            self._inbox.close()
            loop.close()

    async def _open(self) -> web.AppRunner:
        self._inbox = OaInbox.open(self._database, self._clock)
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.config.webhook_path, self._receive)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, self.config.webhook_listen, self.config.webhook_port).start()
        log.info("Zalo OA webhook listening on %s:%s%s", self.config.webhook_listen,
                 self.config.webhook_port, self.config.webhook_path)
        return runner

    def _forget_now(self, again: bool) -> None:
        with self._handled_lock:
            handled, self._handled = self._handled, []
        try:
            if handled and self._inbox is not None:
                self._inbox.forget(handled)
        except Exception:  # kept: handled again at the next start, where msg_id stops them
            log.exception("handled Zalo OA events could not be deleted from the inbox")
        if again and self._loop is not None:
            self._loop.call_later(FORGET_SECONDS, self._forget_now, True)

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
        assert self._inbox is not None and self._main is not None
        try:
            event_id = self._inbox.keep(body)
        except Exception:
            log.exception("a Zalo OA event could not be kept; Zalo will post it again")
            return web.json_response({"error": "not kept, post it again"}, status=500)
        self._main.call_soon_threadsafe(self._take, event_id, event)
        return web.json_response({"error": 0})


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
