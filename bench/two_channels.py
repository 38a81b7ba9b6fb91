"""Benchmark: a 40,000-resident broadcast over Telegram and Zalo at once, the bot as deployed.

    .venv/bin/python bench/two_channels.py [--residents 40000] [--telegram-rate 300]
                                           [--zalo-rate 700] [--gongs 3] [--drain 5]
                                           [--no-kill] [--profile PATH]

The bot runs in its own process (`python -m bot run --config …`), long polling the Telegram
sandbox and the Zalo sandbox, which run here with their limits on: the Telegram sandbox's
global rate is `--telegram-rate` a second (a bucket of one second's worth), the Zalo sandbox's
`rate_per_second` is `--zalo-rate`, and the bot is configured at the same rates
(`[broadcast] rate_per_second` with `paid_broadcast = true`; `[zalo_bot] rate_per_second`).
The defaults give both channels the same minimum time: 12,000 / 300 = 28,000 / 700 = 40 s.

The database is prepared directly (bench/residents.py's district: one commune, 100 hamlets,
1,007 teams): N consenting residents who have opened the bot, 70% with only a Zalo account and
30% with only a Telegram account; team 1 has 50 members on both channels and a leader on
Telegram. Phases, in order:

0. memory baseline: a bare `python -m bot run` with Telegram alone on the same database, idle;
1. `anninh run` with both channels: its RSS at idle, then an announcement to the whole commune
   queued with `python -m bot broadcast send` (as an operator would); each channel's count,
   its minimum time (messages ÷ its limit), when its last message arrived, the total against
   the slowest channel's minimum (goal ≤ 1.05: the channels drain side by side) and messages
   received more than once, counted by the sandboxes' own event hooks (goal 0). A channel's
   minimum counts every message it carried meanwhile (the gongs, the leader's replies);
3. meanwhile (`--drain` seconds into it), the leader sounds the gong (/keng, "Phát kẻng")
   `--gongs` times through the Telegram sandbox: the time from the press to the last of the
   50 members receiving the alarm, on either channel (goal < 2 s);
4. the process's peak RSS (VmHWM, /proc) over all that (goal < 150 MB);
2. unless `--no-kill`: a second announcement, a fresh bot process killed with SIGKILL once
   about half has arrived, started again; every resident must get it exactly once (missing 0;
   duplicates at most what bot/delivery.py documents as possibly in flight).

The figures are printed in the issue's order once the phases are over.
`--profile PATH` runs phase 1's bot under cProfile (stopped with SIGTERM, so the stats are
written). Figures are noisy on a shared machine: the sandboxes and the leader (this process)
and the bot share its CPUs; the CPU time of each is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import re
import shlex
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reports import cpu_seconds  # noqa: E402
from residents import LEADER, percentile, populate  # noqa: E402

from bot.config import (  # noqa: E402
    BroadcastConfig,
    ZaloBotConfig,
    load_config,
)
from bot.ledger import FLUSH_EVERY  # noqa: E402
from bot.sandbox import Event, RateLimits, Sandbox, SimUser  # noqa: E402
from bot.sandbox.views import message_text  # noqa: E402
from bot.sandbox.zalo import ZaloEvent, ZaloSandbox, zalo_id  # noqa: E402
from bot.store import Store  # noqa: E402

TOKEN = "123456:BENCH"
COMMUNE = "dinh-quan"  # bench/residents.py's district
STAFF_CHAT_ID = -100900
TEAMS = 1007
EXTRA_MEMBERS = range(44, 55)  # team 1 has residents 2..40 (1 leads it); these make 50
MEMBERS = frozenset([*range(2, 41), *EXTRA_MEMBERS])
CHANNELS = ("telegram", "zalo")
ALARM_MARK = "KẺNG AN NINH"
STALL_SECONDS = 30.0  # no new message of a broadcast for this long: stop waiting for it


def on_telegram(resident: int) -> bool:
    """30% of the residents (resident 1, the leader, among them) have only Telegram."""
    return resident % 10 in (0, 1, 2)


def telegram_id(resident: int) -> int:
    return LEADER + resident - 1


def zalo_name(resident: int) -> str:
    return f"Cư dân {resident}"


# --- the database ---------------------------------------------------------------------------


async def prepare(database: Path, residents: int) -> dict[str, int]:
    """The district with `residents` consenting residents, 30% on Telegram and 70% on Zalo,
    each with one account; team 1 with 50 members. Returns the residents per channel."""
    store = await Store.open(database)
    try:
        await populate(store, residents, TEAMS)
        now = store.db.now_iso()
        zalo = [r for r in range(1, residents + 1) if not on_telegram(r)]
        async with store.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO memberships (team_id, resident_id, role, state, requested_at, "
                "decided_at) VALUES (1, ?, 'member', 'active', ?, ?)",
                [(r, now, now) for r in EXTRA_MEMBERS])
            # residents who consented have written to the bot, on the messenger they use
            await tx.execute("UPDATE residents SET opened_at = ?", (now,))
            await tx.executemany("UPDATE residents SET telegram_id = NULL WHERE id = ?",
                                 [(r,) for r in zalo])
            await tx.execute(
                "INSERT INTO accounts (resident_id, channel, external_id, created_at, "
                "last_seen_at) SELECT id, 'telegram', CAST(telegram_id AS TEXT), ?, ? "
                "FROM residents WHERE telegram_id IS NOT NULL", (now, now))
            await tx.executemany(
                "INSERT INTO accounts (resident_id, channel, external_id, created_at, "
                "last_seen_at) VALUES (?, 'zalo', ?, ?, ?)",
                [(r, zalo_id(telegram_id(r)), now, now) for r in zalo])
    finally:
        await store.close()
    return {"telegram": residents - len(zalo), "zalo": len(zalo)}


def outbox_states(database: Path, broadcast_id: int) -> dict[str, int]:
    """The broadcast's outbox rows by state, read beside the running bot (WAL)."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute("SELECT state, count(*) FROM outbox WHERE broadcast_id = ? "
                          "GROUP BY state", (broadcast_id,)).fetchall()
    return {str(state): int(count) for state, count in rows}


