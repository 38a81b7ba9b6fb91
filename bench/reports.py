"""Benchmark: many residents file reports at once through the real bot and the sandbox.

    .venv/bin/python bench/reports.py [--residents 200] [--rounds 1]

Each simulated resident runs the whole /baotin conversation (command, category, text, skip the
place, skip photos, anonymous, send: 7 updates) concurrently with the others; every filed report
also goes to the staff group. Prints updates/s and p50/p99/max latency per update, measured from
the update entering the sandbox to the bot's answer to it (the real Application, long polling,
HTTP, SQLite with WAL, conversation persistence). Goal: ≥ 500 updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collections.abc import Awaitable  # noqa: E402
from typing import Any  # noqa: E402

import aiohttp  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import BaseUpdateProcessor  # noqa: E402
from telegram.request import BaseRequest, RequestData  # noqa: E402

import bot.demo  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import load_config_or_defaults  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.demo import offline_bot  # noqa: E402
from bot.sandbox import Sandbox, SimUser  # noqa: E402

FIRST_ID = 500_000


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Experiment (--concurrent N): different chats run concurrently, each chat's updates one
    at a time and in arrival order (asyncio locks and semaphores wake waiters FIFO)."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


class AiohttpRequest(BaseRequest):
    """Experiment (--aiohttp): PTB's requests over one aiohttp session instead of httpx."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return 20.0

    async def initialize(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256), timeout=aiohttp.ClientTimeout(60))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        *_timeouts: Any, **_named_timeouts: Any,
    ) -> tuple[int, bytes]:
        assert self._session is not None and not (request_data and request_data.contains_files)
        data = request_data.json_parameters if request_data else None
        async with self._session.request(method, url, data=data) as response:
            return response.status, await response.read()


async def conversation(person: SimUser, latencies: list[float], text: str) -> None:
    """One whole report; each step's latency is the time until the bot's answer to it."""

    async def step(action: object, expect: str) -> None:
        started = time.perf_counter()
        await action  # type: ignore[misc]
        await person.wait_for(expect, timeout=60)
        latencies.append(time.perf_counter() - started)

    await step(person.command("baotin"), "Báo tin cho công an xã")
    await step(person.press("Trộm cắp"), "chuyện gì đã xảy ra")
    await step(person.send(text), "ở đâu")
    await step(person.press("Bỏ qua"), "Bạn có ảnh không")
    await step(person.press("Bỏ qua"), "Bạn muốn gửi tin thế nào")
    await step(person.press("Ẩn danh"), "Kiểm tra lại tin báo")
    await step(person.press("Gửi"), "Đã gửi tin báo")


async def run(residents: int, rounds: int, concurrent: int, fast_http: bool) -> None:
    base = load_config_or_defaults(None)
    config = dataclasses.replace(
        base, reports=dataclasses.replace(base.reports, max_per_hour=1000))
    if concurrent > 1 or fast_http:
        def build(*args: Any, **kwargs: Any) -> Any:
            app = build_application(*args, **kwargs)
            if concurrent > 1:
                app._update_processor = PerChatUpdateProcessor(concurrent)  # experiment only
            if fast_http:
                app.bot._request = (AiohttpRequest(), AiohttpRequest())  # experiment only
            return app

        bot.demo.build_application = build  # type: ignore[assignment]
    print(f"{residents} residents, {rounds} round(s), "
          f"{'per-chat concurrent ' + str(concurrent) if concurrent > 1 else 'sequential'}, "
          f"{'aiohttp' if fast_http else 'httpx (PTB default)'} transport")
    async with offline_bot(config) as (sandbox, app):
        sandbox.world.keep_log = False
        officer = sandbox.user(1001, first_name="Cán bộ Hùng")
        staff = sandbox.group(-1001000000001, "Công an xã Hưng Lộc", members=[officer])
        services: Services = app.bot_data["services"]
        people = await _residents(sandbox, services, residents)
        latencies: list[float] = []
        started = time.perf_counter()
        for round_ in range(rounds):
            await asyncio.gather(*(
                conversation(p, latencies, f"Bench {round_}: mất xe máy trước nhà {p.id}")
                for p in people))
        elapsed = time.perf_counter() - started
        filed = await services.store.db.scalar("SELECT count(*) FROM reports")
        _report(len(latencies), elapsed, latencies, int(filed), len(staff.inbox))
        print("requests per method:", dict(sandbox.stats.requests.most_common()))


async def _residents(sandbox: Sandbox, services: Services, count: int) -> list[SimUser]:
    """Consenting residents of the sample commune, created through the service (not timed)."""
    people = []
    for index in range(count):
        person = sandbox.user(FIRST_ID + index, first_name=f"Dân {index}")
        resident = await services.residents.ensure(person.id)
        await services.residents.give_consent(resident, "bench", person.name, "vi")
        people.append(person)
    return people


def _report(updates: int, elapsed: float, latencies: list[float], filed: int,
            cards: int) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"updates: {updates} in {elapsed:.2f} s → {updates / elapsed:.0f} updates/s")
    worst = ordered[-1] * 1000
    print(f"latency per update: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms")
    print(f"reports filed: {filed}; cards in the staff group: {cards}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--concurrent", type=int, default=1,
                        help="process up to N updates at once, one at a time per chat")
    parser.add_argument("--aiohttp", action="store_true",
                        help="send through aiohttp instead of PTB's default httpx")
    args = parser.parse_args()
    asyncio.run(run(args.residents, args.rounds, args.concurrent, args.aiohttp))


if __name__ == "__main__":
    main()
