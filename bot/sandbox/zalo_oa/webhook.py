"""The OA sandbox posts every event to the app's webhook URL, signed as Zalo signs them:
header `X-ZEvent-Signature: mac=<hex>`, hex = SHA-256 of app id + raw body + the body's
`timestamp` + the OA secret key. One event per POST, oldest first; an event the bot does
not answer with 200 is tried again up to `retries` more times, `retry_delay` seconds apart
(Zalo waits 30 s, 5 min … 1 h), then dropped and counted."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from typing import Any

import aiohttp

from bot.sandbox.zalo.webhook import ZaloWebhookPusher
from bot.sandbox.zalo_oa.world import OaWorld

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"


def signature(first: str, body: bytes, timestamp: str, secret: str) -> str:
    """The header's value for `body` (the bot's check computes the same)."""
    mac = hashlib.sha256(first.encode() + body + timestamp.encode() + secret.encode())
    return f"mac={mac.hexdigest()}"


class OaWebhookPusher(ZaloWebhookPusher):
    """The Zalo sandbox's pusher (its session and task), posting OA events instead."""

    def __init__(self, world: OaWorld, *, retries: int = 3, retry_delay: float = 0.05) -> None:
        super().__init__(world, retries=retries, retry_delay=retry_delay)
        self.oa_world = world
        self.forge = False  # sign with a wrong key (a test of the bot's check)

    async def _run(self) -> None:
        world, stats = self.oa_world, self.oa_world.oa_stats
        while not world.closing:
            woken = world.updates_event  # wake() sets it and puts a new one in place
            if not world.webhook_url or not world.events:
                await woken.wait()
                continue
            event = world.events.popleft()
            for attempt in range(self.retries + 1):
                if attempt:
                    await asyncio.sleep(self.retry_delay)  # the platform's back-off
                status = await self.post(event)
                if status == 200:
                    stats.webhook_posts += 1
                    break
                stats.webhook_failures += 1
                if status in (401, 403):
                    stats.refused_signatures += 1
            else:
                stats.webhook_dropped += 1
                log.debug("OA webhook: gave up on an event after %d attempts", self.retries + 1)
            if not world.events:
                world.drained.set()

    async def post(self, event: dict[str, Any]) -> int:
        """POST one event, signed; the HTTP status (0 when the bot was not reached)."""
        assert self._session is not None
        world = self.oa_world
        body = json.dumps(event, ensure_ascii=False).encode("utf-8")
        secret = world.oa_secret + ("-forged" if self.forge else "")
        headers = {SIGNATURE_HEADER: signature(world.app_id, body, str(event["timestamp"]),
                                               secret),
                   "Content-Type": "application/json"}
        try:
            async with self._session.post(world.webhook_url, data=body,
                                          headers=headers) as response:
                return response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            log.debug("OA webhook %s not reachable: %s", world.webhook_url, error)
            return 0
