"""A Zalo OA announcement to many followers (not a test): what each send costs, and pace.

    .venv/bin/python bench/oa_broadcast.py          # 40,000 followers, about 90 s

N followers of one commune's OA (`--followers`), last seen with the mix Zalo's window cares
about: 60% within 48 h, 25% between 48 h and 7 days, 15% beyond. One announcement to the
whole commune goes through the real engine and outbox (SQLite in a temporary folder), the
real `ZaloOaSender` (which decides free / billable / ZBS / skipped per follower), the real
token keeper and client, over HTTP to the OA emulator in the same process. The emulator
refuses with -32 beyond `--app-rate` requests a minute (Zalo: about 4,000 for an app; the
default is higher so the run stays short — the ratio is what matters); the engine paces at
`--pace` of that. `--urgent` makes it an urgent announcement (ZBS templates beyond 7 days).

Printed: free, billable, ZBS and skipped sends (an ordinary announcement's beyond the window
wait for the follower's next message: skipped + waiting) as the outbox recorded them beside
what the mix asks for, and the emulator's own counts; -32 answers (goal 0: the limit never
exceeded); the total time against the rate-limit minimum (API calls / the app's rate; goal
≤ 1.05).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.channels.zalo_oa.client import TokenPair, ZaloOaClient
from bot.channels.zalo_oa.sender import ZaloOaSender
from bot.channels.zalo_oa.tokens import TokenKeeper, store_pair
from bot.clock import SystemClock
from bot.config import BroadcastConfig
from bot.delivery import DeliveryEngine, OutMessage, PacerConfig
from bot.models import Audience
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox
from bot.store import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TEXT = "📢 <b>Thông báo</b>: họp dân lúc 19:00 tại nhà văn hóa ấp."
TEMPLATES = {"alarm": "310001", "announcement": "310002"}
HOUR = 3600


@dataclass
class Bench:
    """The store, the emulator and the sender wired together, and the commune's audience."""

    store: Store
    oa: OaSandbox
    sender: ZaloOaSender
    audience: Audience


def hours_ago(index: int) -> float:
    """The mix by index: 60% within 48 h, 25% 48 h–7 d, 15% beyond."""
    slot = index % 20
    return 5.0 if slot < 12 else 24 * 4 if slot < 17 else 24 * 12


async def set_up(folder: Path, oa: OaSandbox, followers: int, *,
                 mix: bool = True) -> Bench:
    """A commune naming the emulator's OA, its tokens, and `followers` consenting residents
    following it (last seen by `hours_ago`, or all within 48 h)."""
    clock = SystemClock()
    store = await Store.open(folder / "bench.sqlite3")
    now = clock.now()
    stamp = store.db.now_iso()
    for n in range(followers):
        person = oa.user(n, f"Người {n}")
        oa.age(person, (hours_ago(n) if mix else 5.0) * HOUR)
    async with store.db.transaction() as tx:
        commune_id = await store.areas.upsert_commune(tx, "bench", "Xã Bench", None)
        await store.zalo_oa.set_commune_oa(tx, commune_id, DEFAULT_OA)
        await tx.executemany(
            "INSERT INTO residents (id, commune_id, consent, created_at, updated_at) "
            "VALUES (?, ?, 'given', ?, ?)",
            [(n + 1, commune_id, stamp, stamp) for n in range(followers)])
        users = list(oa.world.chats)
        await tx.executemany(
            "INSERT INTO accounts (resident_id, channel, external_id, created_at, "
            "last_seen_at, oa_id, interacted_at) VALUES (?, 'zalo_oa', ?, ?, ?, ?, ?)",
            [(n + 1, users[n], stamp, stamp, DEFAULT_OA,
              (now - timedelta(hours=hours_ago(n) if mix else 5.0)).astimezone(UTC).isoformat())
             for n in range(followers)])
    pair = oa.issue_tokens()
    await store_pair(store.zalo_oa, clock, DEFAULT_OA, TokenPair(
        str(pair["access_token"]), str(pair["refresh_token"]), int(pair["expires_in"])))
    client = ZaloOaClient(oa.app_id, oa.app_secret, api_base_url=oa.base_url,
                          oauth_base_url=oa.base_url, business_api_base_url=oa.base_url)
    keeper = TokenKeeper(store.zalo_oa, client, clock)

    async def oa_of(user_id: str) -> str | None:
        del user_id
        return DEFAULT_OA

    sender = ZaloOaSender(client, keeper, clock, oa_of, follower=store.zalo_oa.follower,
                          templates=TEMPLATES, ack=lambda _language: "Đã nhận")
    return Bench(store, oa, sender, Audience(commune_id))


