"""The OA sandbox's in-memory state, on top of the Zalo Bot Platform sandbox's world (its
chats, the bot's messages, the event log, images, the rate ceiling and counters are the same
things): one app, its Official Accounts, their followers, OAuth codes and tokens, uploaded
attachments, and the webhook events waiting to be posted.

Time is the emulator's own (`now()`: the wall clock plus `offset`, which `advance` moves), so
a test can age tokens, attachments and the 7-day window without sleeping.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.zalo.world import ZaloApiError, ZaloChat, ZaloWorld

JSON = dict[str, Any]

ACCESS_SECONDS = 90_000  # about 25 hours, as Zalo answers `expires_in: "90000"`
REFRESH_SECONDS = 90 * 24 * 3600  # three months
CODE_SECONDS = 600
ATTACHMENT_SECONDS = 7 * 24 * 3600
WINDOW_SECONDS = 7 * 24 * 3600  # consultation messages reach who interacted within it
FREE_SECONDS = 48 * 3600  # … and are free within this


def oa_user_id(seed: int | str) -> str:
    """A stable id of 19 digits, shaped like a Zalo follower id, for a test's number."""
    digest = hashlib.blake2s(f"oa-user:{seed}".encode(), digest_size=8).digest()
    return str(1_000_000_000_000_000_000 + int.from_bytes(digest) % 8_000_000_000_000_000_000)


class OaApiError(Exception):
    """An OA API answer `{"error": <negative>, "message": …}` (HTTP 200, as Zalo answers)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


@dataclass
class OaChat(ZaloChat):
    """One follower of one OA: the chat with it, and what the window rules need."""

    oa_id: str = ""
    followed: bool = True
    last_interaction: float = 0.0  # the emulator's time of their last message, press or follow
    phone: str = ""  # "84…", when the test gives the person one


@dataclass
class Token:
    oa_id: str
    expires: float
    alive: bool = True


@dataclass
class OaStats:
    sent: int = 0  # consultation messages accepted
    free: int = 0  # … within 48 h of the last interaction
    billable: int = 0  # … between 48 h and 7 days
    outside_window: int = 0  # refused with -230
    expired_tokens: int = 0  # calls refused because the access token had expired
    invalid_tokens: int = 0  # calls with a token that never was or was replaced
    refreshes: int = 0  # refresh_token grants that succeeded
    reused_refresh_tokens: int = 0  # grants that tried a refresh token already used
    uploads: int = 0
    zbs: int = 0  # ZBS template messages accepted (paid)
    zbs_refused: int = 0  # … refused (unknown template, quota, night, not a follower)
    rate_limited: int = 0
    webhook_posts: int = 0  # events the bot answered 200
    webhook_failures: int = 0  # attempts the bot refused or did not answer
    webhook_dropped: int = 0  # events given up on after the retries
    refused_signatures: int = 0  # posts the bot answered 401 or 403
    calls: list[str] = field(default_factory=list)  # every API path called, in order


class OaWorld(ZaloWorld):
    """All state of one emulated Zalo app with its Official Accounts."""

    def __init__(self, app_id: str, app_secret: str, oa_secret: str, *,
                 keep_log: bool = True) -> None:
        super().__init__(f"{app_id}:oa-sandbox", keep_log=keep_log)
        self.app_id, self.app_secret, self.oa_secret = app_id, app_secret, oa_secret
        self.offset = 0.0
        self.oas: dict[str, str] = {}  # OA id → its name
        self.codes: dict[str, tuple[str, str, float]] = {}  # code → (OA, challenge, expiry)
        self.access: dict[str, Token] = {}
        self.refresh: dict[str, Token] = {}
        self.attachments: dict[str, tuple[bytes, float]] = {}  # id → (bytes, expiry)
        self.events: deque[JSON] = deque()
        self.webhook_url = ""
        self.expired_code = -216  # what a call with an expired access token answers
        self.echoes = True  # post an `oa_send_*` event for every message the OA sends
        # post `user_received_message` with its tracking_id for every ZBS template delivered
        self.zbs_receipts = True
        self.oa_stats = OaStats()
        self.templates: dict[str, tuple[str, ...]] = {}  # approved ZBS template → parameters
        self.zbs_quota: int | None = None  # template messages a day (None: no limit)
        self.zbs_night = False  # answer -133, as Zalo may between 22:00 and 06:00
        self.drained = asyncio.Event()  # set while no event waits to be posted
        self.drained.set()

    def now(self) -> float:
        return time.time() + self.offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def new_id(self) -> str:
        return str(int.from_bytes(secrets.token_bytes(7)) + 10**17)

    # ---- tokens ------------------------------------------------------------------------

    def issue_pair(self, oa_id: str) -> JSON:
        """A new access token and refresh token for `oa_id`, as the token endpoint answers."""
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.now()
        self.access[access] = Token(oa_id, now + ACCESS_SECONDS)
        self.refresh[refresh] = Token(oa_id, now + REFRESH_SECONDS)
        return {"access_token": access, "refresh_token": refresh,
                "expires_in": str(ACCESS_SECONDS)}

    def oa_of_token(self, token: str | None) -> str:
        """The OA an access token acts for; OaApiError when it is unknown, revoked or old."""
        found = self.access.get(token or "")
        if found is None or not found.alive:
            self.oa_stats.invalid_tokens += 1
            raise OaApiError(-216, "Access token is invalid")
        if found.expires <= self.now():
            self.oa_stats.expired_tokens += 1
            raise OaApiError(self.expired_code, "Access token has expired")
        return found.oa_id

    def check_oa_rate(self) -> None:
        """-32 beyond the app's rate of requests."""
        try:
            self.check_rate()
        except ZaloApiError:
            self.oa_stats.rate_limited += 1
            raise OaApiError(-32, "Exceeded the limit of requests per minute") from None

    # ---- followers and events ----------------------------------------------------------

    def follower(self, oa_id: str, user_id: str) -> OaChat | None:
        chat = self.chats.get(user_id)
        return chat if isinstance(chat, OaChat) and chat.oa_id == oa_id else None

    def queue_event(self, event: JSON) -> None:
        """An event for the webhook, posted in order by the pusher."""
        self.events.append(event)
        self.drained.clear()
        if self.duplicate_pending > 0:
            self.duplicate_pending -= 1
            self.events.append(event)
            self.stats.duplicates += 1
        self.wake()
