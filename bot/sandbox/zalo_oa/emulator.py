"""`OaSandbox`: a local Zalo Official Account API with simulated followers, for tests, demos
and benchmarks. Point the bot's `[zalo_oa]` `api_base_url` and `oauth_base_url` at
`base_url`, and `webhook_url` at the bot's webhook."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from bot.sandbox.zalo.served import Served
from bot.sandbox.zalo.world import RateCeiling, ZaloEvent
from bot.sandbox.zalo_oa.api import OaApi
from bot.sandbox.zalo_oa.people import SimOaUser
from bot.sandbox.zalo_oa.webhook import OaWebhookPusher
from bot.sandbox.zalo_oa.world import OaChat, OaStats, OaWorld, oa_user_id
from bot.sandbox.zalo_oa.zbs import ZbsApi

JSON = dict[str, Any]

APP_ID = "4318902571938471562"
APP_SECRET = "sandbox-app-secret-Zk3P"
OA_SECRET = "sandbox-oa-secret-Q8vT"
DEFAULT_OA = "579745863508352884"


class OaSandbox(Served):
    """The emulator. `requests_per_minute` answers -32 beyond it (Zalo: about 4,000 a
    minute per app); `webhook_retries` more attempts are made at an event not answered 200."""

    world: OaWorld
    webhook: OaWebhookPusher

    def __init__(
        self, *, app_id: str = APP_ID, app_secret: str = APP_SECRET,
        oa_secret: str = OA_SECRET, keep_log: bool = True,
        requests_per_minute: float | None = None, webhook_retries: int = 3,
    ) -> None:
        self.world = OaWorld(app_id, app_secret, oa_secret, keep_log=keep_log)
        if requests_per_minute:
            self.world.ceiling = RateCeiling(requests_per_minute / 60)
        self.api = OaApi(self.world)
        self.webhook = OaWebhookPusher(self.world, retries=webhook_retries)
        self._users: dict[str, SimOaUser] = {}
        self.add_oa(DEFAULT_OA, "Công an xã Thống Nhất")

    # ---- lifecycle ---------------------------------------------------------------------

    def app(self) -> web.Application:
        app = self.api.app()
        # ZBS lives on business.openapi.zalo.me: the sandbox serves it on the same address
        app.router.add_post("/message/template", ZbsApi(self.world).send)
        return app

    @property
    def base_url(self) -> str:
        if not self.world.base_url:
            raise RuntimeError("the OA sandbox is not started")
        return self.world.base_url

    @property
    def app_id(self) -> str:
        return self.world.app_id

    @property
    def app_secret(self) -> str:
        return self.world.app_secret

    @property
    def oa_secret(self) -> str:
        return self.world.oa_secret

    @property
    def webhook_url(self) -> str:
        return self.world.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str) -> None:
        """Where events go (set in Zalo's developer console for the real app)."""
        self.world.webhook_url = url
        self.world.wake()

    # ---- OAs, tokens, time -------------------------------------------------------------

    def add_oa(self, oa_id: str, name: str) -> str:
        self.world.oas[oa_id] = name
        return oa_id

    def add_template(self, template_id: str, *params: str) -> str:
        """A ZBS template Zalo approved, with its parameter names (default `noi_dung`)."""
        self.world.templates[template_id] = params or ("noi_dung",)
        return template_id

    def age(self, person: SimOaUser, seconds: float) -> None:
        """The follower last interacted `seconds` ago (the emulator's side of the window)."""
        person.oa_chat.last_interaction = self.world.now() - seconds

    def issue_tokens(self, oa_id: str = DEFAULT_OA) -> JSON:
        """A token pair for `oa_id`, as if its admin had consented (to seed the bot)."""
        return self.world.issue_pair(oa_id)

    def approve(self, link: str, oa_id: str = DEFAULT_OA) -> tuple[str, str]:
        """The OA's admin opens the consent link and approves: (code, state) as Zalo sends
        them back to the redirect URI."""
        query = parse_qs(urlsplit(link).query)
        if query.get("app_id") != [self.app_id]:
            raise ValueError(f"the consent link is not for this app: {link}")
        [challenge] = query["code_challenge"]
        return self.api.consent(oa_id, challenge), query.get("state", [""])[0]

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock: tokens, attachments and windows age."""
        self.world.offset += seconds

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is past its expiry (the refresh tokens live on)."""
        now = self.world.now()
        for token in self.world.access.values():
            token.expires = min(token.expires, now)

    def revoke_refresh_tokens(self) -> None:
        """The OA's admin removed the app, or a refresh token leaked and was used: every
        refresh token is dead (a renewal answers -14014)."""
        for token in self.world.refresh.values():
            token.alive = False

    @property
    def expired_code(self) -> int:
        return self.world.expired_code

    @expired_code.setter
    def expired_code(self, code: int) -> None:
        self.world.expired_code = code

    # ---- people ------------------------------------------------------------------------

    def user(self, seed: int | str, display_name: str = "User", *, oa_id: str = DEFAULT_OA,
             followed: bool = True) -> SimOaUser:
        """The follower `seed` (a number becomes a 19-digit id) of `oa_id`, created on first
        use. `followed=True` makes someone who followed before the test (no event is sent;
        `follow()` sends one); their last interaction is now."""
        uid = oa_user_id(seed) if isinstance(seed, int) else seed
        existing = self._users.get(uid)
        if existing is not None:
            return existing
        user: JSON = {"id": uid, "display_name": display_name, "is_bot": False}
        chat = OaChat(user=user, oa_id=oa_id, followed=followed,
                      last_interaction=self.world.now())
        self.world.chats[uid] = chat
        person = self._users[uid] = SimOaUser(self.world, chat)
        return person

    # ---- inspection and faults ---------------------------------------------------------

    @property
    def stats(self) -> OaStats:
        return self.world.oa_stats

    @property
    def log(self) -> list[ZaloEvent]:
        return self.world.log

    def transcript(self) -> str:
        return "\n".join(event.line() for event in self.world.log)

    def on_event(self, callback: Callable[[ZaloEvent], None]) -> Callable[[], None]:
        self.world.listeners.append(callback)
        return lambda: self.world.listeners.remove(callback)

    def duplicate_next(self, count: int = 1) -> None:
        """Post each of the next `count` events twice (same msg_id), as a retry may."""
        self.world.duplicate_pending += count

    def forge_signatures(self, forge: bool = True) -> None:
        """Sign events with a wrong key from now on (or stop)."""
        self.webhook.forge = forge

    async def drained(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once every queued event has been posted (answered, or given up on)."""
        await asyncio.wait_for(self.world.drained.wait(), timeout)

    async def post_event(self, event: JSON) -> int:
        """POST one event to the webhook now, signed (or forged), outside the queue; the
        HTTP status the bot answered."""
        return await self.webhook.post(event)
