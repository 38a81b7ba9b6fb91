"""Benchmark: the officers' web console over HTTP, on a district's year of reports.

    .venv/bin/python bench/web.py [--reports 100000] [--residents 40000] [--requests 200]

The database is filled first, in bulk (executemany, not the chat flows): the sample commune
(content/areas.sample.toml) with 40 more hamlets, 40,000 consenting residents, and 100,000
reports spread over the last year — most of them closed, a backlog of open ones, two in three
with a shared location — each with its audit trail (filed, accepted, resolved or rejected), as
the figures read it. Then the bot starts as `anninh run` starts it — the same Application,
post_init and web server (bot/app.py), in this process, against the Telegram sandbox, with
`[web]` on a free local port — and a real HTTP client (aiohttp, one connection at a time, as a
browser tab) logs in as the sample officer through a login link and measures:

- the baseline: a vendored static file from the same server (its floor: HTTP, middlewares);
- the queue page `/` (goal p95 < 100 ms; 50 reports a page), and with a filter (a category,
  all states);
- the map's data for a year, `/map/markers.json?days=365` (goal < 300 ms);
- the figures page for a year, `/figures?days=365` (goal < 500 ms): as kept for a minute
  (bot/web/figures_cache.py), and counted afresh just after a report was filed;
- the live update: a report filed through the services as the chat files it (ReportService,
  then the report_filed event), until its event arrives on an open `/live` stream (goal < 1 s).

Prints p50/p95/max per measure, side by side with the baseline's, and whether each goal is met.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_application, running  # noqa: E402
from bot.catalog import Catalog  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.context import SERVICES_KEY  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.services.areas import load_areas, parse_areas  # noqa: E402
from bot.services.categories import Categories  # noqa: E402
from bot.services.container import Services  # noqa: E402
from bot.services.report_values import Draft, Outcome  # noqa: E402
from bot.store import Store  # noqa: E402

TOKEN = "123456:BENCH"
OFFICER = 1001  # the sample officer's Telegram id
STAFF_CHAT_ID = -1001000000001  # the sample commune's police group
FIRST_RESIDENT = 5_000_000
EXTRA_HAMLETS = 40
CENTRE = (11.07, 107.17)  # the sample commune's (content/areas.sample.toml)
OPEN_DAYS = 21  # reports of the last three weeks may still be open


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(folder: Path, api_base_url: str, port: int) -> Config:
    path = folder / "config.toml"
    path.write_text(
        f'[telegram]\napi_base_url = "{api_base_url}"\n\n[database]\npath = "bench.sqlite3"\n\n'
        '[reports]\nmax_per_hour = 100000\n\n[broadcast]\nquiet_hours = ""\n\n'
        f'[web]\nlisten = "127.0.0.1"\nport = {port}\nmap_tiles = ""\n', encoding="utf-8")
    return load_config(path)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def populate(config: Config, reports: int, residents: int) -> float:
    """The sample commune, more hamlets, the residents and a year of reports, in bulk."""
    started = time.perf_counter()
    store = await Store.open(config.database.path)
    try:
        catalog = Catalog.load(config.content.folder)
        areas = parse_areas(config.content.folder / "areas.sample.toml", catalog)
        await load_areas(store, areas, "bench")
        commune = await store.areas.commune_by_code(areas[0].code)  # the shipped sample's
        officer = await store.residents.by_telegram_id(OFFICER)
        assert commune is not None and officer is not None
        categories = list(Categories.load(config.content.folder).items)
        await _fill(store, commune.id, officer.id, categories, reports, residents)
    finally:
        await store.close()
    return time.perf_counter() - started


async def _fill(store: Store, commune_id: int, officer_id: int, categories: list[str],
                reports: int, residents: int) -> None:
    rng = random.Random(13)
    now = datetime.now(UTC)
    async with store.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO hamlets (commune_id, code, name) VALUES (?, ?, ?)",
            [(commune_id, f"bench-{h}", f"Khu phố {h}") for h in range(1, EXTRA_HAMLETS + 1)])
        hamlets = [int(row[0]) for row in await tx.execute_fetchall(
            "SELECT id FROM hamlets WHERE commune_id = ?", (commune_id,))]
        created = stamp(now - timedelta(days=400))
        await tx.executemany(
            "INSERT INTO residents (telegram_id, display_name, language, commune_id, "
            "hamlet_id, consent, consent_at, consent_version, created_at, updated_at, "
            "opened_at) VALUES (?, ?, 'vi', ?, ?, 'given', ?, 'bench', ?, ?, ?)",
            [(FIRST_RESIDENT + r, f"Cư dân {r}", commune_id, rng.choice(hamlets), created,
              created, created, created) for r in range(residents)])
        people = [int(row[0]) for row in await tx.execute_fetchall(
            "SELECT id FROM residents WHERE telegram_id >= ?", (FIRST_RESIDENT,))]
        rows, audit = [], []
        for number in range(1, reports + 1):
            age = timedelta(seconds=rng.uniform(0, 365 * 86400))
            filed = now - age
            recent = age < timedelta(days=OPEN_DAYS)
            state = rng.choices(
                ("submitted", "accepted", "assigned", "resolved", "rejected"),
                (30, 20, 10, 30, 10) if recent else (0, 0, 0, 85, 15))[0]
            located = rng.random() < 2 / 3
            latitude = CENTRE[0] + rng.gauss(0, 0.02) if located else None
            longitude = CENTRE[1] + rng.gauss(0, 0.02) if located else None
            accepted = filed + timedelta(minutes=rng.uniform(2, 240))
            closed = accepted + timedelta(hours=rng.uniform(1, 72))
            updated = closed if state in ("resolved", "rejected") else (
                accepted if state != "submitted" else filed)
            acted = stamp(accepted) if state != "submitted" else None
            rows.append((number, commune_id, rng.choice(hamlets), rng.choice(people),
                         int(rng.random() < 0.3), rng.choice(categories), "normal",
                         f"Tin báo số {number}", latitude, longitude, state, stamp(filed),
                         stamp(min(updated, now)), stamp(closed) if state == "rejected" else acted,
                         stamp(closed) if state == "resolved" else None))
            audit.append((stamp(filed), None, "resident", "report.submitted", number))
            if state != "submitted" and state != "rejected":
                audit.append((stamp(accepted), officer_id, "officer", "report.accept", number))
            if state == "resolved":
                audit.append((stamp(closed), officer_id, "officer", "report.resolve", number))
            if state == "rejected":
                audit.append((stamp(closed), officer_id, "officer", "report.reject", number))
        await tx.executemany(
            "INSERT INTO reports (id, commune_id, hamlet_id, reporter_id, anonymous, category, "
            "urgency, description, latitude, longitude, state, created_at, updated_at, "
            "first_acted_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows)
        await tx.executemany(
            "INSERT INTO audit_log (at, actor_id, actor_label, action, subject_type, "
            "subject_id) VALUES (?, ?, ?, ?, 'report', ?)", audit)
    await store.db.executescript("ANALYZE;")


async def log_in(http: aiohttp.ClientSession, services: Services, base: str) -> None:
    """Through a login link, as an officer's browser: the page, then its button."""
    officer = await services.store.residents.by_telegram_id(OFFICER)
    assert officer is not None
    issued = await services.web_auth.issue(officer, "cli")
    assert issued.token is not None
    async with http.get(f"{base}/login/{issued.token}") as response:
        page = await response.text()
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert nonce is not None, page
    async with http.post(f"{base}/login", data={"token": issued.token,
                                                 "nonce": nonce.group(1)}) as response:
        assert response.status == 200 and response.url.path == "/", response.status