def write_config(folder: Path, name: str, *, telegram_rate: float, zalo_rate: float | None,
                 gongs: int) -> Path:
    """A config as a deployment's: the database here, the rates, no quiet hours; Zalo's
    section only when `zalo_rate` is given. Tokens and API URLs come from the environment."""
    path = folder / name
    zalo = f"\n[zalo_bot]\nrate_per_second = {zalo_rate:g}\n" if zalo_rate else ""
    path.write_text(
        '[telegram]\n\n[database]\npath = "bench.sqlite3"\n\n'
        f'[broadcast]\nrate_per_second = {telegram_rate:g}\npaid_broadcast = true\n'
        'quiet_hours = ""\n\n'
        f"[alarms]\nmax_per_hour = {gongs + 1}\n" + zalo, encoding="utf-8")
    load_config(path)  # fails here, not in the bot, if the bench wrote nonsense
    return path


# --- what the sandboxes received --------------------------------------------------------------


@dataclass
class Arrivals:
    """One broadcast's messages as the sandboxes received them."""

    marker: str
    counts: dict[str, Counter[int]] = field(
        default_factory=lambda: {c: Counter[int]() for c in CHANNELS})
    first: float = 0.0
    last: dict[str, float] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0.0))
    # every message the channel had carried (any kind) when its last one of these arrived
    through: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    # messages a second, by second since the first one
    seconds: dict[str, Counter[int]] = field(
        default_factory=lambda: {c: Counter[int]() for c in CHANNELS})

    def pace(self, channel: str) -> str:
        """The channel's messages a second over its full seconds: median and slowest."""
        seconds = self.seconds[channel]
        full = [float(seconds[s]) for s in range(max(seconds, default=0))]  # last: partial
        if not full:
            return "under a second"
        return f"median {percentile(full, 0.5):.0f}/s, slowest second {min(full):.0f}/s"

    def received(self, channel: str | None = None) -> int:
        return sum(sum(self.counts[c].values()) for c in CHANNELS if channel in (None, c))

    def reached(self) -> int:
        return sum(len(self.counts[c]) for c in CHANNELS)

    def duplicates(self, channel: str | None = None) -> int:
        return sum(n - 1 for c in CHANNELS if channel in (None, c)
                   for n in self.counts[c].values() if n > 1)


