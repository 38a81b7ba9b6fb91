"""The Zalo Bot Platform's methods, on top of `ZaloWorld`.

What the real API documents, and what the sandbox chose where it does not say:
- sendMessage takes 1–2,000 characters of plain text (longer or empty → 400); sendPhoto takes
  a photo URL and an optional caption of at most 2,000 characters.
- getUpdates returns ONE update, or 408 "Request timeout" when nothing came in `timeout`
  seconds (a string or a number; `max_poll_seconds` caps it in tests).
- getUpdates while a webhook is set answers 400 (Zalo documents only 400, 401, 403, 404,
  408 and 429; its documentation says polling does not work while a webhook is set).
- A chat the bot has never seen → 400 "chat not found"; a person who blocked the bot or never
  wrote to it → 403.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.zalo.world import ZaloApiError, ZaloChat, ZaloWorld, bad_request, now_ms

JSON = dict[str, Any]
Method = Callable[[JSON], Awaitable[Any]]

TEXT_LIMIT = 2000
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
WEBHOOK_CONFLICT = "Bad Request: webhook is set, call deleteWebhook before getUpdates"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _string(params: JSON, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    raise bad_request(f"{name} must be a string")


def _required(params: JSON, name: str) -> str:
    value = _string(params, name)
    if not value:
        raise bad_request(f"{name} is required")
    return value


class ZaloApi:
    """Every implemented method, looked up case-insensitively."""

    def __init__(self, world: ZaloWorld) -> None:
        self.world = world
        self.methods: dict[str, tuple[str, Method]] = {
            name[4:].lower(): (name[4:], getattr(self, name))
            for name in dir(self)
            if name.startswith("api_")
        }

    async def call(self, method: str, params: JSON) -> Any:
        """Run one method; raises ZaloApiError exactly as the HTTP answer carries it."""
        found = self.methods.get(method.lower())
        if found is None:
            raise ZaloApiError(404, "Not Found")
        name, function = found
        stats = self.world.stats
        stats.requests[name] += 1
        try:
            fault = self.world.take_fault(name, is_send=name in SEND_METHODS)
            if fault is not None:
                raise ZaloApiError(fault.error_code, fault.description)
            return await function(params)
        except ZaloApiError as error:
            if error.code == 429:
                stats.too_many_requests += 1
            elif error.code >= 500:
                stats.server_errors += 1
            elif error.code == 400:
                stats.bad_requests += 1
            raise

    # ---- the bot and its updates -------------------------------------------------------

    async def api_getMe(self, _params: JSON) -> JSON:
        return self.world.bot

    async def api_getUpdates(self, params: JSON) -> JSON:
        world = self.world
        if world.webhook is not None:
            raise ZaloApiError(400, WEBHOOK_CONFLICT)
        raw = _string(params, "timeout") or "30"
        try:
            timeout = max(float(raw), 0.0)
        except ValueError:
            raise bad_request("timeout must be a number of seconds") from None
        if world.max_poll_seconds is not None:
            timeout = min(timeout, world.max_poll_seconds)
        update = await world.next_update(timeout)
        if update is None:
            if world.webhook is not None:
                raise ZaloApiError(400, WEBHOOK_CONFLICT)
            raise ZaloApiError(408, "Request timeout")
        return update

    async def api_setWebhook(self, params: JSON) -> JSON:
        url = _required(params, "url")
        parts = urlsplit(url)
        # Zalo wants HTTPS; the sandbox also takes plain HTTP on this machine, for tests.
        if not parts.hostname or not (
            parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)
        ):
            raise bad_request("url must be an HTTPS URL")
        secret = _required(params, "secret_token")
        if not 8 <= len(secret) <= 256:
            raise bad_request("secret_token must be 8 to 256 characters")
        world = self.world
        world.webhook = {"url": url, "secret_token": secret, "updated_at": now_ms()}
        world.webhook_set.set()
        world.wake()
        return {"url": url, "updated_at": world.webhook["updated_at"]}

    async def api_deleteWebhook(self, _params: JSON) -> JSON:
        world = self.world
        world.webhook = None
        world.webhook_set.clear()
        world.wake()
        return {"url": "", "updated_at": now_ms()}

    async def api_getWebhookInfo(self, _params: JSON) -> JSON:
        hook = self.world.webhook
        if hook is None:
            return {"url": "", "updated_at": 0}
        return {"url": hook["url"], "updated_at": hook["updated_at"]}

    # ---- sending -----------------------------------------------------------------------

    def target(self, params: JSON) -> ZaloChat:
        chat = self.world.chats.get(_required(params, "chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ZaloApiError(403, "Forbidden: the user blocked the bot")
        if not chat.started:
            raise ZaloApiError(403, "Forbidden: the user has not messaged the bot")
        return chat

    def send(self, chat: ZaloChat, kind: str, fields: JSON) -> JSON:
        self.world.check_rate()
        message: JSON = {
            "message_id": self.world.next_hex(),
            "chat_id": chat.id,
            "date": now_ms(),
            "kind": kind,
            **fields,
        }
        self.world.record(chat, message)
        stats = self.world.stats
        if kind == "text":
            stats.sent_texts += 1
        elif kind == "photo":
            stats.sent_photos += 1
        return {"message_id": message["message_id"], "date": message["date"]}

    async def api_sendMessage(self, params: JSON) -> JSON:
        chat = self.target(params)
        text = _string(params, "text") or ""
        if not 1 <= len(text) <= TEXT_LIMIT:
            raise bad_request(f"text must be 1 to {TEXT_LIMIT} characters, not {len(text)}")
        return self.send(chat, "text", {"text": text})

    async def api_sendPhoto(self, params: JSON) -> JSON:
        chat = self.target(params)
        photo = _required(params, "photo")
        if urlsplit(photo).scheme not in ("http", "https"):
            raise bad_request("photo must be a URL")
        caption = _string(params, "caption") or ""
        if len(caption) > TEXT_LIMIT:
            raise bad_request(f"caption must be at most {TEXT_LIMIT} characters")
        return self.send(chat, "photo", {"photo": photo, "caption": caption})

    async def api_sendSticker(self, params: JSON) -> JSON:
        chat = self.target(params)
        return self.send(chat, "sticker", {"sticker": _required(params, "sticker")})

    async def api_sendChatAction(self, params: JSON) -> None:
        self.target(params)
        action = _required(params, "action")
        if action not in CHAT_ACTIONS:
            raise bad_request(f"unknown action {action!r}")
