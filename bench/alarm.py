"""Gong latency under load: an alarm to a 50-member team while a 40,000-recipient propaganda
broadcast drains at the configured rate (not a test).

    .venv/bin/python bench/alarm.py [--alarms 3] [--residents 40000] [--drain 5]

The sandbox has Telegram's limits on (30 messages/s per bot); the bot runs with the default
[broadcast] rate (25/s) and alarm lane (30/s). For each alarm the leader goes through /keng as a
person would; the figure is the time from pressing "Phát kẻng" to the 50th member receiving the
alarm. The goal is under 2 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from residents import LEADER, percentile, populate  # noqa: E402

from bot.app import build_application, running  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.context import Services  # noqa: E402
from bot.delivery import OutMessage  # noqa: E402
from bot.models import Recipient  # noqa: E402
from bot.sandbox import Event, Sandbox  # noqa: E402
from bot.store import Store  # noqa: E402

TOKEN = "123456:BENCH"
EXTRA_MEMBERS = range(44, 55)  # team 1 has residents 2..40; these make 50 members


async def main(alarms: int, residents: int, drain: float) -> None:
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as folder:
        async with Sandbox(rate_limits=True, keep_log=False) as sandbox:
            config_path = Path(folder) / "config.toml"
            config_path.write_text(
                f'[telegram]\napi_base_url = "{sandbox.api_base_url}"\n'
                '[database]\npath = "bench.sqlite3"\n'
                '[broadcast]\nquiet_hours = ""\n'
                f"[alarms]\nmax_per_hour = {alarms + 1}\n", encoding="utf-8")
            config = load_config(config_path)
            store = await Store.open(config.database.path)
            try:
                await populate(store, residents, 1007)
                now = store.db.now_iso()
                async with store.db.transaction() as tx:
                    await tx.executemany(
                        "INSERT INTO memberships (team_id, resident_id, role, state, "
                        "requested_at, decided_at) VALUES (1, ?, 'member', 'active', ?, ?)",
                        [(r, now, now) for r in EXTRA_MEMBERS])
            finally:
                await store.close()
            for resident in range(1, residents + 1):
                sandbox.user(LEADER + resident - 1, first_name=f"Cư dân {resident}")
            members = {LEADER + r - 1 for r in [*range(2, 41), *EXTRA_MEMBERS]}
            assert len(members) == 50
            received: dict[int, float] = {}
            alarm_seen = asyncio.Event()

            def watch(event: Event) -> None:
                message = event.message
                if event.kind != "bot_message" or message is None:
                    return
                chat = int(message["chat"]["id"])
                if chat in members and "KẺNG AN NINH" in str(message.get("text", "")):
                    received[chat] = time.perf_counter()
                    if len(received) == len(members):
                        alarm_seen.set()

            sandbox.on_event(watch)
            leader = sandbox.user(LEADER)
            async with running(build_application(config, TOKEN), poll_timeout=10) as app:
                services: Services = app.bot_data["services"]
                await services.delivery.enqueue(
                    "propaganda", OutMessage(text="📢 Phòng chống trộm cắp dịp Tết."),
                    [Recipient(r, LEADER + r - 1) for r in range(1, residents + 1)],
                    commune_id=1, origin="bench")
                await asyncio.sleep(drain)  # let the propaganda run settle at its pace
                sent_before, started_at = sandbox.stats.sent_messages, time.perf_counter()
                latencies = []
                for _ in range(alarms):
                    received.clear()
                    alarm_seen.clear()
                    await leader.command("keng")
                    await leader.wait_for("Việc gì")
                    await leader.press("Trộm")
                    await leader.wait_for("Phát kẻng")
                    pressed = time.perf_counter()
                    await leader.press("Phát kẻng")
                    await asyncio.wait_for(alarm_seen.wait(), 30)
                    latencies.append(max(received.values()) - pressed)
                    print(f"  first member after {min(received.values()) - pressed:.2f} s")
                    await leader.wait_for("Đã phát kẻng")
                    await leader.press("Đã an toàn")
                    await asyncio.sleep(2)  # the all clear goes out; propaganda resumes
                elapsed = time.perf_counter() - started_at
                rate = (sandbox.stats.sent_messages - sent_before) / elapsed
            print(f"alarm to 50 members while {residents:,} propaganda messages drain "
                  f"(overall {rate:.1f} msgs/s, 429s from the sandbox: "
                  f"{sandbox.stats.too_many_requests}):")
            print("  latency 'Phát kẻng' → 50th member: "
                  + ", ".join(f"{s:.2f} s" for s in latencies)
                  + f"; worst {max(latencies):.2f} s, p50 {percentile(latencies, 0.5):.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=3)
    parser.add_argument("--residents", type=int, default=40_000)
    parser.add_argument("--drain", type=float, default=5.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.alarms, arguments.residents, arguments.drain))
