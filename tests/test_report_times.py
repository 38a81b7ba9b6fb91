# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""When a report was first acted on and first resolved: kept on the report by each state
change (once: a reopened report keeps its first times), filled from the audit log for the
reports older than the columns (migration 0034), and read by the figures' handling times."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.services.container import Services
from bot.services.report_values import Action
from bot.store import Store
from bot.store.migrations import migrate
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    config_extra,
    services,
)
from tests.web_kit import People, file_report


async def times_of(store: Store, report_id: int) -> tuple[str | None, str | None]:
    row = await store.db.fetchone(
        "SELECT first_acted_at, resolved_at FROM reports WHERE id = ?", (report_id,))
    assert row is not None
    return row[0], row[1]


async def test_a_report_keeps_its_first_action_and_first_resolution(
    services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    report = await file_report(services, cast.resident)
    assert await times_of(store, report.id) == (None, None)
    clock.advance(timedelta(minutes=10))
    accepted = clock.now().isoformat(timespec="seconds")
    await services.triage.act(cast.officer, "Hùng", report.id, Action.ACCEPT)
    clock.advance(timedelta(minutes=60))
    resolved = clock.now().isoformat(timespec="seconds")
    await services.triage.act(cast.officer, "Hùng", report.id, Action.RESOLVE)
    clock.advance(timedelta(days=2))
    await services.triage.act(cast.officer, "Hùng", report.id, Action.REOPEN)
    await services.triage.act(cast.officer, "Hùng", report.id, Action.RESOLVE)
    assert await times_of(store, report.id) == (accepted, resolved)
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    durations = await store.figures.durations([commune.id], "2000-01-01T00:00:00+00:00")
    assert [round(m) for m in durations.to_accept] == [10]
    assert [round(m) for m in durations.to_resolve] == [70]


async def test_reports_older_than_the_columns_get_their_times_from_the_audit_log(
    services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    report = await file_report(services, cast.resident)
    clock.advance(timedelta(minutes=5))
    await services.triage.act(cast.officer, "Hùng", report.id, Action.REJECT, note="info")
    waiting = await file_report(services, cast.resident)
    expected = await times_of(store, report.id)
    assert expected[0] is not None and expected[1] is None
    # The database as it was before migration 0034: no columns, nothing recorded.
    await store.db.executescript(
        "DROP INDEX reports_figures; DROP INDEX reports_times; "
        "ALTER TABLE reports DROP COLUMN first_acted_at; "
        "ALTER TABLE reports DROP COLUMN resolved_at; "
        "DELETE FROM schema_migrations WHERE version = 34;")
    assert [m.version for m in await migrate(store.db)] == [34]
    assert await times_of(store, report.id) == expected
    assert await times_of(store, waiting.id) == (None, None)
