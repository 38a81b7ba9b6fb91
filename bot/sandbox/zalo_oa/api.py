"""The OA sandbox's HTTP face: Zalo's OAuth v4 token endpoint and the OA API's consultation
message and image upload, with Zalo's envelopes (HTTP 200, `{"error": 0, "message":
"Success", "data": …}` or `{"error": <negative>, "message": …}`), and `GET /files/{name}`
for the images followers send.

What the real API documents, and what the sandbox chose where it does not say:
- Token endpoint: form body, header `secret_key`; `authorization_code` needs the PKCE
  verifier whose SHA-256 (base64url, no padding) is the consent link's challenge; a
  refresh token works once (a second use answers -14014, as a revoked one). OAuth errors are
  `{"error": <code>, "error_name", "error_description"}` (codes chosen here: -14002 app,
  -14003 secret, -14019 code, -14014 refresh token, -14020 verifier).
- Calls carry `access_token` as a header: unknown or replaced → -216; expired → -216 (what
  Chatwoot's client sees) or -220 (`expired_code`).
- `/v3.0/oa/message/cs`: text 1–2,000 characters; at most 5 buttons (not documented; the
  sandbox's choice), of types oa.query.hide, oa.query.show, oa.open.url, oa.open.phone;
  images as a `media` template by `attachment_id` (uploaded, 7 days) or `url`; the
  information form as a `request_user_info` template (one element with a title, a subtitle
  and an optional image_url; kept as a message of kind "form"). Not a
  follower → -213; last interaction over 7 days ago → -230; over the rate → -32; a bad
  body → -201.
- `/v2.0/oa/upload/image`: multipart `file`, JPEG or PNG up to 1 MB → `attachment_id`
  (-210 when too large, -211 when not an image).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from bot.sandbox.zalo_oa.world import (
    ATTACHMENT_SECONDS,
    CODE_SECONDS,
    FREE_SECONDS,
    WINDOW_SECONDS,
    OaApiError,
    OaChat,
    OaWorld,
)

JSON = dict[str, Any]

TEXT_LIMIT = 2000
MAX_BUTTONS = 5
BUTTON_TYPES = frozenset({"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone"})
IMAGE_LIMIT = 1024 * 1024


def answer(body: JSON) -> web.Response:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return web.Response(status=200, body=data, content_type="application/json")


def _oauth_error(code: int, name: str, description: str) -> web.Response:
    return answer({"error": code, "error_name": name, "error_description": description})


def challenge_of(verifier: str) -> str:
    """PKCE S256: base64url without padding of the verifier's SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class OaApi:
    def __init__(self, world: OaWorld) -> None:
        self.world = world

    # ---- OAuth v4 ----------------------------------------------------------------------

    async def token(self, request: web.Request) -> web.Response:
        world = self.world
        world.oa_stats.calls.append("oauth/access_token")
        form = await request.post()
        if form.get("app_id") != world.app_id:
            return _oauth_error(-14002, "Invalid app_id", "the app id is not this app's")
        secret = request.headers.get("secret_key", "")
        if not hmac.compare_digest(secret.encode(), world.app_secret.encode()):
            return _oauth_error(-14003, "Invalid secret_key", "the app secret is wrong")
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = world.codes.pop(str(form.get("code") or ""), None)
            if code is None or code[2] <= world.now():
                return _oauth_error(-14019, "Invalid code", "the code is unknown or expired")
            oa_id, challenge, _ = code
            if challenge_of(str(form.get("code_verifier") or "")) != challenge:
                return _oauth_error(-14020, "Invalid code_verifier",
                                    "the verifier does not match the challenge")
            return answer(world.issue_pair(oa_id))
        if grant == "refresh_token":
            found = world.refresh.get(str(form.get("refresh_token") or ""))
            if found is None or not found.alive or found.expires <= world.now():
                if found is not None and not found.alive:
                    world.oa_stats.reused_refresh_tokens += 1
                return _oauth_error(-14014, "Invalid refresh_token",
                                    "the refresh token is invalid, used or expired")
            found.alive = False  # single-use: the old pair dies with the refresh
            for token in world.access.values():
                if token.oa_id == found.oa_id:
                    token.alive = False
            world.oa_stats.refreshes += 1
            return answer(world.issue_pair(found.oa_id))
        return _oauth_error(-14001, "Invalid grant_type", f"unknown grant_type {grant!r}")

    def consent(self, oa_id: str, challenge: str) -> str:
        """The OA's admin approves the app: the code Zalo sends back to the redirect URI."""
        code = self.world.new_id()
        self.world.codes[code] = (oa_id, challenge, self.world.now() + CODE_SECONDS)
        return code

    # ---- the OA API --------------------------------------------------------------------

    async def send_cs(self, request: web.Request) -> web.Response:
        world = self.world
        world.oa_stats.calls.append("message/cs")
        try:
            oa_id = world.oa_of_token(request.headers.get("access_token"))
            body = await read_json(request)
            chat = self._recipient(oa_id, body)
            message = body.get("message")
            if not isinstance(message, dict):
                raise OaApiError(-201, "message is required")
            record = self._message(chat, message)
            world.check_oa_rate()
            self._window(chat)
        except OaApiError as error:
            return answer({"error": error.code, "message": error.message})
        world.record(chat, record)
        world.oa_stats.sent += 1
        if world.echoes:
            world.queue_event(self._echo(oa_id, chat, record))
        return answer({"error": 0, "message": "Success",
                        "data": {"message_id": record["message_id"], "user_id": chat.id}})

    def _recipient(self, oa_id: str, body: JSON) -> OaChat:
        recipient = body.get("recipient")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise OaApiError(-201, "recipient.user_id is required")
        chat = self.world.follower(oa_id, user_id)
        if chat is None or not chat.followed:
            raise OaApiError(-213, "User has not followed the OA")
        if chat.blocked:
            raise OaApiError(-217, "User has blocked the OA")
        return chat

    def _window(self, chat: OaChat) -> None:
        age = self.world.now() - chat.last_interaction
        stats = self.world.oa_stats
        if age > WINDOW_SECONDS:
            stats.outside_window += 1
            raise OaApiError(-230, "User has not interacted with the OA in the last 7 days")
        if age > FREE_SECONDS:
            stats.billable += 1
        else:
            stats.free += 1

    def _message(self, chat: OaChat, message: JSON) -> JSON:
        """The message as kept in the chat's history (the Zalo sandbox's record shape)."""
        world = self.world
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT):
            raise OaApiError(-201, f"text must be 1 to {TEXT_LIMIT} characters")
        record: JSON = {"message_id": world.new_id(), "chat_id": chat.id,
                        "date": world.now_ms(), "kind": "text", "text": text or "",
                        "buttons": []}
        attachment = message.get("attachment")
        if attachment is None:
            if not text:
                raise OaApiError(-201, "text or attachment is required")
            return record
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(payload, dict) or attachment.get("type") != "template":
            raise OaApiError(-201, "attachment must be a template")
        if payload.get("template_type") == "media":
            record.update(kind="photo", **self._media(payload))
            return record
        if payload.get("template_type") == "request_user_info":
            elements = payload.get("elements")
            element = elements[0] if isinstance(elements, list) and len(elements) == 1 else None
            if not isinstance(element, dict) or not element.get("title"):
                raise OaApiError(-201, "a request_user_info template holds one titled element")
            record.update(kind="form", text=str(element["title"]),
                          subtitle=str(element.get("subtitle") or ""))
            return record
        if not text:
            raise OaApiError(-201, "a message with buttons needs text")
        record["buttons"] = _buttons(payload.get("buttons"))
        return record

    def _media(self, payload: JSON) -> JSON:
        elements = payload.get("elements")
        if not isinstance(elements, list) or len(elements) != 1 or not isinstance(
                elements[0], dict) or elements[0].get("media_type") != "image":
            raise OaApiError(-201, "a media template holds one image element")
        element = elements[0]
        if isinstance(url := element.get("url"), str) and url:
            return {"photo": url}
        found = self.world.attachments.get(str(element.get("attachment_id") or ""))
        if found is None or found[1] <= self.world.now():
            raise OaApiError(-201, "attachment_id is unknown or expired")
        return {"photo": f"attachment:{element['attachment_id']}"}

    def _echo(self, oa_id: str, chat: OaChat, record: JSON) -> JSON:
        kind = "oa_send_image" if record["kind"] == "photo" else "oa_send_text"
        return {"app_id": self.world.app_id, "event_name": kind,
                "timestamp": str(self.world.now_ms()), "sender": {"id": oa_id},
                "recipient": {"id": chat.id},
                "message": {"msg_id": record["message_id"], "text": record["text"]}}

    async def user_detail(self, request: web.Request) -> web.Response:
        """A follower's profile: `?data={"user_id": …}` → `{user_id, display_name, …}`."""
        world = self.world
        world.oa_stats.calls.append("user/detail")
        try:
            oa_id = world.oa_of_token(request.headers.get("access_token"))
            try:
                query = json.loads(request.query.get("data") or "{}")
            except ValueError:
                query = None
            user_id = query.get("user_id") if isinstance(query, dict) else None
            chat = world.follower(oa_id, user_id) if isinstance(user_id, str) else None
            if chat is None:
                raise OaApiError(-213, "User has not followed the OA")
            world.check_oa_rate()
        except OaApiError as error:
            return answer({"error": error.code, "message": error.message})
        return answer({"error": 0, "message": "Success", "data": {
            "user_id": chat.id, "display_name": chat.user["display_name"],
            "user_is_follower": chat.followed, "avatar": ""}})

    async def upload_image(self, request: web.Request) -> web.Response:
        world = self.world
        world.oa_stats.calls.append("upload/image")
        try:
            world.oa_of_token(request.headers.get("access_token"))
            form = await request.post()
            upload = form.get("file")
            if not isinstance(upload, web.FileField):
                raise OaApiError(-201, "file is required")
            data = upload.file.read()
            if len(data) > IMAGE_LIMIT:
                raise OaApiError(-210, "the image is over 1 MB")
            if not data.startswith((b"\xff\xd8", b"\x89PNG")):
                raise OaApiError(-211, "only JPEG and PNG images are taken")
        except OaApiError as error:
            return answer({"error": error.code, "message": error.message})
        attachment_id = world.new_id()
        world.attachments[attachment_id] = (data, world.now() + ATTACHMENT_SECONDS)
        world.oa_stats.uploads += 1
        return answer({"error": 0, "message": "Success",
                        "data": {"attachment_id": attachment_id}})

    async def file(self, request: web.Request) -> web.Response:
        data = self.world.images.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="image/jpeg")

    def app(self) -> web.Application:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/v4/oa/access_token", self.token)
        app.router.add_post("/v3.0/oa/message/cs", self.send_cs)
        app.router.add_post("/v2.0/oa/upload/image", self.upload_image)
        app.router.add_get("/v3.0/oa/user/detail", self.user_detail)
        app.router.add_get("/files/{name}", self.file)
        return app


async def read_json(request: web.Request) -> JSON:
    try:
        body = await request.json()
    except ValueError:
        raise OaApiError(-201, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise OaApiError(-201, "a JSON object is expected")
    return body


def _buttons(given: Any) -> list[JSON]:
    if not isinstance(given, list) or not 1 <= len(given) <= MAX_BUTTONS:
        raise OaApiError(-201, f"buttons must be 1 to {MAX_BUTTONS}")
    buttons = []
    for button in given:
        if not isinstance(button, dict) or button.get("type") not in BUTTON_TYPES:
            raise OaApiError(-201, "a button has an unknown type")
        title, payload = button.get("title"), button.get("payload")
        if not isinstance(title, str) or not 1 <= len(title) <= 100:
            raise OaApiError(-201, "a button title is 1 to 100 characters")
        if not isinstance(payload, str | dict) or len(str(payload)) > 1000:
            raise OaApiError(-201, "a button payload is at most 1,000 characters")
        buttons.append({"title": title, "type": button["type"], "payload": payload})
    return buttons
