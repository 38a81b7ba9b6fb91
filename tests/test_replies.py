"""bot/replies.py: long texts go as several messages; a direct send that fails leaves a trace."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from html import escape

import pytest
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Defaults

from bot import replies
from bot.markup import visible_length
from bot.sandbox import Sandbox
from bot.updates import ResilientBot
from tests.helpers import TOKEN


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[ResilientBot]:
    async with ResilientBot(TOKEN, base_url=sandbox.api_base_url,
                            defaults=Defaults(parse_mode=ParseMode.HTML)) as client:
        yield client


async def test_a_text_too_long_for_one_message_goes_as_several_in_order(
    sandbox: Sandbox, bot: ResilientBot
) -> None:
    lan = sandbox.user(3001, first_name="Lan")
    asked = await lan.send("Danh sách?")
    lines = [f"{i}. <b>Thành viên</b> {escape('<Tổ 1>')} số {i}" for i in range(200)]
    text = "\n".join(lines)
    assert visible_length(text) > 4096
    posted = await replies.send_text(bot, lan.id, text, replies.inline_keyboard([[("OK", "x")]]),
                                     reply_to=asked["message_id"])
    messages = lan.inbox
    assert len(messages) == 2 == len(posted.message_ids)
    assert [m.message_id for m in messages] == list(posted.message_ids)
    assert messages[0].reply_to_message_id == asked["message_id"]
    assert messages[0].buttons == [] and messages[1].buttons == [["OK"]]
    assert "\n".join(m.text for m in messages).split("\n") == [
        f"{i}. Thành viên <Tổ 1> số {i}" for i in range(200)]

    # a change at the end (a card's status) edits the last part, the one with the buttons
    await replies.edit_text(bot, lan.id, posted.message_id, text + "\n✅ Đã tiếp nhận")
    assert lan.inbox[0].text == messages[0].text and lan.inbox[0].edits == 0
    assert lan.inbox[1].text == messages[1].text + "\n✅ Đã tiếp nhận"


async def test_a_direct_send_that_fails_is_logged_with_chat_and_reason_not_text(
    sandbox: Sandbox, bot: ResilientBot, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.user(3001, first_name="Lan")
    sandbox.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with caplog.at_level(logging.WARNING), pytest.raises(BadRequest):
        await replies.send_text(bot, -100999, "Tin riêng tư của Lan")
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(logged) == 1
    assert "sendMessage" in logged[0] and "-100999" in logged[0]
    assert "chat not found" in logged[0].lower() and "riêng tư" not in logged[0]

    caplog.clear()
    sent = await replies.send_text(bot, 3001, "một")
    with caplog.at_level(logging.WARNING):
        await replies.edit_text(bot, 3001, sent.message_id, "một")  # unchanged: no failure
        sandbox.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
        with replies.engine_sends(), pytest.raises(Exception, match="blocked"):
            await replies.send_text(bot, 3001, "hai")  # the engine logs its own outcomes
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
