"""Zalo OA token refresh under load (not a test): sends in flight across an expiry.

    .venv/bin/python bench/oa_tokens.py             # 1,000 sends, a few seconds

An announcement to `--followers` followers (all within 48 h) goes through the real engine,
sender, token keeper and client to the OA emulator (bench/oa_broadcast.py sets it up), with
`--concurrency` sends in flight. Once `--expire-after` have gone, the emulator expires every
access token (answering -220, as Zalo does): the sends in flight are refused at once, and
the keeper must renew the single-use refresh token once and retry each of them.

Printed, beside a baseline run without the expiry: messages delivered (goal: all, none lost),
refreshes (goal: exactly 1), reused refresh tokens (goal 0), calls refused as expired, time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.oa_broadcast import TEMPLATES, announce, set_up
from bot.sandbox.zalo_oa import OaSandbox


def expire_after(oa: OaSandbox, sent: int) -> None:
    """Expire every access token the moment the emulator has taken `sent` messages."""
    world, record, taken = oa.world, oa.world.record, [0]

    def counting(chat: Any, message: Any) -> None:
        record(chat, message)
        taken[0] += 1
        if taken[0] == sent:
            oa.expired_code = -220
            oa.expire_access_tokens()

    world.record = counting  # type: ignore[method-assign]


async def one_run(args: argparse.Namespace, folder: Path, *, expire: bool) -> str:
    async with OaSandbox(keep_log=False) as oa:
        oa.world.echoes = False
        for template in TEMPLATES.values():
            oa.add_template(template)
        bench = await set_up(folder, oa, args.followers, mix=False)
        if expire:
            expire_after(oa, args.expire_after)
        try:
            broadcast_id, total = await announce(bench, args.rate, args.concurrency,
                                                 urgent=False)
            usage = await bench.store.zalo_oa.usage_of(broadcast_id)
        finally:
            await bench.sender.client.close()
            await bench.store.close()
    assert usage is not None
    stats = oa.stats
    lost = args.followers - usage.free - usage.billable
    received = sum(1 for chat in oa.world.chats.values() if chat.history)
    return (f"delivered {usage.free + usage.billable}/{args.followers} (outbox), "
            f"{received} followers got it (emulator), lost {lost}, failed {usage.failed}; "
            f"refreshes {stats.refreshes}, reused refresh tokens "
            f"{stats.reused_refresh_tokens}, calls refused as expired {stats.expired_tokens}; "
            f"{total:.2f} s")


async def run(args: argparse.Namespace, folder: Path) -> None:
    print(f"{args.followers} sends, {args.concurrency} in flight, engine at {args.rate:g}/s")
    (folder / "baseline").mkdir()
    (folder / "expiry").mkdir()
    print("  baseline (no expiry):   " + await one_run(args, folder / "baseline", expire=False))
    print(f"  expiry after {args.expire_after} sent: "
          + await one_run(args, folder / "expiry", expire=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rate", type=float, default=1_000.0)
    parser.add_argument("--expire-after", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as name:
        asyncio.run(run(args, Path(name)))


if __name__ == "__main__":
    main()
