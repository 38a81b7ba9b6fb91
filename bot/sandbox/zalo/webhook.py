"""Webhook delivery: once the bot calls setWebhook, the sandbox POSTs each update to it instead
of keeping it for getUpdates.

One update per POST, oldest first, with the `X-Bot-Api-Secret-Token` header. The body is
`{"ok": true, "result": {event}}` as Zalo documents it, or the bare event as some live
captures show (`envelope=False`). An update the bot does not answer with 2xx is tried again
up to `retries` more times, `retry_delay` seconds apart, then dropped and counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp

from bot.sandbox.zalo.world import ZaloWorld

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloWebhookPusher:
    def __init__(
        self, world: ZaloWorld, *, envelope: bool = True, retries: int = 3,
        retry_delay: float = 0.05,
    ) -> None:
        self.world = world
        self.envelope = envelope
        self.retries = retries
        self.retry_delay = retry_delay
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="zalo-sandbox-webhook")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        world = self.world
        while not world.closing:
            woken = world.updates_event  # wake() sets it and puts a new one in place
            hook = world.webhook
            if hook is None or not world.updates:
                await woken.wait()
                continue
            update = world.updates.popleft()
            for attempt in range(self.retries + 1):
                if attempt:
                    await asyncio.sleep(self.retry_delay)  # the platform's back-off
                if world.webhook is not hook:  # deleted or replaced meanwhile: keep it
                    world.updates.appendleft(update)
                    break
                if await self._post(hook["url"], hook["secret_token"], update):
                    world.stats.webhook_posts += 1
                    break
                world.stats.webhook_failures += 1
            else:
                world.stats.webhook_dropped += 1
                log.debug("webhook: gave up on an update after %d attempts", self.retries + 1)

    async def _post(self, url: str, secret: str, update: dict[str, Any]) -> bool:
        assert self._session is not None
        body = {"ok": True, "result": update} if self.envelope else update
        try:
            async with self._session.post(
                url, json=body, headers={SECRET_HEADER: secret}
            ) as response:
                return 200 <= response.status < 300
        except (aiohttp.ClientError, TimeoutError) as error:
            log.debug("webhook %s not reachable: %s", url, error)
            return False