class Watch:
    """Both sandboxes' event hooks: every bot message, by channel and resident."""

    def __init__(self, residents: int) -> None:
        self.zalo_residents = {zalo_name(r): r for r in range(1, residents + 1)
                               if not on_telegram(r)}
        self.carried = dict.fromkeys(CHANNELS, 0)  # every bot message so far, groups too
        self.broadcasts: list[Arrivals] = []
        self.gong: dict[int, tuple[str, float]] | None = None  # member → (channel, arrival)
        self.gong_heard = asyncio.Event()
        self.progress = asyncio.Event()  # set on every broadcast message

    def telegram(self, event: Event) -> None:
        if event.kind != "bot_message" or event.message is None:
            return
        self.carried["telegram"] += 1
        chat = int(event.message["chat"]["id"])
        if chat > 0:
            self._seen("telegram", chat - LEADER + 1, message_text(event.message))

    def zalo(self, event: ZaloEvent) -> None:
        if event.kind != "bot_message":
            return
        self.carried["zalo"] += 1
        resident = self.zalo_residents.get(event.chat)
        if resident is not None:
            self._seen("zalo", resident, event.text)

    def _seen(self, channel: str, resident: int, text: str) -> None:
        now = time.perf_counter()
        for arrivals in self.broadcasts:
            if arrivals.marker in text:
                arrivals.counts[channel][resident] += 1
                arrivals.first = arrivals.first or now
                arrivals.seconds[channel][int(now - arrivals.first)] += 1
                arrivals.last[channel] = now
                arrivals.through[channel] = self.carried[channel]
                self.progress.set()
                return
        gong = self.gong
        if gong is not None and ALARM_MARK in text and resident in MEMBERS:
            gong.setdefault(resident, (channel, now))
            if len(gong) == len(MEMBERS):
                self.gong_heard.set()

    def expect(self, marker: str) -> Arrivals:
        arrivals = Arrivals(marker)
        self.broadcasts.append(arrivals)
        return arrivals

    async def wait_all(self, arrivals: Arrivals, residents: int) -> None:
        """Until every resident got the broadcast, or nothing new came for STALL_SECONDS."""
        while arrivals.reached() < residents:
            self.progress.clear()
            try:
                await asyncio.wait_for(self.progress.wait(), STALL_SECONDS)
            except TimeoutError:
                return


# --- the bot's process --------------------------------------------------------------------------


class BotProcess:
    """`python -m bot run --config …` with the sandboxes' tokens and URLs in its environment."""

    def __init__(self, name: str, config: Path, env: dict[str, str], log: Path) -> None:
        self.name, self.config, self.env, self.log = name, config, env, log
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, telegram: Sandbox, zalo: ZaloSandbox | None,
                    profile: Path | None = None) -> float:
        """Start it and return once it long-polls every channel (its delivery engine is
        running by then: post_init starts it before polling begins); the seconds it took."""
        polls = telegram.stats.requests["getUpdates"]
        zalo_polls = zalo.stats.requests["getUpdates"] if zalo is not None else 0
        profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
        started = time.perf_counter()
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *profiler, "-m", "bot", "run", "--config", str(self.config),
                cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = started + 60
        while (telegram.stats.requests["getUpdates"] == polls
               or (zalo is not None and zalo.stats.requests["getUpdates"] == zalo_polls)):
            if self.process.returncode is not None or time.perf_counter() > deadline:
                self.fail(f"{self.name} did not start polling")
            await asyncio.sleep(0.05)
        return time.perf_counter() - started

    def status(self, key: str) -> int:
        """A field of /proc/PID/status in kB (VmRSS, VmHWM); 0 where /proc is missing."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def cpu(self) -> float:
        """User + system CPU seconds so far, from /proc; 0 elsewhere."""
        return cpu_seconds(self.pid)

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; SIGKILL after 30 s."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 30)
        except TimeoutError:
            self.process.kill()
            return await self.process.wait()

    async def kill(self) -> None:
        """kill -9: no shutdown, nothing flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    def fail(self, why: str) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
        tail = self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{why}; the end of {self.log}:\n{tail}")


