# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The console's queue as the store reads it: open reports first, oldest first, then the
closed ones, latest first — two index walks that together never exceed the limit — and as
the page shows it, a page at a time."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.services.container import Services
from bot.services.report_values import Action
from bot.store import Store
from bot.store.queue import QueueFilter
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    services,
)
from tests.web_kit import COOKIE, People, file_report, session_of


async def test_open_reports_come_first_oldest_first_then_closed_latest_first(
    services: Services, store: Store, cast: People,
) -> None:
    reports = [await file_report(services, cast.resident) for _ in range(5)]
    for closed, action in ((reports[0], Action.RESOLVE), (reports[2], Action.RESOLVE),
                           (reports[3], Action.ACCEPT)):
        await services.triage.act(cast.officer, "Hùng", closed.id, action)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    ids = [r.id for r in reports]

    async def queue(states: tuple[str, ...] = (), limit: int = 200) -> list[int]:
        found = await store.queue.reports(QueueFilter([commune.id], states), limit)
        return [report.id for report in found]

    assert await queue() == [ids[1], ids[3], ids[4], ids[2], ids[0]]
    assert await queue(limit=4) == [ids[1], ids[3], ids[4], ids[2]]
    assert await queue(limit=2) == [ids[1], ids[3]]
    assert await queue(("resolved",)) == [ids[2], ids[0]]
    assert await queue(("accepted", "resolved")) == [ids[3], ids[2], ids[0]]
    assert await queue(("rejected",)) == []


async def test_the_queue_pages_through_open_then_closed_reports(
    services: Services, store: Store, cast: People,
) -> None:
    reports = [await file_report(services, cast.resident) for _ in range(5)]
    for closed in reports[:2]:
        await services.triage.act(cast.officer, "Hùng", closed.id, Action.RESOLVE)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    ids = [r.id for r in reports]

    async def page(offset: int, limit: int = 2) -> list[int]:
        found = await store.queue.reports(QueueFilter([commune.id]), limit, offset)
        return [report.id for report in found]

    # open: 2, 3, 4 (oldest first); closed: 1, 0 (latest first)
    assert [await page(n) for n in (0, 2, 4, 6)] == [
        [ids[2], ids[3]], [ids[4], ids[1]], [ids[0]], []]
    assert await page(3, 3) == [ids[1], ids[0]]  # the offset skips all the open ones


async def test_the_queue_page_shows_fifty_reports_a_page(
    client: TestClient, services: Services, store: Store, cast: People,
) -> None:
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    now = services.clock.now().isoformat(timespec="seconds")
    async with store.db.transaction() as tx:  # 51 open reports, in bulk
        await tx.executemany(
            "INSERT INTO reports (commune_id, category, urgency, description, created_at, "
            "updated_at) VALUES (?, 'trom-cap', 'normal', ?, ?, ?)",
            [(commune.id, f"Tin {n}", now, now) for n in range(51)])
    jar = {COOKIE: await session_of(services, cast.officer)}
    first = await (await client.get("/?category=trom-cap", cookies=jar)).text()
    assert first.count('class="code"') == 50 and "TB-000001" in first
    assert "Trang 1" in first and 'href="/?category=trom-cap&amp;page=2"' in first
    assert "Trang trước" not in first
    second = await (await client.get("/?category=trom-cap&page=2", cookies=jar)).text()
    assert second.count('class="code"') == 1 and "TB-000051" in second
    assert 'href="/?category=trom-cap&amp;page=1"' in second and "Trang sau" not in second
    for nonsense in ("0", "-1", "x", "9999999"):
        page = await client.get(f"/?page={nonsense}", cookies=jar)
        assert page.status == 200
