"""The delivery engine killed with SIGKILL while it drains Telegram and Zalo: nothing is lost.

A process (tests/kill_worker.py) drains a broadcast to 300 Telegram and 300 Zalo chats; once
each channel has delivered 60, it is killed (no flush, no release), then started again. Every
chat gets the message, and only what was delivered but not yet recorded at the kill can
arrive twice.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from bot.delivery import DeliveryEngine, OutMessage
from bot.models import Channel, Recipient
from bot.store import Store
from tests.delivery_kit import DATABASE

CHATS = 300


def recipient(channel: Channel, i: int) -> Recipient:
    """The i-th chat of the channel."""
    if channel == "telegram":
        return Recipient(None, 700_000 + i)
    return Recipient(None, f"{i:012x}", "zalo")


def received(folder: Path, channel: Channel) -> Counter[str]:
    path = folder / f"{channel}.log"
    return Counter(path.read_text().split()) if path.exists() else Counter()


def sent_rows(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM outbox WHERE state = 'sent'").fetchone()[0])


async def worker(database: Path, folder: Path, broadcast_id: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.kill_worker", str(database), str(folder), str(broadcast_id),
        stderr=asyncio.subprocess.PIPE)


async def test_sigkill_while_draining_two_channels_then_restart_delivers_everything(
    db: Store, engine: DeliveryEngine, tmp_path: Path
) -> None:
    recipients = [recipient(c, i) for i in range(CHATS) for c in ("telegram", "zalo")]
    broadcast_id = await engine.enqueue("announcement", OutMessage(text="Họp dân 19:00"),
                                        recipients, commune_id=None, origin="test")
    database = tmp_path / DATABASE
    process = await worker(database, tmp_path, broadcast_id)
    try:
        for _ in range(600):
            if all(sum(received(tmp_path, c).values()) >= 60 for c in ("telegram", "zalo")):
                break
            await asyncio.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert process.returncode == -signal.SIGKILL
        delivered_at_kill = sum(sum(received(tmp_path, c).values())
                                for c in ("telegram", "zalo"))
        recorded_at_kill = sent_rows(database)
        assert delivered_at_kill < 2 * CHATS, "killed too late to show anything"

        process = await worker(database, tmp_path, broadcast_id)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    repeated = 0
    for channel in ("telegram", "zalo"):
        got = received(tmp_path, channel)
        assert set(got) == {str(recipient(channel, i).chat_id) for i in range(CHATS)}
        repeated += sum(n - 1 for n in got.values())
    assert repeated <= delivered_at_kill - recorded_at_kill
    assert sent_rows(database) == 2 * CHATS