def log_problems(log: Path) -> str:
    """How many WARNING and ERROR lines the bot logged, and the first few."""
    lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
             if " WARNING " in line or " ERROR " in line]
    return f"{len(lines)} warning/error line(s)" + "".join(
        f"\n     {line[:200]}" for line in lines[:3])


def mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


async def queue_broadcast(config: Path, env: dict[str, str], text: str) -> tuple[int, float]:
    """`python -m bot broadcast send --commune … --text …`: the broadcast id, the seconds."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "broadcast", "send", "--config", str(config),
        "--commune", COMMUNE, "--text", text, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    found = re.search(r"#(\d+)", out.decode())
    if process.returncode != 0 or found is None:
        raise SystemExit(f"broadcast send failed: {out.decode()}{err.decode()}")
    return int(found.group(1)), time.perf_counter() - started


# --- the phases ---------------------------------------------------------------------------------


@dataclass
class Setup:
    folder: Path
    residents: int
    per_channel: dict[str, int]
    rates: dict[str, float]
    gongs: int
    drain: float
    env: dict[str, str]
    both: Path  # the config with both channels
    telegram_only: Path
    telegram: Sandbox
    zalo: ZaloSandbox
    watch: Watch
    leader: SimUser
    memory: tuple[int, int] = (0, 0)  # the Telegram-only bot's idle RSS and peak, kB
    figures: dict[int, list[str]] = field(default_factory=dict)  # the numbering

    def say(self, figure: int, line: str) -> None:
        """A line of a figure; printed in the figures' order once the phases are over."""
        self.figures.setdefault(figure, []).append(line)

    def print_figures(self) -> None:
        for figure in sorted(self.figures):
            print("\n".join(self.figures.pop(figure)))

    @property
    def database(self) -> Path:
        return self.folder / "bench.sqlite3"


async def memory_baseline(setup: Setup) -> tuple[int, int]:
    """A bare `python -m bot run`, Telegram alone, same database: idle RSS and its peak."""
    bot = BotProcess("the Telegram-only bot", setup.telegram_only, setup.env,
                     setup.folder / "telegram-only.log")
    await bot.start(setup.telegram, None)
    await asyncio.sleep(3)  # the scheduler's first tick, the first long poll
    rss, peak = bot.status("VmRSS"), bot.status("VmHWM")
    if await bot.stop() != 0:
        bot.fail("the Telegram-only bot did not exit cleanly")
    return rss, peak


async def sound_gongs(setup: Setup) -> list[tuple[float, float, dict[str, float]]]:
    """The leader's gongs; each: (first member, last member, each channel's last) in s."""
    watch, leader = setup.watch, setup.leader
    say3 = functools.partial(setup.say, 3)
    results = []
    for _ in range(setup.gongs):
        await leader.command("keng")
        await leader.wait_for("Việc gì", timeout=30)
        await leader.press("Trộm")
        await leader.wait_for("Phát kẻng", timeout=30)
        heard: dict[int, tuple[str, float]] = {}
        watch.gong, watch.gong_heard = heard, asyncio.Event()
        pressed = time.perf_counter()
        await leader.press("Phát kẻng")
        try:
            await asyncio.wait_for(watch.gong_heard.wait(), 30)
        except TimeoutError:
            say3(f"   ! only {len(heard)} of {len(MEMBERS)} members heard the gong in 30 s")
        watch.gong = None
        last = {c: max((t for ch, t in heard.values() if ch == c), default=pressed) - pressed
                for c in CHANNELS}
        times = [t - pressed for _, t in heard.values()] or [float("nan")]
        results.append((min(times), max(times), last))
        await leader.wait_for("Đã phát kẻng", timeout=30)
        await leader.press("Đã an toàn")
        await asyncio.sleep(2)  # the all clear goes out; the broadcast goes on
    return results


