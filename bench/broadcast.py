"""Broadcast throughput, against the sandbox running in another process (not a test).

    .venv/bin/python bench/broadcast.py            # all three parts, about two minutes
    .venv/bin/python bench/broadcast.py --part b   # one part; --seconds for part a's length

(a) Telegram's limits on in the sandbox, the engine at 30/s: achieved msgs/s over ≥ 60 s, 429s.
(b) Limits off, paid mode at 1,000/s: msgs/s end to end through the durable outbox, beside a
    bare python-telegram-bot send_message loop (default httpx transport, concurrency 64) to the
    same recipients; and how soon the running engine picks up a broadcast queued elsewhere.
(c) Peak RSS of a process holding 40,000 queued recipients while the engine sends.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.clock import SystemClock
from bot.config import BroadcastConfig
from bot.delivery import DeliveryEngine, OutMessage, Sent
from bot.models import Recipient
from bot.store import Store
from bot.telegram_sender import TelegramSender
from bot.transport import AiohttpRequest

TOKEN = "123456:BENCH"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_CHAT = 10_000_000
TEXT = "📢 <b>Thông báo</b>: họp dân lúc 19:00 tại nhà văn hóa ấp."


# --- the sandbox, in its own process -----------------------------------------------------------


async def serve(users: int, limits: bool) -> None:
    from bot.sandbox import Sandbox

    sandbox = Sandbox(rate_limits=limits, keep_log=False)
    for chat in range(FIRST_CHAT, FIRST_CHAT + users):
        sandbox.user(chat)
    await sandbox.start()
    print(sandbox.api_base_url, flush=True)
    try:
        while await asyncio.to_thread(sys.stdin.readline):
            print(f"{sandbox.stats.sent_messages} {sandbox.stats.too_many_requests}", flush=True)
    finally:
        await sandbox.stop()


class Emulator:
    """`bench/broadcast.py --serve` as a child process; `stats()` asks it for its counters."""

    def __init__(self, users: int, limits: bool) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--users", str(users)]
            + (["--limits"] if limits else []),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def stats(self) -> tuple[int, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        sent, limited = self.process.stdout.readline().split()
        return int(sent), int(limited)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


# --- helpers -----------------------------------------------------------------------------------


class Timed:
    """Wraps a Sender to note when the first and the last message went out."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender
        self.first = self.last = 0.0
        self.count = 0
        self.started = asyncio.Event()

    async def send(self, chat_id: int, message: OutMessage) -> Sent:
        sent = await self.sender.send(chat_id, message)
        self.last = time.perf_counter()
        self.first = self.first or self.last
        self.started.set()
        self.count += 1
        return sent

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        await self.sender.edit_text(chat_id, message_id, text)


def recipients(count: int, skip: int = 0) -> list[Recipient]:
    first = FIRST_CHAT + skip
    return [Recipient(None, chat) for chat in range(first, first + count)]


async def engine_run(url: str, config: BroadcastConfig, count: int,
                     folder: Path) -> tuple[float, int, dict[str, int]]:
    """Queue `count` messages, start the engine, wait until all are settled."""
    store = await Store.open(folder / f"bench-{time.monotonic_ns()}.sqlite3")
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest())
    await bot.initialize()
    engine = DeliveryEngine(store, config, SystemClock(), TZ)
    sender = Timed(TelegramSender(bot))
    try:
        broadcast_id = await engine.enqueue("announcement", OutMessage(text=TEXT),
                                            recipients(count), commune_id=None, origin="bench")
        await engine.start(sender)
        await engine.wait_done(broadcast_id, timeout=3600)
        done = time.perf_counter()
        counts = await store.outbox.counts(broadcast_id)
        return done - sender.first, counts.sent, dict(engine.stats)
    finally:
        await engine.stop()
        await bot.shutdown()
        await store.close()


# --- the parts ---------------------------------------------------------------------------------


async def part_a(seconds: float, folder: Path) -> None:
    rate = 30.0
    count = int(rate * seconds) + 30
    emulator = Emulator(count, limits=True)
    try:
        config = BroadcastConfig(rate_per_second=rate)
        elapsed, sent, stats = await engine_run(emulator.url, config, count, folder)
        _, limited = emulator.stats()
    finally:
        emulator.close()
    print(f"(a) limits on, engine at {rate:g}/s: {sent} messages in {elapsed:.1f} s = "
          f"{sent / elapsed:.2f} msgs/s ({sent / elapsed / rate:.3f} of the configured rate); "
          f"429s from the sandbox: {limited}; engine pauses: {stats['rate_limited']}")


