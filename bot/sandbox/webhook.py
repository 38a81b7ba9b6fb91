"""Webhook delivery: once a bot calls setWebhook, the sandbox POSTs updates to it, as Telegram
does, instead of keeping them for getUpdates.

One update at a time, oldest first, as JSON with the `X-Telegram-Bot-Api-Secret-Token` header
when the bot set a secret. An update is confirmed when the bot answers 200; otherwise it stays
first in line and is tried again shortly (Telegram keeps retrying too). deleteWebhook stops it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp

from bot.sandbox.world import World

log = logging.getLogger(__name__)

RETRY_SECONDS = 0.2


class WebhookPusher:
    def __init__(self, world: World) -> None:
        self.world = world
        self.delivered = 0
        self.refused = 0
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

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
            woken = world.updates_event  # wake_pollers() sets it and puts a new one in place
            hook = world.settings.get("webhook")
            if not hook or not world.updates:
                await woken.wait()
                continue
            update = world.updates[0]
            allowed = hook["allowed_updates"]
            if allowed and not any(key in allowed for key in update if key != "update_id"):
                world.confirm_updates(update["update_id"] + 1)
                continue
            if await self._post(hook["url"], hook.get("secret_token"), update):
                self.delivered += 1
                world.confirm_updates(update["update_id"] + 1)
            else:
                self.refused += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), RETRY_SECONDS)

    async def _post(self, url: str, secret: str | None, update: dict[str, object]) -> bool:
        assert self._session is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError) as error:
            log.debug("webhook %s not reachable: %s", url, error)
            return False