async def broadcast_with_gongs(setup: Setup, profile: Path | None) -> None:
    """Phases 1, 3 and 4 with one bot process."""
    say1, say3, say4 = (functools.partial(setup.say, figure) for figure in (1, 3, 4))
    bot = BotProcess("anninh run", setup.both, setup.env, setup.folder / "bot.log")
    await bot.start(setup.telegram, setup.zalo, profile)
    await asyncio.sleep(3)
    idle_rss, idle_peak = bot.status("VmRSS"), bot.status("VmHWM")
    arrivals = setup.watch.expect("(bench 1)")
    sent_before = setup.telegram.stats.too_many_requests, setup.zalo.stats.too_many_requests
    carried = dict(setup.watch.carried)
    bot_cpu, bench_cpu = bot.cpu(), time.process_time()
    started = time.perf_counter()
    broadcast_id, queue_seconds = await queue_broadcast(
        setup.both, setup.env, "📢 <b>Thông báo (bench 1)</b>: họp dân lúc 19:00 tại nhà văn "
        "hóa ấp. Mang theo căn cước.")
    gongs: list[tuple[float, float, dict[str, float]]] = []
    if setup.gongs:
        await asyncio.sleep(setup.drain)
        gongs = await sound_gongs(setup)
    await setup.watch.wait_all(arrivals, setup.residents)
    await asyncio.sleep(1)  # a late duplicate would show now
    bot_cpu, bench_cpu = bot.cpu() - bot_cpu, time.process_time() - bench_cpu
    peak = bot.status("VmHWM")
    states = outbox_states(setup.database, broadcast_id)
    code = await bot.stop()

    refused = (setup.telegram.stats.too_many_requests - sent_before[0],
               setup.zalo.stats.too_many_requests - sent_before[1])
    say1(f"1. Broadcast #{broadcast_id} to {setup.residents:,} residents "
         f"({setup.per_channel['telegram']:,} on Telegram, {setup.per_channel['zalo']:,} on "
         f"Zalo), queued with `python -m bot broadcast send` in {queue_seconds:.1f} s; the "
         f"first message arrived {arrivals.first - started:.1f} s after the command began")
    slowest = 0.0
    minimums = {}
    for channel in CHANNELS:
        count = arrivals.received(channel)
        others = arrivals.through[channel] - carried[channel] - count
        minimum = (count + others) / setup.rates[channel]
        minimums[channel] = minimum
        slowest = max(slowest, minimum)
        say1(f"   {channel:8} {count:6,} received (+{others} other messages meanwhile: the "
             f"gongs, the leader's replies) at {setup.rates[channel]:g}/s: minimum "
             f"{minimum:.1f} s; last one {arrivals.last[channel] - arrivals.first:.1f} s "
             f"after the first ({arrivals.pace(channel)}); 429s from the sandbox: "
             f"{refused[CHANNELS.index(channel)]}")
    total = max(arrivals.last.values()) - arrivals.first
    serial = sum(minimums.values()) / slowest
    say1(f"   total {total:.1f} s (first message → last) = {total / slowest:.3f} × the slowest "
         f"channel's minimum (goal ≤ 1.05; one channel after the other: {serial:.2f}); "
         f"from the command's start: {max(arrivals.last.values()) - started:.1f} s")
    say1(f"   received more than once: {arrivals.duplicates()} (goal 0); residents reached "
         f"{arrivals.reached():,} of {setup.residents:,}; outbox: {states}")
    say1(f"   CPU during the broadcast: bot {bot_cpu:.1f} s, bench (both sandboxes, the "
         f"leader) {bench_cpu:.1f} s over {total:.0f} s; {os.cpu_count()} CPU(s); bot log: "
         f"{log_problems(bot.log)}")
    if gongs:
        say3(f"3. The gong to team 1's {len(MEMBERS)} members "
             f"({sum(on_telegram(m) for m in MEMBERS)} on Telegram, "
             f"{sum(not on_telegram(m) for m in MEMBERS)} on Zalo) while the broadcast "
             f"drained ({setup.drain:g} s in, then one after another):")
        for index, (first, last, per_channel) in enumerate(gongs, 1):
            say3(f"   gong {index}: 'Phát kẻng' → first member {first:.2f} s, last of the "
                 f"{len(MEMBERS)} {last:.2f} s (Telegram's last {per_channel['telegram']:.2f} "
                 f"s, Zalo's last {per_channel['zalo']:.2f} s)")
        lasts = [last for _, last, _ in gongs]
        say3(f"   worst {max(lasts):.2f} s, p50 {percentile(lasts, 0.5):.2f} s (goal < 2 s)")
    base_rss, base_peak = setup.memory
    say4("4. Memory of the bot's process (VmRSS / VmHWM from /proc):")
    say4(f"   baseline, a bare `python -m bot run` with Telegram alone on the same "
         f"database, idle: RSS {mb(base_rss)}, peak {mb(base_peak)}")
    say4(f"   `anninh run` with both channels, idle before the broadcast: RSS {mb(idle_rss)}, "
         f"peak {mb(idle_peak)}")
    say4(f"   `anninh run` peak RSS through the broadcast and the gongs: {mb(peak)} "
         f"(goal < 150 MB); exit code after SIGTERM {code}")
    if code != 0:
        bot.fail("anninh run did not exit cleanly")


