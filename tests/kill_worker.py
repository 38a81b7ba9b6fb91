"""A process that drains the outbox over two channels, for tests/test_process_kill_channels.py.

    python -m tests.kill_worker DATABASE FOLDER BROADCAST_ID

Its senders "deliver" a message by appending the chat to FOLDER/<channel>.log (one write per
message, before the engine records it, as a messenger would have it before the bot knows);
it exits 0 once the broadcast is done. The test kills it with SIGKILL midway.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.config import BroadcastConfig
from bot.delivery import DeliveryEngine, OutMessage, PacerConfig, Sent
from bot.models import Address, Channel
from bot.store import Store

RATE = 150.0  # a second, on each channel: 300 messages take about two seconds


class LogSender:
    def __init__(self, folder: Path, channel: Channel) -> None:
        self.fd = os.open(folder / f"{channel}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        self.count = 0

    async def send(self, chat_id: Address, message: OutMessage) -> Sent:
        del message
        await asyncio.sleep(0.005)
        os.write(self.fd, f"{chat_id}\n".encode())
        self.count += 1
        return Sent(self.count)

    async def edit_text(self, chat_id: Address, message_id: int, text: str) -> None:
        pass


async def drain(database: Path, folder: Path, broadcast_id: int) -> None:
    store = await Store.open(database)
    config = BroadcastConfig(rate_per_second=RATE, paid_broadcast=True, quiet_hours="",
                             poll_seconds=0.05)
    engine = DeliveryEngine(store, config, SystemClock(), ZoneInfo("Asia/Ho_Chi_Minh"))
    try:
        await engine.start({"telegram": LogSender(folder, "telegram"),
                            "zalo": LogSender(folder, "zalo")},
                           pacing={"zalo": PacerConfig(rate_per_second=RATE)})
        await engine.wait_done(broadcast_id, timeout=60)
    finally:
        await engine.stop()
        await store.close()


if __name__ == "__main__":
    asyncio.run(drain(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])))
