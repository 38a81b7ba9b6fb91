"""Benchmark: many residents file reports at once, the bot running as it is deployed.

    .venv/bin/python bench/reports.py [--residents 200] [--rounds 1] [--concurrent N]
                                      [--channel telegram|zalo|both]
    .venv/bin/python bench/reports.py --in-process   # the bot inside the bench, for comparison

With --channel both (the default) the bot runs with Telegram and the Zalo Bot Platform at
once; the Telegram residents file their reports first, then as many Zalo residents (numbered
choices, keywords), so each channel's figure is its own. Before the bot, each channel's
baseline runs on the same sandbox with the same people and the same number of messages: the
barest bot for that channel (bench/echo.py: a python-telegram-bot echo bot; a ZaloBotClient
echo loop). Judge anninh by its ratio to the baseline, not by the absolute figure.

The bot runs in its own process (`python -m bot run --config …`, token and ANNINH_API_BASE_URL
from the environment, long polling); the sandbox and the simulated residents run here, as
Telegram and its users are not in the bot's process in real life. The database is prepared
first: the sample commune and N consenting residents of Thống Nhất (Ấp Dốc Mơ), so each
resident goes straight to /baotin. Each runs the whole report conversation (command, category,
text, skip the place, skip photos, anonymous, send: 7 updates) concurrently with the others;
every filed report also goes to the staff group. Prints updates/s and p50/p99/max latency per
update, measured from the update entering the sandbox to the bot's answer to it, the requests
per Bot API method, and the bot's peak RSS. Goal: ≥ 500 updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.catalog import Catalog  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.demo import offline_bot  # noqa: E402
from bot.sandbox import Sandbox, SimGroup, SimUser  # noqa: E402
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox, zalo_id  # noqa: E402
from bot.services.areas import load_areas, parse_areas  # noqa: E402
from bot.store import Store  # noqa: E402

TOKEN = "123456:BENCH"
FIRST_ID = 500_000
OFFICER_ID = 1001
STAFF_CHAT_ID = -1001000000001
COMMUNE, HAMLET = "thong-nhat", "doc-mo"


Person = SimUser | SimZaloUser


async def conversation(person: Person, latencies: list[float], text: str) -> None:
    """One whole report; each step's latency is the time until the bot's answer to it."""

    async def step(action: Awaitable[object], expect: str) -> None:
        started = time.perf_counter()
        await action
        await person.wait_for(expect, timeout=60)
        latencies.append(time.perf_counter() - started)

    if isinstance(person, SimZaloUser):  # no buttons: keywords and numbered choices
        await step(person.send("báo tin"), "Báo tin cho công an xã")
        await step(person.choose("Trộm cắp"), "chuyện gì đã xảy ra")
        await step(person.send(text), "ở đâu")
        await step(person.choose("Bỏ qua"), "Bạn có ảnh không")
        await step(person.choose("Bỏ qua"), "Bạn muốn gửi tin thế nào")
        await step(person.choose("Ẩn danh"), "Kiểm tra lại tin báo")
        await step(person.choose("Gửi"), "Đã gửi tin báo")
        return
    await step(person.command("baotin"), "Báo tin cho công an xã")
    await step(person.press("Trộm cắp"), "chuyện gì đã xảy ra")
    await step(person.send(text), "ở đâu")
    await step(person.press("Bỏ qua"), "Bạn có ảnh không")
    await step(person.press("Bỏ qua"), "Bạn muốn gửi tin thế nào")
    await step(person.press("Ẩn danh"), "Kiểm tra lại tin báo")
    await step(person.press("Gửi"), "Đã gửi tin báo")


async def echo_conversation(person: Person, latencies: list[float], text: str) -> None:
    """The baseline's conversation: as many messages as a report's, each echoed."""
    for index in range(STEPS):
        started = time.perf_counter()
        await person.send(f"{text} #{index}")
        await person.wait_for(f"{text} #{index}", timeout=60)
        latencies.append(time.perf_counter() - started)


STEPS = 7  # inputs in one report conversation


def write_config(folder: Path, concurrent: int | None, zalo: bool = False) -> Config:
    """A config for the bench: its own database, no report limit, no quiet hours."""
    path = folder / "config.toml"
    telegram = f"concurrent_updates = {concurrent}\n" if concurrent is not None else ""
    path.write_text(
        f"[telegram]\n{telegram}\n[database]\npath = \"bench.sqlite3\"\n\n"
        "[reports]\nmax_per_hour = 1000\n\n[broadcast]\nquiet_hours = \"\"\n"
        + ("\n[zalo_bot]\npoll_timeout_seconds = 1\n" if zalo else ""),
        encoding="utf-8")
    return load_config(path)


async def prepare(config: Config, residents: int, *, areas: bool) -> None:
    """The sample commune (unless already loaded) and `residents` consenting residents."""
    store = await Store.open(config.database.path)
    try:
        if areas:
            catalog = Catalog.load(config.content.folder)
            sample = config.content.folder / "areas.sample.toml"
            await load_areas(store, parse_areas(sample, catalog), "bench")
        row = await store.db.fetchone(
            "SELECT h.id, h.commune_id FROM hamlets h JOIN communes c ON c.id = h.commune_id "
            "WHERE c.code = ? AND h.code = ?", (COMMUNE, HAMLET))
        assert row is not None, "the sample commune is not loaded"
        hamlet_id, commune_id = row
        now = store.db.now_iso()
        async with store.db.transaction() as tx:
            await tx.executemany(
                # residents who consented have written to the bot (opened_at), as at /start
                "INSERT INTO residents (telegram_id, display_name, language, commune_id, "
                "hamlet_id, consent, consent_at, consent_version, created_at, updated_at, "
                "opened_at) VALUES (?, ?, 'vi', ?, ?, 'given', ?, 'bench', ?, ?, ?)",
                [(FIRST_ID + i, f"Dân {i}", commune_id, hamlet_id, now, now, now, now)
                 for i in range(residents)])
            # and their Telegram accounts, as every person the bot has met has one (written
            # when they first wrote; without it each update would stamp a row that is not there)
            await tx.execute(
                "INSERT INTO accounts (resident_id, channel, external_id, created_at, "
                "last_seen_at) SELECT id, 'telegram', CAST(telegram_id AS TEXT), created_at, "
                "created_at FROM residents WHERE telegram_id BETWEEN ? AND ?",
                (FIRST_ID, FIRST_ID + residents - 1))
            # as many on Zalo: a person and their account
            await tx.executemany(
                "INSERT INTO residents (display_name, language, commune_id, hamlet_id, "
                "consent, consent_at, consent_version, created_at, updated_at, opened_at) "
                "VALUES (?, 'vi', ?, ?, 'given', ?, 'bench', ?, ?, ?)",
                [(f"Dân Zalo {i}", commune_id, hamlet_id, now, now, now, now)
                 for i in range(residents)])
            await tx.execute(
                "INSERT INTO accounts (resident_id, channel, external_id, created_at, "
                "last_seen_at) SELECT id, 'zalo', 'z' || id, created_at, created_at "
                "FROM residents WHERE telegram_id IS NULL AND display_name LIKE 'Dân Zalo %'")
            rows = await tx.execute_fetchall(
                "SELECT id, display_name FROM residents WHERE display_name LIKE 'Dân Zalo %'")
            await tx.executemany(
                "UPDATE accounts SET external_id = ? WHERE resident_id = ?",
                [(zalo_id(FIRST_ID + int(name.rsplit(" ", 1)[1])), rid) for rid, name in rows])
    finally:
        await store.close()


def people(sandbox: Sandbox, residents: int) -> tuple[list[SimUser], SimGroup]:
    """The simulated residents and the staff group with officer 1001 in it."""
    sandbox.world.keep_log = False
    officer = sandbox.user(OFFICER_ID, first_name="Cán bộ Hùng")
    staff = sandbox.group(STAFF_CHAT_ID, "Công an xã Thống Nhất", members=[officer])
    return [sandbox.user(FIRST_ID + i, first_name=f"Dân {i}") for i in range(residents)], staff


async def drive(
    residents: Sequence[Person], staff: SimGroup | None, rounds: int, *, echo: bool = False,
) -> tuple[float, list[float]]:
    """All conversations, `rounds` times; then wait (≤ 10 s) for every card in the staff group."""
    latencies: list[float] = []
    talk = echo_conversation if echo else conversation
    started = time.perf_counter()
    for round_ in range(rounds):
        await asyncio.gather(*(
            talk(p, latencies, f"Bench {round_}: mất xe máy trước nhà {p.id}")
            for p in residents))
    elapsed = time.perf_counter() - started
    try:
        async with asyncio.timeout(10):
            for _ in range(len(residents) * rounds if staff is not None else 0):
                assert staff is not None
                await staff.wait_for("Tin báo TB-", timeout=10)
    except TimeoutError:
        pass  # the report below shows how many arrived
    return elapsed, latencies


async def run_subprocess(config: Config, residents: int, rounds: int, channels: list[str],
                         profile: Path | None = None) -> None:
    await prepare(config, residents, areas=True)
    log_path = config.database.path.with_name("bot.log")
    async with Sandbox(keep_log=False) as sandbox, ZaloSandbox(keep_log=False) as zalo:
        sim, staff = people(sandbox, residents)
        on_zalo: list[Person] = [zalo.user(FIRST_ID + i, f"Dân {i}") for i in range(residents)]
        env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN, ANNINH_API_BASE_URL=sandbox.api_base_url,
                   ZALO_BOT_TOKEN=zalo.token, ANNINH_ZALO_BOT_API_BASE_URL=zalo.api_base_url)
        crowds = {"telegram": list[Person](sim), "zalo": on_zalo}
        for channel in channels:
            await baseline(channel, crowds[channel], rounds, env, sandbox, zalo)
        with log_path.open("wb") as log:
            profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
            process = await asyncio.create_subprocess_exec(
                sys.executable, *profiler, "-m", "bot", "run", "--config", str(config.source),
                cwd=ROOT, env=env, stdout=log, stderr=log)
            try:
                await sandbox.wait_polling(timeout=60)
                if "zalo" in channels:
                    await zalo.wait_polling(timeout=60)
                bot_cpu, bench_cpu = cpu_seconds(process.pid), time.process_time()
                before = sandbox.stats.requests.copy()
                for channel in channels:
                    cards = len(staff.inbox)
                    elapsed, latencies = await drive(crowds[channel], staff, rounds)
                    print(f"-- anninh on {channel}:")
                    report(len(latencies), elapsed, latencies, await count_reports(config),
                           len(staff.inbox) - cards)
                bot_cpu = cpu_seconds(process.pid) - bot_cpu
                bench_cpu = time.process_time() - bench_cpu
                peak = peak_rss(process.pid)
            finally:
                code = await stop(process)
        print("Telegram requests per method:",
              dict((sandbox.stats.requests - before).most_common()))
    updates = residents * rounds * STEPS * len(channels)
    print(f"CPU during the run: bot {bot_cpu:.2f} s ({bot_cpu / updates * 1000:.2f} ms an "
          f"update), bench (sandboxes + residents) {bench_cpu:.2f} s")
    print(f"bot process: peak RSS {peak}; exit code after SIGTERM {code}")
    problems = [line for line in log_path.read_text(encoding="utf-8", errors="replace")
                .splitlines() if " WARNING " in line or " ERROR " in line]
    print(f"bot log: {len(problems)} warning/error line(s)" + "".join(
        f"\n  {line[:300]}" for line in problems[:5]))
    if code != 0:
        print(log_path.read_text(encoding="utf-8", errors="replace")[-3000:], file=sys.stderr)
        raise SystemExit(1)


async def baseline(channel: str, crowd: list[Person], rounds: int, env: dict[str, str],
                   sandbox: Sandbox, zalo: ZaloSandbox) -> None:
    """The barest bot of this channel (bench/echo.py), the same people, as many messages."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bench" / "echo.py"), channel, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        await (sandbox if channel == "telegram" else zalo).wait_polling(timeout=60)
        cpu, before = cpu_seconds(process.pid), sandbox.stats.requests.copy()
        elapsed, latencies = await drive(crowd, None, rounds, echo=True)
        cpu = cpu_seconds(process.pid) - cpu
        print(f"-- baseline on {channel} (bench/echo.py, peak RSS {peak_rss(process.pid)}, "
              f"CPU {cpu:.2f} s: {cpu / len(latencies) * 1000:.2f} ms an update):")
        report(len(latencies), elapsed, latencies, None, None)
        if channel == "telegram":
            print("  requests per method:", dict((sandbox.stats.requests - before)
                                                 .most_common()))
    finally:
        await stop(process)


