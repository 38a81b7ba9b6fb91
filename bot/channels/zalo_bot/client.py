"""`ZaloBotClient`: a small async client for the Zalo Bot Platform, on aiohttp.

Not `python-zalo-bot` (see shared/ZALO.md): its webhook helpers call `asyncio.run()`, an
`ok: false` answer comes back as None, and the idle 408 of a long poll is logged as an error.

Every method is `POST {api_base_url}{token}/{method}` with a JSON body; the answer is
`{"ok": true, "result": …}` or `{"ok": false, "error_code": N, "description": …}`, and any
failure is raised as a `ZaloError` subclass (see errors.py). The token is secret: it appears
in no log line, exception or repr; only the URL of each request holds it.
"""

from __future__ import annotations

import json
import logging
from types import TracebackType
from typing import Any

import aiohttp

from bot.channels.zalo_bot.errors import (
    ZaloError,
    ZaloFileTooLarge,
    ZaloMalformedResponse,
    ZaloTimedOut,
    ZaloTransientError,
    error_for,
)

log = logging.getLogger(__name__)

JSON = dict[str, Any]

DEFAULT_API_BASE_URL = "https://bot-api.zaloplatforms.com/bot"
POLL_MARGIN = 10.0  # seconds a long poll's HTTP request may take beyond its own timeout
_CHUNK = 64 * 1024


def _seconds(value: float) -> str:
    """Zalo documents `timeout` as a string of seconds."""
    return str(int(value)) if float(value).is_integer() else str(value)


class ZaloBotClient:
    """One bot token, one aiohttp session (given, or made on first use and closed by close())."""

    def __init__(
        self,
        token: str,
        api_base_url: str = DEFAULT_API_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        *,
        request_timeout: float = 10.0,
        connections: int = 100,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.api_base_url = api_base_url
        self.request_timeout = request_timeout
        self._connections = connections
        self._session = session
        self._own_session = session is None

    def __repr__(self) -> str:
        return f"ZaloBotClient(api_base_url={self.api_base_url!r}, token=<hidden>)"

    async def __aenter__(self) -> ZaloBotClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if this client made it."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            if not self._own_session:
                raise RuntimeError("the aiohttp session given to ZaloBotClient is closed")
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>")

    # ---- the envelope ------------------------------------------------------------------

    async def call(self, method: str, params: JSON | None = None, *,
                   timeout: float | None = None) -> Any:  # noqa: ASYNC109 - a request timeout
        """Run `method`; return its `result` (None when the answer has none)."""
        url = f"{self.api_base_url}{self._token}/{method}"
        limit = timeout if timeout is not None else self.request_timeout
        try:
            async with self._http().post(
                url, json=params or {}, timeout=aiohttp.ClientTimeout(total=limit)
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError:
            failure: ZaloError = ZaloTimedOut(0, f"no answer within {limit:g} s", method)
        except aiohttp.ClientError as error:
            failure = ZaloTransientError(0, self._failure(error), method)
        else:
            log.debug("zalo %s: HTTP %d", method, status)
            return self._unwrap(method, status, body)
        raise failure  # outside the handler: aiohttp's error, which names the URL, stays out

    def _failure(self, error: BaseException) -> str:
        return self._redact(f"{type(error).__name__}: {error}")

    def _unwrap(self, method: str, status: int, body: bytes) -> Any:
        try:
            envelope = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            envelope = None
        if not isinstance(envelope, dict) or not isinstance(envelope.get("ok"), bool):
            if status >= 500:
                raise ZaloTransientError(status, f"HTTP {status} without a Zalo answer", method)
            raise ZaloMalformedResponse(status, f"not a Zalo answer (HTTP {status})", method)
        if envelope["ok"]:
            return envelope.get("result")
        code = envelope.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = status
        description = envelope.get("description")
        if not isinstance(description, str) or not description:
            description = f"HTTP {status}"
        raise error_for(code, self._redact(description), method)

    async def _object(self, method: str, params: JSON | None = None) -> JSON:
        result = await self.call(method, params)
        if not isinstance(result, dict):
            raise ZaloMalformedResponse(200, "the result is not an object", method)
        return result

    # ---- methods -----------------------------------------------------------------------

    async def get_me(self) -> JSON:
        return await self._object("getMe")

    async def get_updates(self, timeout: float = 30.0) -> JSON | None:  # noqa: ASYNC109
        """The next update (one per call), or None when none came within `timeout` seconds."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": _seconds(timeout)}, timeout=timeout + POLL_MARGIN
            )
        except ZaloError as error:
            if error.error_code == 408:
                return None  # the idle long poll: normal
            raise
        if isinstance(result, list):  # tolerate a Telegram-shaped list
            result = result[0] if result else None
        if result is not None and not isinstance(result, dict):
            raise ZaloMalformedResponse(200, "the update is not an object", "getUpdates")
        return result

    async def send_message(self, chat_id: str, text: str) -> JSON:
        """Send plain text (1–2,000 characters); returns `{"message_id", "date"}`."""
        return await self._object("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, url: str, caption: str | None = None) -> JSON:
        params: JSON = {"chat_id": chat_id, "photo": url}
        if caption:
            params["caption"] = caption
        return await self._object("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret: str) -> JSON:
        return await self._object("setWebhook", {"url": url, "secret_token": secret})

    async def delete_webhook(self) -> JSON:
        return await self._object("deleteWebhook")

    async def get_webhook_info(self) -> JSON:
        return await self._object("getWebhookInfo")

    # ---- files -------------------------------------------------------------------------

    async def download(self, url: str, max_bytes: int) -> bytes:
        """The bytes behind a media URL a person sent; ZaloFileTooLarge past `max_bytes`."""
        method = "download"
        try:
            async with self._http().get(
                url, timeout=aiohttp.ClientTimeout(total=self.request_timeout)
            ) as response:
                return await self._read(response, max_bytes)
        except TimeoutError:
            failure: ZaloError = ZaloTimedOut(
                0, f"no answer within {self.request_timeout:g} s", method)
        except aiohttp.ClientError as error:
            failure = ZaloTransientError(0, self._failure(error), method)
        raise failure

    @staticmethod
    async def _read(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
        method = "download"
        if response.status != 200:
            kind = ZaloTransientError if response.status >= 500 else ZaloError
            raise kind(response.status, f"HTTP {response.status}", method)
        size = response.content_length
        if size is not None and size > max_bytes:
            raise ZaloFileTooLarge(413, f"{size} bytes, over {max_bytes}", method)
        data = bytearray()
        async for chunk in response.content.iter_chunked(_CHUNK):
            data += chunk
            if len(data) > max_bytes:
                raise ZaloFileTooLarge(413, f"over {max_bytes} bytes", method)
        return bytes(data)
