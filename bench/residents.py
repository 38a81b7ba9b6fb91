"""Benchmark: a district of 40,000 residents in 1,007 teams, and /to for a leader through the bot.

    .venv/bin/python bench/residents.py [--residents 40000] [--teams 1007] [--requests 200]

Prints the load time of a fresh database, then p50/p99/max of `/to` for the leader of a
40-member team, measured from the update entering the sandbox to the bot's reply arriving
(the real Application, long polling, HTTP, SQLite). The seed article's district: 1,007
people's security teams, over 40,000 members. The goal is well under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application, running  # noqa: E402
from bot.config import load_config  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.store import Store  # noqa: E402

TOKEN = "123456:BENCH"
HAMLETS = 100
LEADER = 9_000_000  # Telegram id of the measured leader (team 0)
KINDS = ("to-an-ninh-nhan-dan", "doi-dan-phong", "doi-thanh-nien-xung-kich",
         "doi-xe-om-xung-kich", "doi-nu-dan-phong")


async def populate(store: Store, residents: int, teams: int) -> float:
    """One commune, 100 hamlets, `teams` teams and `residents` consenting residents."""
    started = time.perf_counter()
    now = store.db.now_iso()
    async with store.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO communes (id, code, name, staff_chat_id, created_at, updated_at) "
            "VALUES (1, 'dinh-quan', 'Huyện Định Quán (bench)', -100900, ?, ?)", (now, now))
        await tx.executemany(
            "INSERT INTO hamlets (id, commune_id, code, name) VALUES (?, 1, ?, ?)",
            [(h, f"ap-{h}", f"Ấp {h}") for h in range(1, HAMLETS + 1)])
        await tx.executemany(
            "INSERT INTO teams (id, commune_id, hamlet_id, code, name, kind, join_code, "
            "requires_approval, max_members, created_at) VALUES (?, 1, ?, ?, ?, ?, ?, 1, 0, ?)",
            [(t, t % HAMLETS + 1, f"to-{t}", f"Tổ an ninh nhân dân số {t}", KINDS[t % 5],
              f"T{t:05d}", now) for t in range(1, teams + 1)])
        await tx.executemany(
            "INSERT INTO residents (id, telegram_id, display_name, language, commune_id, "
            "hamlet_id, consent, consent_at, consent_version, created_at, updated_at) "
            "VALUES (?, ?, ?, 'vi', 1, ?, 'given', ?, 'bench', ?, ?)",
            [(r, LEADER + r - 1, f"Cư dân {r}", r % HAMLETS + 1, now, now, now)
             for r in range(1, residents + 1)])
        # Team 1 gets residents 1..40 (resident 1 leads it); the rest spread round-robin.
        memberships = [(1, r, "leader" if r == 1 else "member") for r in range(1, 41)]
        memberships += [(2 + (r % (teams - 1)), r, "member") for r in range(41, residents + 1)]
        await tx.executemany(
            "INSERT INTO memberships (team_id, resident_id, role, state, requested_at, "
            "decided_at) VALUES (?, ?, ?, 'active', ?, ?)",
            [(team, resident, role, now, now) for team, resident, role in memberships])
        pending = [(1, r, now) for r in range(41, 44)]  # three requests wait for the leader
        await tx.executemany(
            "INSERT OR IGNORE INTO memberships (team_id, resident_id, role, state, "
            "requested_at) VALUES (?, ?, 'member', 'pending', ?)", pending)
    return time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(residents: int, teams: int, requests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as folder:
        async with Sandbox(keep_log=False) as sandbox:
            config_path = Path(folder) / "config.toml"
            config_path.write_text(
                f'[telegram]\napi_base_url = "{sandbox.api_base_url}"\n'
                '[database]\npath = "bench.sqlite3"\n', encoding="utf-8")
            config = load_config(config_path)
            store = await Store.open(config.database.path)
            try:
                load = await populate(store, residents, teams)
                service_times = await time_service(store, config, requests)
            finally:
                await store.close()
            print(f"load: {residents:,} residents, {teams:,} teams in {load * 1000:.0f} ms")
            report("/to service call (TeamService.leader_view)", service_times)
            leader = sandbox.user(LEADER, first_name="Tổ trưởng")
            async with running(build_application(config, TOKEN), poll_timeout=10):
                await sandbox.wait_polling()
                for _ in range(5):  # warm-up
                    await leader.command("to")
                    await leader.wait_for("bạn là tổ trưởng")
                latencies = []
                for _ in range(requests):
                    started = time.perf_counter()
                    await leader.command("to")
                    card = await leader.wait_for("bạn là tổ trưởng")
                    latencies.append(time.perf_counter() - started)
                assert "Đang chờ duyệt: 3" in card.text and "Thành viên (40)" in card.text
            report("/to through the bot and the sandbox (update → reply)", latencies)


async def time_service(store: Store, config: object, requests: int) -> list[float]:
    from bot.catalog import Catalog
    from bot.clock import SystemClock
    from bot.config import Config
    from bot.media import MediaStore
    from bot.services.media import MediaService
    from bot.services.residents import ResidentService
    from bot.services.teams import TeamService

    assert isinstance(config, Config)
    media = MediaService(store, MediaStore(config.media.folder), config.media, SystemClock())
    residents = ResidentService(store, Catalog.load(config.content.folder), media)
    teams = TeamService(store, config.teams, SystemClock())
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        leader = await residents.ensure(LEADER)
        for view in await teams.my_teams(leader):
            await teams.leader_view(leader, view.team.id)
        times.append(time.perf_counter() - started)
    return times


def report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(f"{label}: n={len(ms)} p50={statistics.median(ms):.1f} ms "
          f"p99={percentile(ms, 0.99):.1f} ms max={max(ms):.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=40_000)
    parser.add_argument("--teams", type=int, default=1_007)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.residents, args.teams, args.requests))