async def kill_and_restart(setup: Setup) -> None:
    """Phase 2: SIGKILL the bot halfway through a broadcast, start it again, count."""
    log = setup.folder / "kill.log"
    first = BotProcess("anninh run (to be killed)", setup.both, setup.env, log)
    await first.start(setup.telegram, setup.zalo)
    arrivals = setup.watch.expect("(bench 2)")
    started = time.perf_counter()
    broadcast_id, _ = await queue_broadcast(
        setup.both, setup.env, "📢 <b>Thông báo (bench 2)</b>: tuần tra đêm nay từ 22:00.")
    half = setup.residents // 2
    while arrivals.received() < half:
        setup.watch.progress.clear()
        try:
            await asyncio.wait_for(setup.watch.progress.wait(), STALL_SECONDS)
        except TimeoutError:
            first.fail(f"the broadcast stalled at {arrivals.received()} messages")
    await first.kill()
    killed_at, at_kill = time.perf_counter(), arrivals.received()
    in_db = outbox_states(setup.database, broadcast_id)
    second = BotProcess("anninh run (restarted)", setup.both, setup.env, log)
    took = await second.start(setup.telegram, setup.zalo)
    await setup.watch.wait_all(arrivals, setup.residents)
    await asyncio.sleep(2)  # the last outcomes flushed; a late duplicate would show
    states = outbox_states(setup.database, broadcast_id)
    peak = second.status("VmHWM")
    code = await second.stop()
    requeued = re.findall(r"requeued (\d+) message", log.read_text(encoding="utf-8"))
    bound = {"telegram": BroadcastConfig().concurrency + FLUSH_EVERY,
             "zalo": ZaloBotConfig().concurrency + FLUSH_EVERY}
    missing = setup.residents - arrivals.reached()
    say2 = functools.partial(setup.say, 2)
    say2(f"2. kill -9 mid-way: broadcast #{broadcast_id}; SIGKILL after {at_kill:,} messages "
         f"had arrived ({killed_at - started:.1f} s after queueing; the outbox then said "
         f"{in_db}); the new process polled {took:.1f} s later and requeued "
         f"{', '.join(requeued) or 'no'} message(s) left in flight")
    say2(f"   delivered to {arrivals.reached():,} of {setup.residents:,} residents; missing "
         f"{missing}; received more than once: {arrivals.duplicates()} (Telegram "
         f"{arrivals.duplicates('telegram')}, Zalo {arrivals.duplicates('zalo')}); "
         f"bot/delivery.py documents at most {sum(bound.values())} (concurrency + "
         f"FLUSH_EVERY per channel: Telegram {bound['telegram']}, Zalo {bound['zalo']})")
    say2(f"   outbox after the restart: {states}; all delivered "
         f"{max(arrivals.last.values()) - started:.1f} s after queueing; restarted process: "
         f"peak RSS {mb(peak)}, exit code after SIGTERM {code}; both processes' log: "
         f"{log_problems(log)}")


