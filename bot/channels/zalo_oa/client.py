"""`ZaloOaClient`: a small async client for Zalo's OAuth v4 and the OA API (v2/v3), on
aiohttp. No SDK: the few calls anninh makes, their envelopes and their errors.

- OAuth: `POST {oauth_base_url}/v4/oa/access_token`, form body, header `secret_key`; the
  answer is a top-level `{access_token, refresh_token, expires_in: "90000"}` or
  `{error: <negative>, error_name, error_description}`.
- API calls: header `access_token` (not Bearer); HTTP 200 with `{error: 0, message, data}`
  or `{error: <negative>, message}`.
- ZBS template messages: `POST {business_api_base_url}/message/template` with
  `{template_id, template_data, tracking_id}` and the follower's `user_id` or a `phone`
  ("84…"), the same envelope.

Every failure is an `OaError` (its `code` is Zalo's, 0 when no answer came). Secrets — the
app secret, the tokens — appear in no log line, exception or repr.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

log = logging.getLogger(__name__)

JSON = dict[str, Any]
TOKEN_CODES = frozenset({-216, -220})  # invalid or expired access token: refresh, retry once
_CHUNK = 64 * 1024


class OaError(Exception):
    """A failed OAuth or OA API call: Zalo's `code` (0: no answer), its message, the call."""

    def __init__(self, code: int, message: str, call: str = "") -> None:
        super().__init__(code, message, call)
        self.code, self.message, self.call = code, message, call

    def __str__(self) -> str:
        return f"Zalo OA {self.call}: {self.code} {self.message}".replace("  ", " ")


class OaTokenError(OaError):
    """-216 / -220: the access token is invalid or expired."""


class OaGrantError(OaError):
    """The token endpoint refused a grant (a used or revoked refresh token, a bad code):
    the OA's admin must consent again."""


