"""The Zalo OA webhook under load (not a test): how fast the bot answers 200.

    .venv/bin/python bench/oa_webhook.py            # 200 events/s for 10 s, about 30 s

The real bot runs offline as `anninh demo` runs it (bot/demo.py: the OA emulator, the sample
commune naming its OA, a temporary database). `--followers` followers each follow the OA;
their signed `follow` events are posted to the bot's webhook at `--rate` a second, each on
its own (a tenth posted twice, as Zalo's retries do), and the time to the answer 200 is
measured. The bot works them off after answering: each follow starts onboarding (Zalo's
profile call for the name, a welcome and the consent question sent back through the
emulator), every call paced at the app's rate (`[zalo_oa] rate_per_second`), so the work
ends well after the posting.

Printed, beside a baseline (the same posts to a bare aiohttp server answering 200 at once):
p50 / p99 / max time to 200 (goal: p99 < 200 ms), the answers that were not 200, how long
the work took to finish, and how many followers got the consent question (goal: each exactly
once — nothing lost, a repeat not acted on twice).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import ZALO_OA_KEY
from bot.channels.zalo_oa.channel import ZaloOaChannel
from bot.config import load_config_or_defaults
from bot.demo import offline_bot
from bot.sandbox.zalo_oa import DEFAULT_OA, SIGNATURE_HEADER, OaSandbox, signature

CONSENT = "Đồng ý xử lý dữ liệu cá nhân"


def follow(oa: OaSandbox, user_id: str, n: int) -> tuple[bytes, dict[str, str]]:
    """A signed follow event's body and headers."""
    stamp = str(oa.world.now_ms() + n)
    event = {"app_id": oa.app_id, "event_name": "follow", "timestamp": stamp,
             "oa_id": DEFAULT_OA, "source": "oa_popup", "follower": {"id": user_id}}
    body = json.dumps(event).encode()
    return body, {SIGNATURE_HEADER: signature(oa.app_id, body, stamp, oa.oa_secret),
                  "Content-Type": "application/json"}


async def post_all(url: str, posts: list[tuple[bytes, dict[str, str]]],
                   rate: float) -> tuple[list[float], int]:
    """POST each at `rate` a second, each on its own; (seconds to each answer, not 200s)."""
    times: list[float] = []
    refused = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(body: bytes, headers: dict[str, str]) -> None:
            nonlocal refused
            sent = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as answer:
                await answer.read()
                times.append(time.perf_counter() - sent)
                refused += answer.status != 200

        start = time.perf_counter()
        tasks = []
        for index, (body, headers) in enumerate(posts):
            delay = start + index / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body, headers)))
        await asyncio.gather(*tasks)
    return times, refused


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms")


async def baseline(posts: list[tuple[bytes, dict[str, str]]], rate: float) -> str:
    async def ok(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"error": 0})

    app = web.Application()
    app.router.add_post("/zalo/oa/events", ok)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        times, refused = await post_all(f"http://127.0.0.1:{port}/zalo/oa/events", posts, rate)
    finally:
        await runner.cleanup()
    return f"{summary(times)}; not 200: {refused}"


async def run(args: argparse.Namespace) -> None:
    count = int(args.rate * args.seconds)
    async with offline_bot(load_config_or_defaults(None)) as offline:
        oa = offline.oa
        oa.world.echoes = False
        people = [oa.user(f"bench-{n}", f"Người {n}") for n in range(count)]
        posts: list[tuple[bytes, dict[str, str]]] = []
        for n, person in enumerate(people):
            posts.append(follow(oa, person.id, n))
            if n % 10 == 9:  # posted again, as a retry
                posts.append(posts[-1])
        print(f"{len(posts)} follow events ({count} followers, every tenth posted twice) at "
              f"{args.rate:g}/s")
        print(f"  baseline (bare aiohttp, 200 at once): {await baseline(posts, args.rate)}")
        channel: ZaloOaChannel = offline.app.bot_data[ZALO_OA_KEY]
        started = time.perf_counter()
        times, refused = await post_all(oa.webhook_url, posts, args.rate)
        posted = time.perf_counter() - started
        await channel.idle()
        done = time.perf_counter() - started
        asked: dict[str, Any] = {p.id: sum(CONSENT in m.text for m in p.messages)
                                 for p in people}
    once = sum(1 for n in asked.values() if n == 1)
    print(f"  the bot's webhook:                   {summary(times)}; not 200: {refused}")
    print(f"  posting took {posted:.1f} s; the work was done {done:.1f} s after the first "
          f"post; consent asked exactly once: {once}/{count}, never: "
          f"{sum(1 for n in asked.values() if n == 0)}, more than once: "
          f"{sum(1 for n in asked.values() if n > 1)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