async def main(args: argparse.Namespace) -> None:
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]))
    with tempfile.TemporaryDirectory(prefix="anninh-bench-") as name:
        folder = Path(name)
        rates = {"telegram": args.telegram_rate, "zalo": args.zalo_rate}
        both = write_config(folder, "config.toml", telegram_rate=args.telegram_rate,
                            zalo_rate=args.zalo_rate, gongs=args.gongs)
        telegram_only = write_config(folder, "telegram-only.toml",
                                     telegram_rate=args.telegram_rate, zalo_rate=None,
                                     gongs=args.gongs)
        loaded = time.perf_counter()
        per_channel = await prepare(folder / "bench.sqlite3", args.residents)
        limits = RateLimits(global_rate=args.telegram_rate, global_burst=args.telegram_rate)
        async with (Sandbox(rate_limits=True, limits=limits, keep_log=False) as telegram,
                    ZaloSandbox(rate_per_second=args.zalo_rate, keep_log=False) as zalo):
            for resident in range(1, args.residents + 1):
                if on_telegram(resident):
                    telegram.user(telegram_id(resident), first_name=f"Cư dân {resident}")
                else:
                    zalo.user(telegram_id(resident), zalo_name(resident))
            telegram.group(STAFF_CHAT_ID, "Công an huyện (bench)")
            watch = Watch(args.residents)
            telegram.on_event(watch.telegram)
            zalo.on_event(watch.zalo)
            env = dict(os.environ, TELEGRAM_BOT_TOKEN=TOKEN,
                       ANNINH_API_BASE_URL=telegram.api_base_url, ZALO_BOT_TOKEN=zalo.token,
                       ANNINH_ZALO_BOT_API_BASE_URL=zalo.api_base_url)
            setup = Setup(folder, args.residents, per_channel, rates, args.gongs, args.drain,
                          env, both, telegram_only, telegram, zalo, watch,
                          telegram.user(telegram_id(1)))
            print(f"{args.residents:,} residents ({per_channel['telegram']:,} Telegram only, "
                  f"{per_channel['zalo']:,} Zalo only) and {TEAMS:,} teams prepared in "
                  f"{time.perf_counter() - loaded:.1f} s; sandbox limits: Telegram "
                  f"{args.telegram_rate:g}/s, Zalo {args.zalo_rate:g}/s; the bot at the same "
                  f"rates; {os.cpu_count()} CPU(s)")
            try:
                setup.memory = await memory_baseline(setup)
                await broadcast_with_gongs(setup, args.profile)
                if not args.no_kill:
                    await kill_and_restart(setup)
            finally:
                setup.print_figures()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=40_000)
    parser.add_argument("--telegram-rate", type=float, default=300.0,
                        help="the Telegram sandbox's global limit and the bot's "
                        "[broadcast] rate_per_second (messages a second)")
    parser.add_argument("--zalo-rate", type=float, default=700.0,
                        help="the Zalo sandbox's rate_per_second and the bot's "
                        "[zalo_bot] rate_per_second")
    parser.add_argument("--gongs", type=int, default=3, help="gongs during the broadcast")
    parser.add_argument("--drain", type=float, default=5.0,
                        help="seconds into the broadcast before the first gong")
    parser.add_argument("--no-kill", action="store_true",
                        help="skip the kill -9 run (figure 2)")
    parser.add_argument("--profile", type=Path, default=None, metavar="PATH",
                        help="run figure 1's bot under cProfile, writing the stats to PATH")
    asyncio.run(main(parser.parse_args()))