async def timed(n: int, call: Callable[[], Awaitable[None]]) -> list[float]:
    await call()  # warm-up: templates compiled, pages cached by SQLite
    times = []
    for _ in range(n):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return times


def getter(http: aiohttp.ClientSession, url: str, expect: str) -> Callable[[], Awaitable[None]]:
    async def get() -> None:
        async with http.get(url) as response:
            body = await response.text()
        assert response.status == 200 and expect in body, (url, response.status, body[:300])
    return get


async def live_latency(http: aiohttp.ClientSession, services: Services, base: str,
                       n: int) -> list[float]:
    """From a report filed as the chat files it to its event on an open /live stream."""
    reporter = await services.store.residents.by_telegram_id(FIRST_RESIDENT)
    assert reporter is not None
    times = []
    async with http.get(f"{base}/live", timeout=aiohttp.ClientTimeout(total=None)) as stream:
        assert stream.status == 200
        await stream.content.readuntil(b"\n\n")  # retry:
        for number in range(n + 1):
            started = time.perf_counter()
            filed = await services.reports.file(reporter, Draft(
                "trom-cap", f"Đo trực tiếp {number}", address="Ấp Hưng Nhơn"))
            assert filed.outcome is Outcome.DONE and filed.report is not None, filed
            await services.events.report_filed(filed.report, filed.duplicate)
            wanted = f"data: {filed.report.id}\n".encode()
            while wanted not in await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5):
                pass
            if number:  # the first is the warm-up
                times.append(time.perf_counter() - started)
    return times