async def bare_loop(url: str, count: int, concurrency: int = 64) -> float:
    """A plain PTB send_message loop with the default httpx transport."""
    request = HTTPXRequest(connection_pool_size=concurrency)
    async with Bot(TOKEN, base_url=url, request=request) as bot:
        gate = asyncio.Semaphore(concurrency)

        async def one(chat: int | str) -> None:
            async with gate:
                await bot.send_message(chat, TEXT)

        started = time.perf_counter()
        await asyncio.gather(*(one(r.chat_id) for r in recipients(count)))
        return time.perf_counter() - started


async def pickup(url: str, folder: Path) -> float:
    """A broadcast queued by another connection (as `anninh broadcast send` does) while the
    engine idles: seconds until its first message is sent."""
    path = folder / "pickup.sqlite3"
    store, other = await Store.open(path), await Store.open(path)
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest())
    await bot.initialize()
    config = BroadcastConfig(rate_per_second=1000, paid_broadcast=True)
    running = DeliveryEngine(store, config, SystemClock(), TZ)
    sender = Timed(TelegramSender(bot))
    await running.start(sender)
    try:
        delays = []
        for attempt in range(5):
            await asyncio.sleep(0.37)
            sender.first = 0.0
            sender.started.clear()
            queued = time.perf_counter()
            cli = DeliveryEngine(other, config, SystemClock(), TZ)
            await cli.enqueue("announcement", OutMessage(text=TEXT), recipients(3, 3 * attempt),
                              commune_id=None, origin="cli")
            await asyncio.wait_for(sender.started.wait(), 10)
            delays.append(sender.first - queued)
        return max(delays)
    finally:
        await running.stop()
        await bot.shutdown()
        await store.close()
        await other.close()


async def part_b(count: int, folder: Path) -> None:
    emulator = Emulator(count, limits=False)
    try:
        config = BroadcastConfig(rate_per_second=1000, paid_broadcast=True, concurrency=64)
        elapsed, sent, _ = await engine_run(emulator.url, config, count, folder)
        bare = await bare_loop(emulator.url, count)
        delay = await pickup(emulator.url, folder)
    finally:
        emulator.close()
    print(f"(b) limits off, paid mode at 1000/s: engine with durable outbox {sent} messages "
          f"in {elapsed:.1f} s = {sent / elapsed:.0f} msgs/s; bare PTB send_message loop "
          f"(httpx, concurrency 64) {count} in {bare:.1f} s = {count / bare:.0f} msgs/s; "
          f"a broadcast queued by another process picked up within {delay * 1000:.0f} ms "
          f"(worst of 5)")


async def part_c(count: int, folder: Path) -> None:
    emulator = Emulator(count, limits=False)
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, __file__, "--rss", "--users", str(count), "--url", emulator.url,
             "--folder", str(folder)], capture_output=True, text=True, check=True)
    finally:
        emulator.close()
    print(result.stdout.strip())


async def rss_worker(count: int, url: str, folder: Path) -> None:
    """In a fresh process: 40,000 recipients queued, the engine sending for a few seconds."""
    import telegram.ext  # noqa: F401 - the bot process has all of PTB loaded

    store = await Store.open(folder / "rss.sqlite3")
    bot = Bot(TOKEN, base_url=url, request=AiohttpRequest())
    await bot.initialize()
    engine = DeliveryEngine(store, BroadcastConfig(rate_per_second=1000, paid_broadcast=True),
                            SystemClock(), TZ)
    await engine.enqueue("announcement", OutMessage(text=TEXT), recipients(count),
                         commune_id=None, origin="bench")
    await engine.start(TelegramSender(bot))
    await asyncio.sleep(5)
    await engine.stop()
    left = await store.outbox.queued_total()
    await bot.shutdown()
    await store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(c) {count} recipients queued, engine sending for 5 s ({count - left} sent, "
          f"{left} still queued): peak RSS {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "c"], action="append")
    parser.add_argument("--seconds", type=float, default=62.0, help="length of part (a)")
    parser.add_argument("--count", type=int, default=20_000, help="messages in part (b)")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rss", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--limits", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--users", type=int, default=40_000, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.users, args.limits))
        return
    if args.rss:
        asyncio.run(rss_worker(args.users, args.url, args.folder))
        return
    parts: list[Any] = args.part or ["a", "b", "c"]
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as name:
        folder = Path(name)
        if "a" in parts:
            asyncio.run(part_a(args.seconds, folder))
        if "b" in parts:
            asyncio.run(part_b(args.count, folder))
        if "c" in parts:
            asyncio.run(part_c(40_000, folder))


if __name__ == "__main__":
    main()
