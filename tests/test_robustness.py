"""Garbage in, answers out: odd and malformed updates never stop the bot."""

from __future__ import annotations

import logging

import pytest

from bot.context import AnninhApp
from bot.sandbox import Sandbox
from tests.helpers import BotRunner, services_of

ODD_UPDATES = [
    ("edited_message", {"message_id": 1, "date": 0, "edit_date": 1,
                        "chat": {"id": 7001, "type": "private"}, "text": "sửa"}),
    ("channel_post", {"message_id": 1, "date": 0, "text": "/start",
                      "chat": {"id": -100777, "type": "channel", "title": "kênh"}}),
    ("message", {"message_id": 2, "date": 0, "chat": {"id": 7001, "type": "private"}}),
    ("message", {"message_id": 3, "date": 0, "chat": {"id": 7001, "type": "private"},
                 "from": {"id": 7001, "is_bot": False, "first_name": "X"}, "text": ""}),
    ("message", {"message_id": 4, "date": 0, "chat": {"id": 7001, "type": "private"},
                 "from": {"id": 7001, "is_bot": False, "first_name": "X"}, "text": "/" * 5000}),
    ("inline_query", {"id": "1", "from": {"id": 7001, "is_bot": False, "first_name": "X"},
                      "query": "trộm", "offset": ""}),
    ("poll_answer", {"poll_id": "nope", "option_ids": [0],
                     "user": {"id": 7001, "is_bot": False, "first_name": "X"}}),
    ("callback_query", {"id": "9", "from": {"id": 7001, "is_bot": False, "first_name": "X"},
                        "chat_instance": "1", "game_short_name": "g"}),
    ("message", {"message_id": 5}),  # malformed: no date, no chat
    ("message", "not even an object"),
    ("unknown_kind_of_update", {"x": 1}),
]


@pytest.mark.parametrize(("kind", "payload"), ODD_UPDATES)
@pytest.mark.usefixtures("bot")
async def test_the_bot_keeps_answering_after_an_odd_update(
    sandbox: Sandbox, kind: str, payload: object
) -> None:
    sandbox.world.push_update(kind, payload)  # type: ignore[arg-type]
    lan = sandbox.user(7002, first_name="Lan")
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn")


@pytest.mark.usefixtures("bot")
async def test_a_stale_button_is_answered_not_left_spinning(sandbox: Sandbox) -> None:
    lan = sandbox.user(7003, first_name="Lan")
    await lan.command("start")
    await lan.wait_for("Đồng ý xử lý")
    await lan.command("huy")
    await lan.wait_for("Đã hủy")
    answer = await lan.answer_for(await lan.press_data("ob:c:999"))
    assert answer.show_alert
    assert "đã cũ" in answer.text
    answer = await lan.answer_for(await lan.press_data("rác:không:hợp:lệ"))
    assert "đã cũ" in answer.text


async def test_a_server_without_the_command_menu_still_runs_the_bot(
    sandbox: Sandbox, runner: BotRunner
) -> None:
    sandbox.fail_next("setMyCommands", 404, "Not Found")
    await runner.start()
    lan = sandbox.user(7004, first_name="Lan")
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn")


@pytest.mark.usefixtures("bot")
async def test_an_unparseable_update_is_one_warning_not_a_critical_dump(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    update_id = sandbox.world.push_update("message", {"message_id": 5})  # no date, no chat
    lan = sandbox.user(7003, first_name="Lan")
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn")
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
    skipped = [r for r in caplog.records if r.name == "bot.updates"]
    assert len(skipped) == 1 and str(update_id) in skipped[0].getMessage()


async def test_a_failing_api_while_running_is_one_line_per_attempt_not_a_traceback(
    sandbox: Sandbox, runner: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """The Bot API answers getUpdates with errors for a while (a proxy in trouble): each
    failure is one warning without a traceback, and the bot answers again afterwards."""
    caplog.set_level(logging.WARNING)
    for _ in range(2):  # the first two polls of the running bot fail
        sandbox.fail_next("getUpdates", 502, "Bad Gateway")
    await runner.start()
    lan = sandbox.user(7004, first_name="Lan")
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn", timeout=15)  # PTB backs off 1 s, then 1.5 s
    failures = [r for r in caplog.records if "polling for updates failed" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in failures)
    assert "Bad Gateway" in failures[0].getMessage()
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("telegram"))


async def test_a_reply_telegram_refuses_for_a_while_is_delivered_by_the_outbox(
    sandbox: Sandbox, bot: AnninhApp,
) -> None:
    lan = sandbox.user(7005, first_name="Lan")
    sandbox.fail_next("sendMessage", 502, "Bad Gateway")
    await lan.command("trogiup")
    await lan.wait_for("Hướng dẫn", timeout=10)
    [reply] = await services_of(bot).store.broadcasts.by_origin("reply")  # not sent at once
    assert reply.lane == "personal"
