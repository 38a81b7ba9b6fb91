"""The Zalo Bot Platform channel's running modes: the webhook (enveloped and bare bodies, the
secret checked), and `anninh run` refusing to start without what the channel needs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from bot.context import AnninhApp
from bot.sandbox.zalo import ZaloSandbox
from tests.helpers import free_port

SECRET = "a-long-enough-secret"


@pytest.fixture(params=[True, False], ids=["enveloped", "bare"])
async def zalo(request: pytest.FixtureRequest) -> AsyncIterator[ZaloSandbox]:
    async with ZaloSandbox(webhook_envelope=request.param) as emulator:
        yield emulator


@pytest.fixture
def hook_url() -> str:
    return f"http://127.0.0.1:{free_port()}/zalo/hook"


@pytest.fixture
def config_extra(zalo: ZaloSandbox, hook_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ZALO_BOT_TOKEN", zalo.token)
    monkeypatch.setenv("ANNINH_ZALO_WEBHOOK_SECRET", SECRET)
    port = int(hook_url.rsplit(":", 1)[1].split("/")[0])
    return (f'[zalo_bot]\napi_base_url = "{zalo.api_base_url}"\nmode = "webhook"\n'
            f'webhook_url = "{hook_url}"\nwebhook_port = {port}\n')


async def test_in_webhook_mode_events_reach_the_bot(
    zalo: ZaloSandbox, hook_url: str, bot: AnninhApp,
) -> None:
    assert await zalo.wait_webhook() == hook_url
    lan = zalo.user(11, "Lan")
    await lan.send("xin chào")
    await lan.wait_for("Đồng ý xử lý dữ liệu cá nhân")
    await lan.choose("Đồng ý")
    await lan.wait_for("ấp")


async def test_a_webhook_call_without_the_secret_is_refused(
    zalo: ZaloSandbox, hook_url: str, bot: AnninhApp,
) -> None:
    await zalo.wait_webhook()
    event = {"event_name": "message.text.received", "message": {
        "message_id": "ab12", "from": {"id": "cd34", "display_name": "X", "is_bot": False},
        "chat": {"id": "cd34", "chat_type": "PRIVATE"}, "date": 1, "text": "hi"}}
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"X-Bot-Api-Secret-Token": "wrong-secret"}):
            async with session.post(hook_url, json=event, headers=headers) as answer:
                assert answer.status == 403
        async with session.post(hook_url, data=b"{not json",
                                headers={"X-Bot-Api-Secret-Token": SECRET}) as answer:
            assert answer.status == 400


def test_run_without_the_zalo_token_names_the_variable_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    config_path = tmp_path / "config.toml"
    config_path.write_text('[telegram]\n[database]\npath = "a.sqlite3"\n[zalo_bot]\n',
                           encoding="utf-8")
    assert main(["run", "--config", str(config_path)]) == 2
    error = capsys.readouterr().err
    assert "ZALO_BOT_TOKEN" in error and error.count("\n") == 1


async def test_a_zalo_only_deployment_runs_without_a_telegram_token(tmp_path: Path) -> None:
    """`[telegram] enabled = false`: `anninh run` asks nothing of Telegram (no token, no
    API), serves Zalo residents, and stops cleanly on SIGTERM."""
    async with ZaloSandbox() as zalo:
        config = tmp_path / "config.toml"
        config.write_text(
            '[telegram]\nenabled = false\n[database]\npath = "data/anninh.sqlite3"\n'
            f'[zalo_bot]\napi_base_url = "{zalo.api_base_url}"\npoll_timeout_seconds = 1\n',
            encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if k not in ("TELEGRAM_BOT_TOKEN", "ANNINH_API_BASE_URL", "ANNINH_DATABASE")}
        env |= {"ZALO_BOT_TOKEN": zalo.token, "PYTHONUNBUFFERED": "1"}
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(config), env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            await zalo.wait_polling(timeout=30)
            hoa = zalo.user(41, "Hoa")
            await hoa.send("xin chào")
            await hoa.wait_for("Đồng ý xử lý dữ liệu cá nhân", timeout=15)
        finally:
            bot.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(bot.communicate(), timeout=30)
        assert bot.returncode == 0, stderr.decode()
        assert "Traceback" not in stderr.decode()


def test_telegram_off_without_another_messenger_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\nenabled = false\n[database]\npath = "a.sqlite3"\n',
                      encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 2
    error = capsys.readouterr().err
    assert "no messenger" in error and error.count("\n") == 1
