"""`Sandbox`: a local Telegram Bot API server with simulated users, for tests and demos."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.sandbox.people import SimGroup, SimUser
from bot.sandbox.server import Api, build_app
from bot.sandbox.views import Event, format_event
from bot.sandbox.webhook import WebhookPusher
from bot.sandbox.world import ChatState, Fault, RateLimits, Stats, World

JSON = dict[str, Any]


class Sandbox:
    """The emulator. Point a PTB `Application` at `api_base_url` and `file_base_url`.

    `rate_limits` switches Telegram's flood limits on (429 with retry_after); `limits` tunes them.
    """

    def __init__(
        self, *, rate_limits: bool = False, limits: RateLimits | None = None, keep_log: bool = True
    ) -> None:
        self.world = World(rate_limits=rate_limits, limits=limits)
        self.world.keep_log = keep_log
        self.api = Api(self.world)
        self._users: dict[int, SimUser] = {}
        self._groups: dict[int, SimGroup] = {}
        self._runner: web.AppRunner | None = None
        self._url = ""
        self.webhook = WebhookPusher(self.world)

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Serve on `host:port` (port 0 picks a free one)."""
        runner = web.AppRunner(
            build_app(self.api), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound_host, bound_port = runner.addresses[0][:2]
        self._url = f"http://{host if host not in ('0.0.0.0', '') else bound_host}:{bound_port}"
        self.world.closing = False
        self.webhook.start()

    async def stop(self) -> None:
        """End pending long polls, then close the server."""
        self.world.closing = True
        self.world.wake_pollers()
        await self.webhook.stop()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        if not self._url:
            raise RuntimeError("the sandbox is not started")
        return self._url

    @property
    def api_base_url(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        return f"{self.base_url}/file/bot"

    # ---- people ------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        phone: str | None = None,
        *,
        started: bool = True,
    ) -> SimUser:
        """The simulated person `user_id`, created on first use.

        `started=False` makes a person who never opened the bot: sends answer 403 until they
        write to it.
        """
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value:
                user[key] = chat[key] = value
        if language_code:
            user["language_code"] = language_code
        state = ChatState(chat=chat, started=started)
        self.world.chats[user_id] = state
        self.world.users[user_id] = user
        person = self._users[user_id] = SimUser(self.world, state, user, phone)
        return person

    def group(
        self, chat_id: int, title: str = "Nhóm", members: list[SimUser] | None = None
    ) -> SimGroup:
        """The group `chat_id` with the bot in it: a supergroup for -100… ids, else a group."""
        existing = self._groups.get(chat_id)
        if existing is None:
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            state = ChatState(chat={"id": chat_id, "type": kind, "title": title})
            self.world.chats[chat_id] = state
            existing = self._groups[chat_id] = SimGroup(self.world, state)
        for member in members or []:
            existing.add(member)
        return existing

    @property
    def users(self) -> dict[int, SimUser]:
        return dict(self._users)

    @property
    def groups(self) -> dict[int, SimGroup]:
        return dict(self._groups)

    # ---- inspection and control --------------------------------------------------------

    @property
    def rate_limits(self) -> bool:
        return self.world.rate_limits

    @rate_limits.setter
    def rate_limits(self, value: bool) -> None:
        self.world.rate_limits = value

    @property
    def limits(self) -> RateLimits:
        return self.world.limiter.limits

    @property
    def stats(self) -> Stats:
        return self.world.stats

    @property
    def commands(self) -> dict[tuple[str, str], list[JSON]]:
        return self.world.commands

    @property
    def bot_user(self) -> JSON:
        return self.world.bot_user

    @property
    def log(self) -> list[Event]:
        return self.world.log

    def on_event(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback` for every event from now on; returns a function that unsubscribes."""
        self.world.listeners.append(callback)
        return lambda: self.world.listeners.remove(callback)

    @staticmethod
    def format_event(event: Event) -> str:
        return format_event(event)

    def transcript(self) -> str:
        return "\n".join(format_event(event) for event in self.world.log)

    async def wait_polling(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once a client (the bot) is waiting in a getUpdates long poll."""
        await asyncio.wait_for(self.world.polling.wait(), timeout)

    async def wait_webhook(self, timeout: float = 5.0) -> str:  # noqa: ASYNC109
        """Return the webhook URL once a bot has set one (updates then go there)."""
        await asyncio.wait_for(self.world.webhook_set.wait(), timeout)
        return str(self.world.settings["webhook"]["url"])

    def fail_next(
        self, method: str, error_code: int, description: str, retry_after: int | None = None
    ) -> None:
        """Answer the next call of `method` with this error (queued per method)."""
        fault = Fault(error_code, description, retry_after)
        self.world.faults.setdefault(method.lower(), deque()).append(fault)

    async def call(self, method: str, **params: Any) -> Any:
        """Run a Bot API method in-process, without HTTP (raises ApiError on errors)."""
        return await self.api.call(method, params)
