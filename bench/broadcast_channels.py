"""A broadcast over two channels at once (not a test): do Telegram and Zalo drain in parallel?

    .venv/bin/python bench/broadcast_channels.py        # 10,000 residents, about 30 s

N residents of one commune (`--residents`): 30% on Telegram only, 60% on Zalo only, 10% with
both accounts who used Zalo last (so 70% are reached on Zalo, and each of those 10% must get
one message, not two). One announcement to the whole commune goes through the real engine
and outbox (SQLite in a temporary folder) to two in-process fake senders, each of which
enforces its own rate the way an API would (a token bucket: a send over it is refused with a
429) and takes `--latency` seconds a send. The engine paces Telegram at `--telegram-rate`
([broadcast] rate_per_second) and Zalo at `--zalo-rate` (its PacerConfig), each with 64
sends in flight at most (rate × latency must stay under that).

Printed: how long queueing took; each channel's messages, its minimum time (count / rate) and
when its last message went; the total time against the slowest channel's minimum (goal: at
most 1.05 — the channels run side by side, not one after the other); 429s; messages a person
got more than once (goal: 0); peak RSS of the process.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import SystemClock
from bot.config import BroadcastConfig
from bot.delivery import DeliveryEngine, OutMessage, PacerConfig, RateLimited, Sent
from bot.models import Address, Audience
from bot.store import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST_TELEGRAM = 10_000_000
TEXT = "📢 <b>Thông báo</b>: họp dân lúc 19:00 tại nhà văn hóa ấp."


class RatedApi:
    """A fake messenger API: at most `rate` sends a second (a bucket of `rate / 10`, at least
    2), else 429; each send takes `latency` seconds."""

    def __init__(self, name: str, rate: float, latency: float) -> None:
        self.name, self.rate, self.latency = name, rate, latency
        self.capacity = max(2.0, rate / 10)
        self.tokens, self.stamp = self.capacity, time.monotonic()
        self.received: Counter[Address] = Counter()
        self.refused = 0
        self.first = self.last = 0.0

    async def send(self, chat_id: Address, message: OutMessage) -> Sent:
        del message  # the same for everyone
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            self.refused += 1
            raise RateLimited(1.0)
        self.tokens -= 1
        await asyncio.sleep(self.latency)
        self.received[chat_id] += 1
        self.last = time.perf_counter()
        self.first = self.first or self.last
        count = sum(self.received.values())
        return Sent(count if self.name == "telegram" else f"{count:08x}")

    async def edit_text(self, chat_id: Address, message_id: int, text: str) -> None:
        pass


async def populate(store: Store, residents: int) -> tuple[Audience, dict[str, int]]:
    """The commune and its residents: 30% Telegram, 60% Zalo, 10% both (Zalo used last)."""
    now = store.db.now_iso()
    people: list[tuple[int, int | None]] = []
    accounts: list[tuple[int, str, str, str | None]] = []
    for i in range(residents):
        kind = "telegram" if i % 10 < 3 else "both" if i % 10 == 9 else "zalo"
        telegram_id = FIRST_TELEGRAM + i if kind != "zalo" else None
        people.append((i + 1, telegram_id))
        if telegram_id is not None:
            accounts.append((i + 1, "telegram", str(telegram_id), None))
        if kind != "telegram":
            accounts.append((i + 1, "zalo", f"{i:016x}", now))
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "bench", "Xã Bench", None)
        await tx.executemany(
            "INSERT INTO residents (id, telegram_id, commune_id, consent, created_at, "
            "updated_at) VALUES (?, ?, ?, 'given', ?, ?)",
            [(rid, tid, commune_id, now, now) for rid, tid in people])
        await tx.executemany(
            "INSERT INTO accounts (resident_id, channel, external_id, created_at, last_seen_at) "
            "VALUES (?, ?, ?, ?, ?)", [(*account, now, seen) for *account, seen in accounts])
    return Audience(commune_id), {"telegram": residents * 3 // 10, "zalo": residents * 7 // 10}


async def run(args: argparse.Namespace, folder: Path) -> None:
    store = await Store.open(folder / "bench.sqlite3")
    telegram = RatedApi("telegram", args.telegram_rate, args.latency)
    zalo = RatedApi("zalo", args.zalo_rate, args.latency)
    config = BroadcastConfig(rate_per_second=args.telegram_rate, paid_broadcast=True,
                             quiet_hours="")
    engine = DeliveryEngine(store, config, SystemClock(), TZ)
    try:
        audience, expected = await populate(store, args.residents)
        queued_at = time.perf_counter()
        recipients = await store.broadcasts.recipients(audience, include_muted=False)
        broadcast_id = await engine.enqueue("announcement", OutMessage(text=TEXT), recipients,
                                            commune_id=audience.commune_id, origin="bench")
        started = time.perf_counter()
        await engine.start({"telegram": telegram, "zalo": zalo},
                           pacing={"zalo": PacerConfig(rate_per_second=args.zalo_rate,
                                                       concurrency=config.concurrency)})
        await engine.wait_done(broadcast_id, timeout=3600)
        total = time.perf_counter() - started
        counts = await store.outbox.counts_by_channel(broadcast_id)
    finally:
        await engine.stop()
        await store.close()
    print(f"{args.residents} residents, {len(recipients)} recipients queued in "
          f"{started - queued_at:.2f} s; latency {args.latency * 1000:g} ms a send")
    slowest = 0.0
    for api in (telegram, zalo):
        sent = sum(api.received.values())
        minimum = sent / api.rate
        slowest = max(slowest, minimum)
        print(f"  {api.name:8} {sent:6} messages (expected {expected[api.name]}, outbox: "
              f"{counts[api.name].sent} sent) at {api.rate:g}/s: minimum {minimum:.2f} s, "
              f"last one after {api.last - started:.2f} s; 429s: {api.refused}")
    twice = sum(n - 1 for api in (telegram, zalo) for n in api.received.values() if n > 1)
    print(f"  total {total:.2f} s = {total / slowest:.3f} × the slowest channel's minimum "
          f"(goal ≤ 1.05; one after the other would be "
          f"{sum(sum(a.received.values()) / a.rate for a in (telegram, zalo)) / slowest:.2f})")
    print(f"  messages received more than once: {twice}; "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--telegram-rate", type=float, default=100.0)
    parser.add_argument("--zalo-rate", type=float, default=233.0)
    parser.add_argument("--latency", type=float, default=0.02, help="seconds a send takes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as name:
        asyncio.run(run(args, Path(name)))


if __name__ == "__main__":
    main()
