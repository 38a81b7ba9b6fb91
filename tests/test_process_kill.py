"""The deployed bot killed with SIGKILL in the middle of a broadcast: nothing is lost.

`anninh run` runs as its own process against the sandbox; `anninh broadcast send` queues an
announcement for 150 residents; once 40 have it the process is killed (no shutdown, no flush),
then started again. Every resident gets the announcement, and only what was delivered but not
yet recorded at the kill can arrive twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox import Sandbox
from bot.sandbox.views import Event
from tests.helpers import SAMPLE_AREAS

RESIDENTS = 150
FIRST_ID = 700_000
TEXT = "Kiểm tra loa: họp dân 19:00 tại nhà văn hóa"


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config (paid pace, so the broadcast takes about a second), the sample commune and
    150 consenting residents of Ấp Hưng Nhơn."""
    for name in ("ANNINH_API_BASE_URL", "ANNINH_DATABASE", "ANNINH_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config.toml"
    config.write_text(
        '[telegram]\n[database]\npath = "anninh.sqlite3"\n'
        '[broadcast]\nrate_per_second = 150\npaid_broadcast = true\nquiet_hours = ""\n'
        "poll_seconds = 0.05\n", encoding="utf-8")
    assert main(["areas", "load", str(SAMPLE_AREAS), "--config", str(config)]) == 0
    with sqlite3.connect(tmp_path / "anninh.sqlite3") as db:
        commune_id, hamlet_id = db.execute(
            "SELECT c.id, h.id FROM hamlets h JOIN communes c ON c.id = h.commune_id "
            "WHERE h.code = 'hung-nhon'").fetchone()
        db.executemany(
            "INSERT INTO residents (telegram_id, display_name, language, commune_id, hamlet_id, "
            "consent, consent_at, consent_version, created_at, updated_at) VALUES "
            "(?, ?, 'vi', ?, ?, 'given', '2026-11-24T00:00:00+00:00', 't', "
            "'2026-11-24T00:00:00+00:00', '2026-11-24T00:00:00+00:00')",
            [(FIRST_ID + i, f"Dân {i}", commune_id, hamlet_id) for i in range(RESIDENTS)])
    return config


async def _start(config: Path, sandbox: Sandbox) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNINH_")}
    env |= {"TELEGRAM_BOT_TOKEN": "123456:KILL-TEST", "ANNINH_API_BASE_URL":
            sandbox.api_base_url}
    sandbox.world.polling.clear()
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


def _sent_rows(config: Path) -> int:
    with sqlite3.connect(config.parent / "anninh.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM outbox WHERE state = 'sent'").fetchone()[0])


async def test_sigkill_mid_broadcast_then_restart_delivers_to_everyone(
    deployment: Path,
) -> None:
    async with Sandbox(keep_log=False) as sandbox:
        for i in range(RESIDENTS):
            sandbox.user(FIRST_ID + i, first_name=f"Dân {i}")
        received: Counter[str] = Counter()
        forty, everyone = asyncio.Event(), asyncio.Event()

        def count(event: Event) -> None:
            message = event.message or {}
            if event.kind == "bot_message" and TEXT in str(message.get("text") or ""):
                received[event.chat] += 1
                if sum(received.values()) >= 40:
                    forty.set()
                if len(received) == RESIDENTS:
                    everyone.set()

        sandbox.on_event(count)
        bot = await _start(deployment, sandbox)
        try:
            await sandbox.wait_polling(timeout=30)
            queued = await asyncio.to_thread(main, [
                "broadcast", "send", "--commune", "hung-loc", "--text", TEXT,
                "--config", str(deployment)])
            assert queued == 0
            await asyncio.wait_for(forty.wait(), 30)
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            assert bot.returncode == -signal.SIGKILL
            delivered_at_kill = sum(received.values())
            recorded_at_kill = _sent_rows(deployment)
            assert delivered_at_kill < RESIDENTS, "killed too late to show anything"

            bot = await _start(deployment, sandbox)
            await asyncio.wait_for(everyone.wait(), 60)
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
                _, stderr = await asyncio.wait_for(bot.communicate(), 30)
                assert bot.returncode == 0, stderr.decode()
        assert len(received) == RESIDENTS
        repeated = sum(n - 1 for n in received.values())
        assert repeated <= delivered_at_kill - recorded_at_kill
        assert _sent_rows(deployment) == RESIDENTS
