"""The Zalo Bot Platform emulator, spoken to over plain HTTP, and its simulated people."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.zalo import SimZaloUser, ZaloApiError, ZaloSandbox, zalo_id

JSON = dict[str, Any]
HEX = re.compile(r"^[0-9a-f]{20}$")


@pytest.fixture
async def zalo() -> AsyncIterator[ZaloSandbox]:
    async with ZaloSandbox(max_poll_seconds=0.2) as sandbox:
        yield sandbox


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def post(
    http: aiohttp.ClientSession, zalo: ZaloSandbox, method: str, token: str | None = None,
    form: bool = False, **params: Any,
) -> tuple[int, JSON]:
    url = f"{zalo.api_base_url}{token or zalo.token}/{method}"
    body = {"data": params} if form else {"json": params}
    async with http.post(url, **body) as response:
        return response.status, await response.json()


async def bot_says(zalo: ZaloSandbox, person: SimZaloUser, text: str) -> JSON:
    result: JSON = await zalo.call("sendMessage", chat_id=person.id, text=text)
    return result


# ---- the envelope and the token ---------------------------------------------------------------


async def test_get_me_answers_in_zalos_envelope(zalo: ZaloSandbox, http: aiohttp.ClientSession):
    status, body = await post(http, zalo, "getMe")
    assert status == 200
    assert body["ok"] is True
    assert body["result"]["id"] == zalo.token.split(":")[0]


async def test_a_wrong_token_is_401_and_an_unknown_method_404(
    zalo: ZaloSandbox, http: aiohttp.ClientSession
):
    status, body = await post(http, zalo, "getMe", token="1:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await post(http, zalo, "sendInvoice")
    assert status == 404 and body["error_code"] == 404


# ---- updates ----------------------------------------------------------------------------------


async def test_get_updates_returns_one_update_object_per_call(
    zalo: ZaloSandbox, http: aiohttp.ClientSession
):
    lan = zalo.user(3001, "Lan")
    await lan.send("tham gia HN01")
    await lan.send("xin chào")
    status, first = await post(http, zalo, "getUpdates", timeout="30")
    assert status == 200
    update = first["result"]
    assert update["event_name"] == "message.text.received"
    message = update["message"]
    assert message["text"] == "tham gia HN01"
    assert message["from"] == {"id": lan.id, "display_name": "Lan", "is_bot": False}
    assert message["chat"] == {"id": lan.id, "chat_type": "PRIVATE"}
    assert HEX.match(message["message_id"]) and HEX.match(lan.id)
    assert message["date"] > 1_600_000_000_000  # epoch milliseconds
    _, second = await post(http, zalo, "getUpdates", form=True, timeout=30)
    assert second["result"]["message"]["text"] == "xin chào"


async def test_an_idle_long_poll_ends_in_408(zalo: ZaloSandbox, http: aiohttp.ClientSession):
    status, body = await post(http, zalo, "getUpdates", timeout="30")
    assert (status, body) == (408, {"ok": False, "error_code": 408,
                                    "description": "Request timeout"})


async def test_a_long_poll_wakes_as_soon_as_someone_writes(http: aiohttp.ClientSession):
    async with ZaloSandbox() as zalo:  # no cap: the poll would last 30 s
        poll = asyncio.create_task(post(http, zalo, "getUpdates", timeout=30))
        await zalo.wait_polling()
        await zalo.user(1, "Lan").send("alo")
        status, body = await asyncio.wait_for(poll, 5)
    assert status == 200 and body["result"]["message"]["text"] == "alo"


async def test_an_update_may_come_twice_with_the_same_message_id(zalo: ZaloSandbox):
    lan = zalo.user(1, "Lan")
    zalo.duplicate_next()
    sent = await lan.send("báo tin")
    await lan.send("sau")
    ids = [(await zalo.call("getUpdates"))["message"]["message_id"] for _ in range(3)]
    assert ids[0] == ids[1] == sent["message"]["message_id"] != ids[2]
    zalo.redeliver(sent)
    assert (await zalo.call("getUpdates")) == sent
    assert zalo.stats.duplicates == 2


async def test_images_stickers_and_the_rest(zalo: ZaloSandbox, http: aiohttp.ClientSession):
    lan = zalo.user(1, "Lan")
    picture = b"\xff\xd8\xff" + bytes(range(256)) * 10
    await lan.send_image(picture, caption="xe lạ")
    await lan.send_sticker()
    await lan.send_unsupported()
    image = await zalo.call("getUpdates")
    assert image["event_name"] == "message.image.received"
    assert image["message"]["caption"] == "xe lạ"
    async with http.get(image["message"]["photo_url"]) as response:
        assert await response.read() == picture
    names = [(await zalo.call("getUpdates"))["event_name"] for _ in range(2)]
    assert names == ["message.sticker.received", "message.unsupported.received"]


# ---- sending ----------------------------------------------------------------------------------


async def test_texts_of_1_to_2000_characters(zalo: ZaloSandbox, http: aiohttp.ClientSession):
    lan = zalo.user(1, "Lan")
    status, body = await post(http, zalo, "sendMessage", chat_id=lan.id, text="ồ" * 2000)
    assert status == 200 and HEX.match(body["result"]["message_id"])
    for text in ("ồ" * 2001, ""):
        status, body = await post(http, zalo, "sendMessage", chat_id=lan.id, text=text)
        assert status == 400 and body["error_code"] == 400
    assert [m.text for m in lan.messages] == ["ồ" * 2000]


async def test_who_the_bot_cannot_reach(zalo: ZaloSandbox):
    lan, binh = zalo.user(1, "Lan"), zalo.user(2, "Bình", started=False)
    lan.block_bot()
    with pytest.raises(ZaloApiError) as blocked:
        await bot_says(zalo, lan, "chào")
    with pytest.raises(ZaloApiError) as silent:
        await bot_says(zalo, binh, "chào")
    with pytest.raises(ZaloApiError) as unknown:
        await zalo.call("sendMessage", chat_id=zalo_id(99), text="chào")
    assert (blocked.value.code, silent.value.code, unknown.value.code) == (403, 403, 400)
    await binh.send("alo")  # writing to the bot opens the chat
    await bot_says(zalo, binh, "chào")


async def test_photos_and_chat_actions(zalo: ZaloSandbox, http: aiohttp.ClientSession):
    lan = zalo.user(1, "Lan")
    status, _ = await post(http, zalo, "sendPhoto", chat_id=lan.id,
                           photo="https://example.org/a.jpg", caption="Ảnh")
    assert status == 200
    status, _ = await post(http, zalo, "sendPhoto", chat_id=lan.id,
                           photo="https://example.org/a.jpg", caption="x" * 2001)
    assert status == 400
    status, body = await post(http, zalo, "sendChatAction", chat_id=lan.id, action="typing")
    assert (status, body) == (200, {"ok": True})
    assert lan.last is not None and lan.last.kind == "photo" and lan.last.text == "Ảnh"
    assert lan.last.photo_url == "https://example.org/a.jpg"


# ---- faults and limits ------------------------------------------------------------------------


async def test_the_next_sends_can_be_refused_with_429_or_a_5xx(zalo: ZaloSandbox):
    lan = zalo.user(1, "Lan")
    zalo.fail_sends(2)
    zalo.fail_next("sendMessage", 502, "Bad Gateway")
    codes = []
    for _ in range(4):
        try:
            await bot_says(zalo, lan, "chào")
            codes.append(200)
        except ZaloApiError as error:
            codes.append(error.code)
    assert codes == [502, 429, 429, 200]
    assert (zalo.stats.too_many_requests, zalo.stats.server_errors) == (2, 1)


async def test_a_rate_ceiling_answers_429_beyond_it(zalo: ZaloSandbox):
    lan = zalo.user(1, "Lan")
    zalo.rate_per_second = 5
    outcomes = []
    for _ in range(8):
        try:
            await bot_says(zalo, lan, "chào")
            outcomes.append("sent")
        except ZaloApiError as error:
            outcomes.append(str(error.code))
    assert outcomes == ["sent"] * 5 + ["429"] * 3
    assert zalo.stats.sent_messages == sum(zalo.stats.sent_per_second.values()) == 5
    assert zalo.stats.peak_per_second <= 5


# ---- webhook ----------------------------------------------------------------------------------


class Receiver:
    """A bot's webhook endpoint: answers with the queued statuses (then 200), keeps posts."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.posts: asyncio.Queue[tuple[str | None, JSON]] = asyncio.Queue()
        self.statuses = list(statuses or [])

    async def handle(self, request: web.Request) -> web.Response:
        await self.posts.put((request.headers.get("X-Bot-Api-Secret-Token"),
                              await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post("/zalo", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield hook, f"http://127.0.0.1:{runner.addresses[0][1]}/zalo"
    await runner.cleanup()


@pytest.mark.parametrize("envelope", [True, False])
async def test_a_webhook_gets_each_update_with_the_secret(
    receiver: tuple[Receiver, str], envelope: bool
):
    hook, url = receiver
    async with ZaloSandbox(webhook_envelope=envelope) as zalo:
        await zalo.call("setWebhook", url=url, secret_token="s3cret-token")
        assert await zalo.wait_webhook() == url
        sent = await zalo.user(1, "Lan").send("alo")
        secret, body = await asyncio.wait_for(hook.posts.get(), 5)
        with pytest.raises(ZaloApiError) as polled:
            await zalo.call("getUpdates")
        info = await zalo.call("getWebhookInfo")
    assert secret == "s3cret-token"
    assert body == ({"ok": True, "result": sent} if envelope else sent)
    assert polled.value.code == 400 and "webhook" in polled.value.description
    assert info["url"] == url


async def test_a_refused_post_is_retried_a_bounded_number_of_times(
    receiver: tuple[Receiver, str]
):
    hook, url = receiver
    hook.statuses = [500, 503, 200] + [500] * 4
    async with ZaloSandbox(webhook_retries=3) as zalo:
        await zalo.call("setWebhook", url=url, secret_token="s3cret-token")
        lan = zalo.user(1, "Lan")
        await lan.send("một")
        await lan.send("hai")
        await lan.send("ba")
        texts = [(await asyncio.wait_for(hook.posts.get(), 5))[1]["result"]["message"]["text"]
                 for _ in range(8)]
        stats = zalo.stats
    # "một": 500, 503, then 200; "hai": 500 four times, then given up on; "ba": 200
    assert texts == ["một"] * 3 + ["hai"] * 4 + ["ba"]
    assert (stats.webhook_posts, stats.webhook_failures, stats.webhook_dropped) == (2, 6, 1)


@pytest.mark.parametrize(("url", "secret"), [
    ("https://bot.example/zalo", "short"),
    ("http://bot.example/zalo", "long-enough-secret"),
    ("https://bot.example/zalo", "x" * 257),
])
async def test_set_webhook_checks_its_arguments(zalo: ZaloSandbox, url: str, secret: str):
    with pytest.raises(ZaloApiError) as refused:
        await zalo.call("setWebhook", url=url, secret_token=secret)
    assert refused.value.code == 400


# ---- simulated people -------------------------------------------------------------------------


async def test_a_person_waits_for_the_bots_answer(zalo: ZaloSandbox):
    lan = zalo.user(3001, "Lan")
    assert zalo.user(3001) is lan and lan.id == zalo_id(3001) == lan.chat_id
    assert zalo.user(lan.id) is lan
    with pytest.raises(ValueError, match="hex"):
        zalo.user("Lan")
    await lan.send("tham gia HN01")
    await bot_says(zalo, lan, "Chào Lan.")
    await bot_says(zalo, lan, "Cảm ơn bạn đã tham gia!")
    answer = await lan.wait_for("cam on")
    assert answer.text == "Cảm ơn bạn đã tham gia!"
    with pytest.raises(AssertionError, match="Cảm ơn bạn"):  # the transcript is in the error
        await lan.wait_for("Chào", timeout=0.01)
    assert "Lan → bot: tham gia HN01" in zalo.transcript()


async def test_choose_types_the_number_or_the_label(zalo: ZaloSandbox):
    lan = zalo.user(1, "Lan")
    await bot_says(zalo, lan, "Bạn muốn báo tin gì?\n\n1. 🚨 Trộm cắp\n2. Đánh nhau\n3. Bỏ qua")
    await bot_says(zalo, lan, "Hay chọn:\n1. Gửi\n2. Gửi kèm tên")
    assert (await lan.choose("trom cap"))["message"]["text"] == "1"
    assert (await lan.choose("Trộm cắp", by="label"))["message"]["text"] == "Trộm cắp"
    assert (await lan.press("Gửi"))["message"]["text"] == "1"  # exact beats "Gửi kèm tên"
    assert (await lan.choose("kèm tên"))["message"]["text"] == "2"
    with pytest.raises(LookupError, match=r"\[Bỏ qua\]"):
        await lan.choose("Xóa")
    assert lan.last is not None and lan.last.labels == ["Gửi", "Gửi kèm tên"]


async def test_waiting_works_without_a_log(http: aiohttp.ClientSession):
    async with ZaloSandbox(keep_log=False) as zalo:
        lan = zalo.user(1, "Lan")
        for n in range(100):
            await bot_says(zalo, lan, f"tin {n}")
        assert (await lan.wait_for("tin 99")).text == "tin 99"
        assert zalo.stats.sent_messages == 100 and zalo.log == []
        assert len(lan.messages) < 20