async def stop(process: asyncio.subprocess.Process) -> int:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(process.wait(), 30)
    except TimeoutError:
        process.kill()
        return await process.wait()


async def run_in_process(config: Config, residents: int, rounds: int) -> None:
    async with offline_bot(config) as offline:
        sandbox = offline.telegram
        # offline_bot's database, the sample commune loaded
        prepared: Config = offline.app.bot_data["config"]
        await prepare(prepared, residents, areas=False)
        sim, staff = people(sandbox, residents)
        elapsed, latencies = await drive(sim, staff, rounds)
        filed = await count_reports(prepared)
        report(len(latencies), elapsed, latencies, filed, len(staff.inbox))
        print("requests per method:", dict(sandbox.stats.requests.most_common()))
    print(f"bench process (bot, sandbox and residents): peak RSS {peak_rss(os.getpid())}")


async def count_reports(config: Config) -> int:
    store = await Store.open(config.database.path)
    try:
        return int(await store.db.scalar("SELECT count(*) FROM reports"))
    finally:
        await store.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc (Linux); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(pid: int) -> str:
    """VmHWM of a process, from /proc (Linux); "unknown" elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return f"{int(line.split()[1]) / 1024:.0f} MB"
    except OSError:
        pass
    return "unknown"


def report(updates: int, elapsed: float, latencies: list[float], filed: int | None,
           cards: int | None) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(f"updates: {updates} in {elapsed:.2f} s → {updates / elapsed:.0f} updates/s")
    worst = ordered[-1] * 1000
    print(f"latency per update: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms")
    if filed is not None:
        print(f"reports filed (all so far): {filed}; cards in the staff group: {cards}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--concurrent", type=int, default=None,
                        help="[telegram] concurrent_updates for the bot (default: the config's "
                        "default, 32; 1 handles one update at a time)")
    parser.add_argument("--channel", choices=("telegram", "zalo", "both"), default="both")
    parser.add_argument("--in-process", action="store_true",
                        help="run the bot inside the bench process (bot/demo.py offline_bot)")
    parser.add_argument("--profile", type=Path, default=None, metavar="PATH",
                        help="run the bot process under cProfile, writing the stats to PATH")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as folder:
        channels = ["telegram", "zalo"] if args.channel == "both" else [args.channel]
        config = write_config(Path(folder), args.concurrent, zalo="zalo" in channels)
        where = ("in the bench process" if args.in_process
                 else "in its own process (python -m bot run)")
        print(f"{args.residents} residents, {args.rounds} round(s), "
              f"concurrent_updates {config.telegram.concurrent_updates}, bot {where}; "
              f"{os.cpu_count()} CPU(s)")
        if args.in_process:
            asyncio.run(run_in_process(config, args.residents, args.rounds))
        else:
            asyncio.run(run_subprocess(config, args.residents, args.rounds, channels,
                                       args.profile))


if __name__ == "__main__":
    main()
