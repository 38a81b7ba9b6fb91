"""The Zalo OA emulator on its own: OAuth v4 with PKCE, single-use refresh tokens, expiring
access tokens, consultation messages with buttons, the 7-day window, uploads, and webhook
events signed and retried."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.zalo_oa import DEFAULT_OA, SIGNATURE_HEADER, OaSandbox, challenge_of
from bot.sandbox.zalo_oa.world import WINDOW_SECONDS

JSON = dict[str, Any]


@pytest.fixture
async def oa() -> AsyncIterator[OaSandbox]:
    async with OaSandbox() as emulator:
        yield emulator


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def grant(oa: OaSandbox, http: aiohttp.ClientSession, secret: str | None = None,
                **form: str) -> JSON:
    async with http.post(f"{oa.base_url}/v4/oa/access_token",
                         data={"app_id": oa.app_id, **form},
                         headers={"secret_key": secret or oa.app_secret}) as response:
        assert response.status == 200
        answer: JSON = await response.json()
        return answer


async def send(oa: OaSandbox, http: aiohttp.ClientSession, token: str, user_id: str,
               message: JSON) -> JSON:
    async with http.post(f"{oa.base_url}/v3.0/oa/message/cs", headers={"access_token": token},
                         json={"recipient": {"user_id": user_id}, "message": message}) as answer:
        assert answer.status == 200  # Zalo answers errors in the body
        result: JSON = await answer.json()
        return result


async def test_a_code_with_its_pkce_verifier_gives_a_pair_once(
    oa: OaSandbox, http: aiohttp.ClientSession,
) -> None:
    verifier = "v" * 43
    link = (f"https://oauth.zaloapp.com/v4/oa/permission?app_id={oa.app_id}"
            f"&redirect_uri=https://x.vn/cb&code_challenge={challenge_of(verifier)}&state=s1")
    code, state = oa.approve(link)
    assert state == "s1"
    wrong = await grant(oa, http, grant_type="authorization_code", code=code,
                        code_verifier="w" * 43)
    assert wrong["error"] == -14020
    code, _ = oa.approve(link)
    pair = await grant(oa, http, grant_type="authorization_code", code=code,
                       code_verifier=verifier)
    assert pair["expires_in"] == "90000" and pair["access_token"] and pair["refresh_token"]
    again = await grant(oa, http, grant_type="authorization_code", code=code,
                        code_verifier=verifier)
    assert again["error"] == -14019
    assert (await grant(oa, http, secret="wrong", grant_type="refresh_token",
                        refresh_token=pair["refresh_token"]))["error"] == -14003


async def test_a_refresh_token_works_once_and_kills_the_old_pair(
    oa: OaSandbox, http: aiohttp.ClientSession,
) -> None:
    lan = oa.user(1, "Lan")
    first = oa.issue_tokens()
    second = await grant(oa, http, grant_type="refresh_token",
                         refresh_token=first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    reused = await grant(oa, http, grant_type="refresh_token",
                         refresh_token=first["refresh_token"])
    assert reused["error"] == -14014 and oa.stats.reused_refresh_tokens == 1
    old = await send(oa, http, first["access_token"], lan.id, {"text": "xin chào"})
    assert old["error"] == -216
    new = await send(oa, http, second["access_token"], lan.id, {"text": "xin chào"})
    assert new["error"] == 0 and new["data"]["message_id"]


@pytest.mark.parametrize("code", [-216, -220])
async def test_an_expired_access_token_is_refused(
    oa: OaSandbox, http: aiohttp.ClientSession, code: int,
) -> None:
    lan = oa.user(1, "Lan")
    pair = oa.issue_tokens()
    oa.expired_code = code
    oa.advance(25 * 3600 + 1)
    lan.oa_chat.last_interaction = oa.world.now()
    assert (await send(oa, http, pair["access_token"], lan.id, {"text": "a"}))["error"] == code
    assert oa.stats.expired_tokens == 1


async def test_consultation_messages_buttons_window_and_followers(
    oa: OaSandbox, http: aiohttp.ClientSession,
) -> None:
    lan, stranger = oa.user(1, "Lan"), oa.user(2, "Khách", followed=False)
    token = oa.issue_tokens()["access_token"]
    buttons = {"type": "template", "payload": {"buttons": [
        {"title": "Đồng ý", "type": "oa.query.hide", "payload": "Đồng ý"}]}}
    sent = await send(oa, http, token, lan.id, {"text": "Đồng ý không?", "attachment": buttons})
    assert sent["error"] == 0 and lan.buttons() == ["Đồng ý"]
    assert (await send(oa, http, token, lan.id, {"text": "x" * 2001}))["error"] == -201
    assert (await send(oa, http, token, stranger.id, {"text": "a"}))["error"] == -213
    oa.advance(3 * 24 * 3600)
    token = oa.issue_tokens()["access_token"]  # the first one expired meanwhile
    assert (await send(oa, http, token, lan.id, {"text": "a"}))["error"] == 0
    assert oa.stats.free == 1 and oa.stats.billable == 1
    oa.advance(WINDOW_SECONDS)
    token = oa.issue_tokens()["access_token"]
    assert (await send(oa, http, token, lan.id, {"text": "a"}))["error"] == -230
    await lan.press("Đồng ý")  # an interaction: the window opens again
    assert (await send(oa, http, token, lan.id, {"text": "a"}))["error"] == 0


async def test_an_uploaded_image_is_sent_by_attachment_id(
    oa: OaSandbox, http: aiohttp.ClientSession,
) -> None:
    lan = oa.user(1, "Lan")
    token = oa.issue_tokens()["access_token"]
    form = aiohttp.FormData()
    form.add_field("file", b"\xff\xd8\xff\xe0 jpeg", filename="a.jpg", content_type="image/jpeg")
    async with http.post(f"{oa.base_url}/v2.0/oa/upload/image", data=form,
                         headers={"access_token": token}) as response:
        uploaded = await response.json()
    attachment_id = uploaded["data"]["attachment_id"]
    media = {"type": "template", "payload": {"template_type": "media", "elements": [
        {"media_type": "image", "attachment_id": attachment_id}]}}
    assert (await send(oa, http, token, lan.id, {"text": "ảnh", "attachment": media}))[
        "error"] == 0
    assert lan.last is not None and lan.last.kind == "photo"
    big = aiohttp.FormData()
    big.add_field("file", io.BytesIO(b"\xff\xd8" + b"\0" * 1024 * 1024), filename="b.jpg",
                  content_type="image/jpeg")
    async with http.post(f"{oa.base_url}/v2.0/oa/upload/image", data=big,
                         headers={"access_token": token}) as response:
        assert (await response.json())["error"] == -210


async def test_events_are_signed_and_retried_until_answered_200(oa: OaSandbox) -> None:
    oa.world.echoes = False
    answers = [500, 200]
    got: list[tuple[bytes, str]] = []
    done = asyncio.Event()

    async def receive(request: web.Request) -> web.Response:
        got.append((await request.read(), request.headers[SIGNATURE_HEADER]))
        status = answers.pop(0)
        if status == 200:
            done.set()
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        oa.webhook_url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
        lan = oa.user(1, "Lan")
        await lan.send_location(10.95, 107.16, "chợ Hưng Lộc")
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await runner.cleanup()
    assert len(got) == 2 and got[0] == got[1]
    body, mac = got[1]
    event = json.loads(body)
    expected = hashlib.sha256(oa.app_id.encode() + body + event["timestamp"].encode()
                              + oa.oa_secret.encode()).hexdigest()
    assert mac == f"mac={expected}"
    assert event["event_name"] == "user_send_location"
    assert event["recipient"]["id"] == DEFAULT_OA and event["sender"]["id"] == lan.id
    coordinates = event["message"]["attachments"][0]["payload"]["coordinates"]
    assert coordinates == {"latitude": "10.95", "longitude": "107.16"}
    assert oa.stats.webhook_failures == 1 and oa.stats.webhook_posts == 1
