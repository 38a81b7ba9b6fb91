"""The aiohttp transport against the sandbox: results, uploads, and every error PTB maps."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery import Migrated, OutMessage, RateLimited, Rejected, Transient, Unreachable
from bot.sandbox import Sandbox
from bot.telegram_sender import TelegramSender
from bot.transport import AiohttpRequest
from tests.helpers import ROOT, TOKEN


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=sandbox.api_base_url, request=AiohttpRequest(),
                   get_updates_request=AiohttpRequest()) as telegram_bot:
        yield telegram_bot


async def test_messages_and_uploads_go_through(sandbox: Sandbox, bot: Bot) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    sent = await bot.send_message(3001, "<b>Xin chào</b>", parse_mode="HTML")
    assert sent.message_id and (await lan.wait_for("Xin chào")).raw["entities"]
    photo = (ROOT / "content" / "campaigns" / "phong-chay.png").read_bytes()
    with_photo = await bot.send_photo(3001, photo, caption="Mùa khô")
    assert with_photo.photo and (await lan.wait_for("Mùa khô")).kind == "photo"


@pytest.mark.parametrize(
    ("code", "description", "retry_after", "error"),
    [
        (400, "Bad Request: chat not found", None, BadRequest),
        (403, "Forbidden: bot was blocked by the user", None, Forbidden),
        (429, "Too Many Requests: retry after 3", 3, RetryAfter),
        (500, "Internal Server Error", None, NetworkError),
    ],
)
async def test_api_errors_become_ptb_errors(
    sandbox: Sandbox, bot: Bot, code: int, description: str, retry_after: int | None,
    error: type[Exception],
) -> None:
    sandbox.user(3001)
    sandbox.fail_next("sendMessage", code, description, retry_after=retry_after)
    with pytest.raises(error) as raised:
        await bot.send_message(3001, "x")
    if isinstance(raised.value, RetryAfter):
        assert raised.value.retry_after == timedelta(seconds=3)


async def test_blocked_users_and_migrated_groups(sandbox: Sandbox, bot: Bot) -> None:
    sandbox.user(3001).block_bot()
    with pytest.raises(Forbidden):
        await bot.send_message(3001, "x")
    group = sandbox.group(-4001, "Nhóm cũ")
    group.migrate(-1004001)
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(-4001, "x")
    assert raised.value.new_chat_id == -1004001


async def test_timeouts_and_network_errors() -> None:
    async def too_slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", too_slow)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with AiohttpRequest(read_timeout=0.2) as slow:
            with pytest.raises(TimedOut):
                await slow.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage")
    finally:
        await runner.cleanup()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    async with AiohttpRequest() as nowhere:
        with pytest.raises(NetworkError):
            await nowhere.post(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage")


async def test_the_sender_turns_ptb_errors_into_engine_decisions(
    sandbox: Sandbox, bot: Bot
) -> None:
    sender = TelegramSender(bot)
    sandbox.user(3001)
    cases = [
        (429, "Too Many Requests: retry after 2", 2, RateLimited),
        (403, "Forbidden: user is deactivated", None, Unreachable),
        (400, "Bad Request: chat not found", None, Unreachable),
        (400, "Bad Request: can't parse entities", None, Rejected),
        (502, "Bad Gateway", None, Transient),
    ]
    for code, description, retry_after, expected in cases:
        sandbox.fail_next("sendMessage", code, description, retry_after=retry_after)
        with pytest.raises(expected) as raised:
            await sender.send(3001, OutMessage(text="x"))
        if isinstance(raised.value, RateLimited):
            assert raised.value.retry_after == 2
    group = sandbox.group(-4002, "Nhóm")
    group.migrate(-1004002)
    with pytest.raises(Migrated) as moved:
        await sender.send(-4002, OutMessage(text="x"))
    assert moved.value.new_chat_id == -1004002
    sent = await sender.send(3001, OutMessage(text="ok", buttons=((("Đang đến", "al:1"),),)))
    assert sent.message_id > 0