async def cold_figures(http: aiohttp.ClientSession, services: Services, base: str,
                       n: int) -> list[float]:
    """The figures page just after a report was filed (what the page keeps is dropped)."""
    reporter = await services.store.residents.by_telegram_id(FIRST_RESIDENT + 1)
    assert reporter is not None
    get = getter(http, f"{base}/figures?days=365", "csv")
    times = []
    for number in range(n):
        filed = await services.reports.file(reporter, Draft(
            "trom-cap", f"Đo số liệu {number}", address="Ấp Hưng Nhơn"))
        assert filed.report is not None
        await services.events.report_filed(filed.report, filed.duplicate)
        started = time.perf_counter()
        await get()
        times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def line(label: str, seconds: list[float], goal_ms: float | None = None,
         baseline: list[float] | None = None) -> str:
    ms = [s * 1000 for s in seconds]
    p95 = percentile(ms, 0.95)
    text = (f"{label:<44} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  "
            f"p95={p95:7.1f} ms  max={max(ms):7.1f} ms")
    if baseline:
        text += f"  (p50 {statistics.median(ms) / (statistics.median(baseline) * 1000):.0f}× " \
                "the baseline's)"
    if goal_ms is not None:
        text += f"  goal p95 < {goal_ms:.0f} ms: {'met' if p95 < goal_ms else 'MISSED'}"
    return text


async def main(reports: int, residents: int, requests: int) -> None:
    with tempfile.TemporaryDirectory(prefix="anninh-bench-web-") as folder:
        async with Sandbox(keep_log=False) as sandbox:
            port = free_port()
            officer = sandbox.user(OFFICER, first_name="Cán bộ Hùng")
            sandbox.group(STAFF_CHAT_ID, "Công an xã Thống Nhất", members=[officer])
            config = write_config(Path(folder), sandbox.api_base_url, port)
            load = await populate(config, reports, residents)
            print(f"database: {reports:,} reports over a year, {residents:,} residents, "
                  f"loaded in {load:.1f} s")
            base = f"http://127.0.0.1:{port}"
            async with running(build_application(config, TOKEN), poll_timeout=10) as app, \
                    aiohttp.ClientSession(
                        cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:  # an IP address
                services: Services = app.bot_data[SERVICES_KEY]
                await log_in(http, services, base)
                few = max(20, requests // 5)
                baseline = await timed(requests, getter(http, f"{base}/static/icon.svg", "svg"))
                measures = [
                    ("queue / (open reports)", await timed(
                        requests, getter(http, f"{base}/", "TB-")), 100.0),
                    ("queue /?state=all&category=trom-cap", await timed(
                        requests, getter(http, f"{base}/?state=all&category=trom-cap",
                                         "TB-")), 100.0),
                    ("map /map/markers.json?days=365", await timed(
                        few, getter(http, f"{base}/map/markers.json?days=365", "markers")),
                     300.0),
                    ("figures /figures?days=365 (kept a minute)", await timed(
                        few, getter(http, f"{base}/figures?days=365", "csv")), 500.0),
                    ("figures, just after a report was filed", await cold_figures(
                        http, services, base, few), 500.0),
                    ("live: report filed → SSE event", await live_latency(
                        http, services, base, few), 1000.0),
                ]
            print(line("baseline: GET /static/icon.svg", baseline))
            for label, seconds, goal in measures:
                print(line(label, seconds, goal, baseline))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=40_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.reports, args.residents, args.requests))
