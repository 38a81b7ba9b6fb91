"""`ZaloBotClient` against the Zalo sandbox, and against a server that answers nonsense."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.channels.zalo_bot.client import ZaloBotClient
from bot.channels.zalo_bot.errors import (
    ZaloBadRequest,
    ZaloError,
    ZaloFileTooLarge,
    ZaloForbidden,
    ZaloMalformedResponse,
    ZaloRateLimited,
    ZaloTransientError,
    ZaloUnauthorized,
)
from bot.channels.zalo_bot.updates import Seen, parse_update
from bot.sandbox.zalo import ZaloSandbox

SECRET_PART = "very-secret-part-of-the-token"
TOKEN = f"1459232241454765289:{SECRET_PART}"


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    async with ZaloSandbox(token=TOKEN, max_poll_seconds=0.1) as sandbox:
        yield sandbox


@pytest.fixture
async def client(zalo: ZaloSandbox) -> AsyncIterator[ZaloBotClient]:
    async with ZaloBotClient(TOKEN, zalo.api_base_url) as bot:
        yield bot


async def test_get_me(client: ZaloBotClient):
    me = await client.get_me()
    assert me["id"] == "1459232241454765289"


async def test_an_idle_poll_is_none_and_each_poll_brings_one_update(
    zalo: ZaloSandbox, client: ZaloBotClient
):
    assert await client.get_updates(timeout=30) is None
    lan = zalo.user(1, "Lan")
    await lan.send("tham gia HN01")
    await lan.send("báo tin")
    first, second = await client.get_updates(), await client.get_updates()
    assert first is not None and second is not None
    assert first["message"]["text"] == "tham gia HN01"
    assert second["message"]["text"] == "báo tin"
    assert await client.get_updates(timeout=0.5) is None


async def test_a_duplicate_is_visible_and_seen_drops_it(zalo: ZaloSandbox, client: ZaloBotClient):
    zalo.duplicate_next()
    await zalo.user(1, "Lan").send("báo tin")
    seen = Seen()
    kept = []
    for _ in range(2):
        inbound = parse_update(await client.get_updates())
        assert inbound is not None
        if seen.first(inbound.message_id):
            kept.append(inbound.text)
    assert kept == ["báo tin"]


async def test_sending_and_the_errors_it_may_meet(zalo: ZaloSandbox, client: ZaloBotClient):
    lan = zalo.user(1, "Lan")
    sent = await client.send_message(lan.id, "Chào Lan")
    assert (await lan.wait_for("Chào")).message_id == sent["message_id"]
    with pytest.raises(ZaloBadRequest) as too_long:
        await client.send_message(lan.id, "a" * 2001)
    assert too_long.value.error_code == 400 and "2000" in too_long.value.description
    zalo.fail_sends(1)
    with pytest.raises(ZaloRateLimited) as limited:
        await client.send_message(lan.id, "lần nữa")
    assert limited.value.error_code == 429
    zalo.fail_next("sendPhoto", 503, "Service Unavailable")
    with pytest.raises(ZaloTransientError) as unavailable:
        await client.send_photo(lan.id, "https://example.org/a.jpg", "Ảnh")
    assert unavailable.value.error_code == 503
    await client.send_photo(lan.id, "https://example.org/a.jpg", "Ảnh")
    await client.send_chat_action(lan.id)
    lan.block_bot()
    with pytest.raises(ZaloForbidden):
        await client.send_message(lan.id, "còn đó không?")
    assert [m.kind for m in lan.messages] == ["text", "photo"]


async def test_the_token_stays_secret(zalo: ZaloSandbox, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    wrong = ZaloBotClient(f"1:{SECRET_PART}-wrong", zalo.api_base_url)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/bot"
    unreachable = ZaloBotClient(TOKEN, closed)
    errors: list[ZaloError] = []
    async with wrong, unreachable:
        with pytest.raises(ZaloUnauthorized) as unauthorized:
            await wrong.get_me()
        errors.append(unauthorized.value)
        with pytest.raises(ZaloTransientError) as refused:
            await unreachable.send_message("abc", "alo")
        errors.append(refused.value)
        shown = [str(e) for e in errors] + [repr(e) for e in errors]
        shown += [repr(wrong), repr(unreachable), caplog.text]
    assert unauthorized.value.error_code == 401 and refused.value.error_code == 0
    assert refused.value.__context__ is None  # aiohttp's error names the URL: not chained
    assert caplog.records  # the client did log
    assert not [text for text in shown if SECRET_PART in text]


async def test_webhook_set_read_and_deleted(client: ZaloBotClient):
    await client.set_webhook("https://bot.example/zalo", "s3cret-token")
    assert (await client.get_webhook_info())["url"] == "https://bot.example/zalo"
    with pytest.raises(ZaloBadRequest):  # no polling while a webhook is set
        await client.get_updates()
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    with pytest.raises(ZaloBadRequest):
        await client.set_webhook("https://bot.example/zalo", "short")


async def test_download_an_image_a_person_sent(zalo: ZaloSandbox, client: ZaloBotClient):
    picture = b"\xff\xd8\xff" + bytes(range(256)) * 40
    await zalo.user(1, "Lan").send_image(picture, caption="xe lạ")
    inbound = parse_update(await client.get_updates())
    assert inbound is not None and inbound.kind == "image" and inbound.photo_url
    assert inbound.caption == "xe lạ"
    assert await client.download(inbound.photo_url, max_bytes=len(picture)) == picture
    with pytest.raises(ZaloFileTooLarge):
        await client.download(inbound.photo_url, max_bytes=len(picture) - 1)


# ---- a server that does not answer like Zalo ----------------------------------------------------


@pytest.fixture
async def odd_server() -> AsyncIterator[str]:
    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>proxy</html>", content_type="text/html")

    async def gateway(request: web.Request) -> web.Response:
        return web.Response(status=502, text="<html>Bad Gateway</html>")

    async def shapeless(request: web.Request) -> web.Response:
        return web.json_response({"result": {"id": "1"}})

    async def no_object(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": "yes"})

    async def stream(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to refuse early
        await response.prepare(request)
        for _ in range(10):
            await response.write(b"x" * 1000)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/html/bot{token}/{method}", html)
    app.router.add_post("/gateway/bot{token}/{method}", gateway)
    app.router.add_post("/shapeless/bot{token}/{method}", shapeless)
    app.router.add_post("/no-object/bot{token}/{method}", no_object)
    app.router.add_get("/stream", stream)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


@pytest.mark.parametrize(("path", "error"), [
    ("html", ZaloMalformedResponse),
    ("gateway", ZaloTransientError),
    ("shapeless", ZaloMalformedResponse),
    ("no-object", ZaloMalformedResponse),
])
async def test_an_answer_that_is_not_zalos_is_an_error(
    odd_server: str, path: str, error: type[ZaloError]
):
    async with ZaloBotClient(TOKEN, f"{odd_server}/{path}/bot") as odd:
        with pytest.raises(error) as raised:
            await odd.get_me()
    assert SECRET_PART not in str(raised.value)


async def test_a_download_without_a_length_is_cut_off_too(odd_server: str):
    async with ZaloBotClient(TOKEN) as bot:
        assert len(await bot.download(f"{odd_server}/stream", max_bytes=10_000)) == 10_000
        with pytest.raises(ZaloFileTooLarge):
            await bot.download(f"{odd_server}/stream", max_bytes=5_000)