async def announce(bench: Bench, rate: float, concurrency: int, *,
                   urgent: bool) -> tuple[int, float]:
    """Queue the announcement, deliver it; (broadcast id, seconds from start to done)."""
    config = BroadcastConfig(rate_per_second=rate, quiet_hours="")
    engine = DeliveryEngine(bench.store, config, SystemClock(), TZ)
    recipients = await bench.store.broadcasts.recipients(bench.audience, include_muted=False)
    broadcast_id = await engine.enqueue("announcement", OutMessage(text=TEXT), recipients,
                                        commune_id=bench.audience.commune_id, origin="bench",
                                        urgent=urgent)
    started = time.perf_counter()
    await engine.start({"zalo_oa": bench.sender}, pacing={
        "zalo_oa": PacerConfig(rate_per_second=rate, concurrency=concurrency)})
    try:
        await engine.wait_done(broadcast_id, timeout=3600)
    finally:
        await engine.stop()
    return broadcast_id, time.perf_counter() - started


async def run(args: argparse.Namespace, folder: Path) -> None:
    app_rate = args.app_rate / 60
    async with OaSandbox(keep_log=False, requests_per_minute=args.app_rate) as oa:
        oa.world.echoes = False
        for template in TEMPLATES.values():
            oa.add_template(template)
        bench = await set_up(folder, oa, args.followers)
        try:
            broadcast_id, total = await announce(bench, app_rate * args.pace,
                                                 args.concurrency, urgent=args.urgent)
            usage = await bench.store.zalo_oa.usage_of(broadcast_id)
        finally:
            await bench.sender.client.close()
            await bench.store.close()
    assert usage is not None
    n = args.followers
    free, billable = n * 12 // 20, n * 5 // 20
    beyond = n - free - billable
    stats = oa.stats
    print(f"{n} followers, one {'urgent ' if args.urgent else ''}announcement; the app's "
          f"limit {args.app_rate:g} requests/min ({app_rate:.1f}/s), the engine paced at "
          f"{args.pace:g} of it, {args.concurrency} in flight")
    print(f"  outbox:   free {usage.free} (expected {free}), billable {usage.billable} "
          f"(expected {billable}), zbs {usage.zbs} (expected {beyond if args.urgent else 0}), "
          f"skipped or waiting {usage.outside_window} + {usage.waiting} "
          f"(expected {0 if args.urgent else beyond}), "
          f"unreachable {usage.unreachable}, failed {usage.failed}, queued {usage.queued}")
    print(f"  emulator: free {stats.free}, billable {stats.billable}, zbs {stats.zbs}, "
          f"-230 {stats.outside_window}, -32 (rate limit exceeded) {stats.rate_limited}")
    calls = stats.sent + stats.zbs + stats.outside_window + stats.rate_limited
    minimum = calls / app_rate
    print(f"  {calls} API calls in {total:.1f} s; the rate-limit minimum {minimum:.1f} s "
          f"(baseline): {total / minimum:.3f} × (goal ≤ 1.05); "
          f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=40_000)
    parser.add_argument("--app-rate", type=float, default=24_000.0,
                        help="the emulator's limit, requests a minute (Zalo: ~4,000)")
    parser.add_argument("--pace", type=float, default=0.98,
                        help="the engine's rate as a share of the app's limit")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--urgent", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as name:
        asyncio.run(run(args, Path(name)))


if __name__ == "__main__":
    main()
