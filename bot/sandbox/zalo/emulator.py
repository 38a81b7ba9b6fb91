"""`ZaloSandbox`: a local Zalo Bot Platform server with simulated people, for tests, demos and
benchmarks. Point a client at `api_base_url` with `token`."""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.zalo.api import ZaloApi
from bot.sandbox.zalo.people import SimZaloUser
from bot.sandbox.zalo.served import Served
from bot.sandbox.zalo.server import build_app
from bot.sandbox.zalo.webhook import ZaloWebhookPusher
from bot.sandbox.zalo.world import (
    Fault,
    RateCeiling,
    ZaloChat,
    ZaloEvent,
    ZaloStats,
    ZaloWorld,
    zalo_id,
)

JSON = dict[str, Any]

_HEX = re.compile(r"^[0-9a-f]+$")
DEFAULT_TOKEN = "1459232241454765289:sandbox-zalo-bot-token"


class ZaloSandbox(Served):
    """The emulator.

    `rate_per_second` answers 429 beyond that many sends a second; `max_poll_seconds` caps a
    getUpdates long poll (an idle poll answers 408 after it); `keep_log=False` keeps counters
    and only each chat's newest few messages; `webhook_envelope=False` posts bare events.
    """

    world: ZaloWorld
    webhook: ZaloWebhookPusher

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        keep_log: bool = True,
        rate_per_second: float | None = None,
        max_poll_seconds: float | None = None,
        webhook_envelope: bool = True,
        webhook_retries: int = 3,
    ) -> None:
        self.world = ZaloWorld(token, keep_log=keep_log)
        self.world.max_poll_seconds = max_poll_seconds
        self.rate_per_second = rate_per_second
        self.api = ZaloApi(self.world)
        self.webhook = ZaloWebhookPusher(
            self.world, envelope=webhook_envelope, retries=webhook_retries
        )
        self._users: dict[str, SimZaloUser] = {}

    # ---- lifecycle ---------------------------------------------------------------------

    def app(self) -> web.Application:
        return build_app(self.api)

    @property
    def base_url(self) -> str:
        if not self.world.base_url:
            raise RuntimeError("the Zalo sandbox is not started")
        return self.world.base_url

    @property
    def api_base_url(self) -> str:
        """Methods are posted to `{api_base_url}{token}/{method}`, as on Zalo."""
        return f"{self.base_url}/bot"

    @property
    def token(self) -> str:
        return self.world.token

    # ---- people ------------------------------------------------------------------------

    def user(
        self, user_id: int | str, display_name: str = "User", *, started: bool = True
    ) -> SimZaloUser:
        """The simulated person `user_id`, created on first use. A number becomes a stable
        Zalo-shaped hex id (`zalo_id(n)`); a string is used as the id itself.

        `started=False` makes a person who never wrote to the bot: sends answer 403 until
        they do."""
        if isinstance(user_id, str) and not _HEX.match(user_id):
            raise ValueError(f"a Zalo id is hex, not {user_id!r}: pass a number or a hex id, "
                             "and the name second, e.g. user(3001, 'Lan')")
        uid = zalo_id(user_id) if isinstance(user_id, int) else user_id
        existing = self._users.get(uid)
        if existing is not None:
            return existing
        user: JSON = {"id": uid, "display_name": display_name, "is_bot": False}
        chat = self.world.chats[uid] = ZaloChat(user=user, started=started)
        person = self._users[uid] = SimZaloUser(self.world, chat)
        return person

    @property
    def users(self) -> dict[str, SimZaloUser]:
        return dict(self._users)

    # ---- inspection --------------------------------------------------------------------

    @property
    def stats(self) -> ZaloStats:
        return self.world.stats

    @property
    def log(self) -> list[ZaloEvent]:
        return self.world.log

    def transcript(self) -> str:
        return "\n".join(event.line() for event in self.world.log)

    def on_event(self, callback: Callable[[ZaloEvent], None]) -> Callable[[], None]:
        """Call `callback` for every event from now on; returns a function that unsubscribes."""
        self.world.listeners.append(callback)
        return lambda: self.world.listeners.remove(callback)

    @property
    def pending_updates(self) -> int:
        return len(self.world.updates)

    async def wait_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a client (the bot) is waiting in a getUpdates long poll."""
        await asyncio.wait_for(self.world.polling.wait(), timeout)

    async def wait_webhook(self, timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Return the webhook URL once the bot has set one (updates then go there)."""
        await asyncio.wait_for(self.world.webhook_set.wait(), timeout)
        assert self.world.webhook is not None
        return str(self.world.webhook["url"])

    # ---- control and faults ------------------------------------------------------------

    @property
    def rate_per_second(self) -> float | None:
        ceiling = self.world.ceiling
        return ceiling.rate if ceiling is not None else None

    @rate_per_second.setter
    def rate_per_second(self, value: float | None) -> None:
        self.world.ceiling = RateCeiling(value) if value else None

    @property
    def max_poll_seconds(self) -> float | None:
        return self.world.max_poll_seconds

    @max_poll_seconds.setter
    def max_poll_seconds(self, value: float | None) -> None:
        self.world.max_poll_seconds = value

    def fail_next(
        self, method: str, error_code: int = 500, description: str = "Internal Server Error"
    ) -> None:
        """Answer the next call of `method` with this error (queued per method)."""
        fault = Fault(error_code, description)
        self.world.faults.setdefault(method.lower(), deque()).append(fault)

    def fail_sends(
        self, count: int, error_code: int = 429, description: str = "Too Many Requests"
    ) -> None:
        """Answer the next `count` sends (sendMessage, sendPhoto, sendSticker) with this error."""
        self.world.send_faults.extend([Fault(error_code, description)] * count)

    def duplicate_next(self, count: int = 1) -> None:
        """Deliver each of the next `count` updates twice (same message_id), as Zalo may."""
        self.world.duplicate_pending += count

    def redeliver(self, update: JSON) -> None:
        """Deliver `update` (as a SimZaloUser's send returned it) once more."""
        self.world.stats.duplicates += 1
        self.world.push_update(update)

    def image(self, url: str) -> bytes | None:
        """The bytes behind an image URL this sandbox serves."""
        return self.world.images.get(url.rsplit("/files/", 1)[-1])

    async def call(self, method: str, **params: Any) -> Any:
        """Run a method in-process, without HTTP (raises ZaloApiError on errors)."""
        return await self.api.call(method, params)
