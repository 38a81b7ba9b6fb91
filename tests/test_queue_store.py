# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The console's queue as the store reads it: open reports first, oldest first, then the
closed ones, latest first — two index walks that together never exceed the limit."""

from __future__ import annotations

from bot.services.container import Services
from bot.services.report_values import Action
from bot.store import Store
from bot.store.queue import QueueFilter
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    config_extra,
    services,
)
from tests.web_kit import People, file_report


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
