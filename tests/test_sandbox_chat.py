"""A simulated person edits a message they sent: the update Telegram sends for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.sandbox import Sandbox, format_event

TOKEN = "123456:TEST-token"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN, base_url=sandbox.api_base_url, base_file_url=sandbox.file_base_url
    ) as client:
        yield client


async def test_an_edit_arrives_as_an_edited_message_update(bot: Bot, sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    sent = await lan.send("Mất xe máy")
    await lan.edit(sent, "/baotin Mất xe máy Honda")
    raw = list(sandbox.world.updates)
    assert [sorted(u) for u in raw] == [["message", "update_id"],
                                        ["edited_message", "update_id"]]
    edited = raw[1]["edited_message"]
    assert edited["message_id"] == sent["message_id"] and edited["date"] == sent["date"]
    assert edited["edit_date"] >= sent["date"]
    assert edited["entities"][0]["type"] == "bot_command"

    updates = await bot.get_updates(timeout=0)
    assert updates[1].message is None and updates[1].edited_message is not None
    assert updates[1].edited_message.text == "/baotin Mất xe máy Honda"
    assert updates[1].edited_message.edit_date is not None
    assert sandbox.world.message(lan.chat_id, sent["message_id"]) == edited
    assert format_event(sandbox.world.log[-1]) == "Lan ✎ bot: /baotin Mất xe máy Honda"


async def test_a_caption_is_edited_and_only_ones_own_message(sandbox: Sandbox) -> None:
    lan = sandbox.user(1001, first_name="Lan")
    minh = sandbox.user(1002, first_name="Minh")
    group = sandbox.group(-100123, "Tổ 1", members=[lan, minh])
    photo = await lan.send_photo("ảnh cửa")
    edited = await lan.edit(photo, "ảnh cửa sau")
    assert edited["caption"] == "ảnh cửa sau" and edited["photo"] == photo["photo"]
    assert "text" not in edited

    said = await group.send(lan, "họp lúc 8h")
    with pytest.raises(LookupError, match="Minh sent no message"):
        await group.edit(minh, said, "họp lúc 9h")
    with pytest.raises(LookupError):
        await lan.edit(said, "not in this chat")
    assert (await group.edit(lan, said, "họp lúc 9h"))["text"] == "họp lúc 9h"