class OaTransient(OaError):
    """No answer, a network failure, a 5xx or an answer that is not Zalo's: try again later.
    A refresh that ends so may have been used up on Zalo's side."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int  # seconds the access token lives


def new_verifier() -> str:
    """A PKCE code verifier: 43 URL-safe characters."""
    return secrets.token_urlsafe(32)[:43]


def challenge(verifier: str) -> str:
    """PKCE S256: base64url, without padding, of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class ZaloOaClient:
    """One Zalo app; one aiohttp session (given, or made on first use and closed by close())."""

    def __init__(
        self, app_id: str, app_secret: str, *, api_base_url: str, oauth_base_url: str,
        business_api_base_url: str = "", session: aiohttp.ClientSession | None = None,
        request_timeout: float = 10.0, connections: int = 64,
    ) -> None:
        self.app_id = app_id
        self._secret = app_secret
        self.api_base_url = api_base_url.rstrip("/")
        self.oauth_base_url = oauth_base_url.rstrip("/")
        self.business_api_base_url = (business_api_base_url or api_base_url).rstrip("/")
        self.request_timeout = request_timeout
        self._connections = connections
        self._session = session
        self._own_session = session is None
        # Waits for the app's rate before each call of the OA API (Zalo's limit is per app
        # and counts calls, not messages); set by the delivery engine's pacer when it starts.
        self.pace: Callable[[], Awaitable[None]] | None = None

    def __repr__(self) -> str:
        return f"ZaloOaClient(app_id={self.app_id!r}, api_base_url={self.api_base_url!r})"

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)
        return self._session

    # ---- OAuth v4 ----------------------------------------------------------------------

    def consent_link(self, redirect_uri: str, verifier: str, state: str) -> str:
        query = urlencode({"app_id": self.app_id, "redirect_uri": redirect_uri,
                           "code_challenge": challenge(verifier), "state": state})
        return f"{self.oauth_base_url}/v4/oa/permission?{query}"

    async def exchange_code(self, code: str, verifier: str) -> TokenPair:
        return await self._grant({"grant_type": "authorization_code", "code": code,
                                  "code_verifier": verifier})

    async def refresh(self, refresh_token: str) -> TokenPair:
        """A new pair; the refresh token given is used up whatever the answer."""
        return await self._grant({"grant_type": "refresh_token",
                                  "refresh_token": refresh_token})

    async def _grant(self, form: dict[str, str]) -> TokenPair:
        call = form["grant_type"]
        answer = await self._post(f"{self.oauth_base_url}/v4/oa/access_token", call,
                                  data={**form, "app_id": self.app_id},
                                  headers={"secret_key": self._secret})
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if isinstance(access, str) and access and isinstance(refresh, str) and refresh:
            try:
                expires = int(answer.get("expires_in") or 0)
            except (TypeError, ValueError):
                expires = 0
            return TokenPair(access, refresh, expires or 90_000)
        code = answer.get("error")
        reason = answer.get("error_description") or answer.get("error_name") or "no tokens"
        raise OaGrantError(code if isinstance(code, int) else -1, str(reason), call)

    # ---- the OA API --------------------------------------------------------------------

    async def call(self, access_token: str, path: str, *, body: JSON | None = None,
                   form: aiohttp.FormData | None = None, base: str = "") -> JSON:
        """POST `path` (e.g. "/v3.0/oa/message/cs") on `base` (the OA API's by default); its
        `data`, or OaError."""
        if self.pace is not None:
            await self.pace()
        return _data(await self._post(f"{base or self.api_base_url}{path}", path,
                                      json_body=body, data=form,
                                      headers={"access_token": access_token}), path)

    async def user_name(self, access_token: str, user_id: str) -> str:
        """A follower's display name (`/v3.0/oa/user/detail`); "" when Zalo gives none."""
        path = "/v3.0/oa/user/detail"
        if self.pace is not None:
            await self.pace()
        data = _data(await self._post(
            f"{self.api_base_url}{path}", path, method="GET",
            params={"data": json.dumps({"user_id": user_id})},
            headers={"access_token": access_token}), path)
        name = data.get("display_name")
        return name if isinstance(name, str) else ""

    async def send_message(self, access_token: str, user_id: str, message: JSON) -> JSON:
        """A consultation message (text, buttons or a media template); `{message_id, …}`."""
        return await self.call(access_token, "/v3.0/oa/message/cs",
                               body={"recipient": {"user_id": user_id}, "message": message})

    async def send_template(
        self, access_token: str, template_id: str, data: dict[str, str], tracking_id: str, *,
        user_id: str | None = None, phone: str | None = None,
    ) -> JSON:
        """A ZBS template message to a follower (by id) or a phone number ("84…");
        `{msg_id, …}`."""
        body: JSON = {"template_id": template_id, "template_data": data,
                      "tracking_id": tracking_id}
        body.update({"phone": phone} if phone else {"user_id": user_id})
        return await self.call(access_token, "/message/template", body=body,
                               base=self.business_api_base_url)

    async def upload_image(self, access_token: str, data: bytes, name: str = "photo.jpg") -> str:
        """An image (JPEG or PNG, ≤ 1 MB) → its attachment id (valid 7 days)."""
        form = aiohttp.FormData()
        kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        form.add_field("file", data, filename=name, content_type=kind)
        found = (await self.call(access_token, "/v2.0/oa/upload/image", form=form)).get(
            "attachment_id")
        if not isinstance(found, str) or not found:
            raise OaTransient(0, "the upload gave no attachment_id", "/v2.0/oa/upload/image")
        return found

    async def _post(self, url: str, call: str, *, headers: dict[str, str],
                    data: Any = None, json_body: JSON | None = None, method: str = "POST",
                    params: dict[str, str] | None = None) -> JSON:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        try:
            async with self._http().request(method, url, data=data, json=json_body,
                                            params=params, headers=headers,
                                            timeout=timeout) as response:
                status, raw = response.status, await response.read()
        except TimeoutError:
            raise OaTransient(0, f"no answer within {self.request_timeout:g} s", call) from None
        except aiohttp.ClientError as error:
            raise OaTransient(0, type(error).__name__, call) from None
        log.debug("zalo oa %s: HTTP %d", call, status)
        try:
            answer = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            answer = None
        if not isinstance(answer, dict):
            raise OaTransient(status if status >= 400 else 0,
                              f"not a Zalo answer (HTTP {status})", call)
        return answer

    # ---- what followers send -----------------------------------------------------------

    async def download(self, url: str, max_bytes: int) -> bytes:
        """The bytes behind a media URL a follower sent (no authentication, fetched at once);
        OaError past `max_bytes` or on any failure."""
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        try:
            async with self._http().get(url, timeout=timeout) as response:
                if response.status != 200:
                    raise OaError(response.status, f"HTTP {response.status}", "download")
                if (response.content_length or 0) > max_bytes:
                    raise OaError(413, f"over {max_bytes} bytes", "download")
                data = bytearray()
                async for chunk in response.content.iter_chunked(_CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        raise OaError(413, f"over {max_bytes} bytes", "download")
                return bytes(data)
        except (TimeoutError, aiohttp.ClientError) as error:
            raise OaTransient(0, type(error).__name__, "download") from None


def _data(answer: JSON, path: str) -> JSON:
    """An OA API answer's `data`, or the OaError it says."""
    code = answer.get("error")
    if code == 0:
        data = answer.get("data")
        return data if isinstance(data, dict) else {}
    if not isinstance(code, int):
        raise OaTransient(0, "not a Zalo answer", path)
    message = str(answer.get("message") or "")
    raise (OaTokenError if code in TOKEN_CODES else OaError)(code, message, path)
