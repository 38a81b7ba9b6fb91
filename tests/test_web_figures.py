# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The figures page and its downloads (aiohttp's test client, a real database, no bot):
reports by category and hamlet, handling times, gongs and announcements over the period
asked for, of the officer's communes only; each table as CSV; the exports as files."""

from __future__ import annotations

import json
from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.delivery import OutMessage
from bot.models import Recipient, Report
from bot.services.container import Services
from bot.services.figures import quantile
from bot.services.report_values import Action
from bot.store import Store
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, file_report, session_of

DOWNLOADS = ("/figures/days.csv", "/figures/categories.csv", "/figures/hamlets.csv",
             "/figures/times.csv", "/figures/gongs.csv", "/figures/broadcasts.csv",
             "/exports/reports.csv",
             "/exports/reports.json", "/exports/alerts.xml")


def test_quantiles_interpolate_between_ranks() -> None:
    assert quantile([], 0.5) is None
    assert quantile([7.0], 0.9) == 7.0
    assert quantile([30.0, 10.0, 20.0], 0.5) == 20.0
    assert quantile([10.0, 20.0, 30.0, 40.0], 0.5) == 25.0
    assert quantile(list(map(float, range(1, 11))), 0.9) == 9.1


async def history(services: Services, store: Store, clock: FakeClock,
                  cast: People) -> list[Report]:
    """An old report (40 days ago), then three: one accepted after 10 minutes and resolved
    after 70, one accepted after 30, one waiting; a gong two of three answered "coming";
    an announcement to two people on Telegram, one reached."""
    old = await file_report(services, cast.resident, description="Chuyện cũ")
    clock.advance(timedelta(days=40))
    fresh = [await file_report(services, cast.resident) for _ in range(3)]
    clock.advance(timedelta(minutes=10))
    await services.triage.act(cast.officer, "Hùng", fresh[0].id, Action.ACCEPT)
    clock.advance(timedelta(minutes=20))
    await services.triage.act(cast.officer, "Hùng", fresh[1].id, Action.ACCEPT)
    clock.advance(timedelta(minutes=40))
    await services.triage.act(cast.officer, "Hùng", fresh[0].id, Action.RESOLVE)
    hung_loc = await store.areas.commune_by_code("hung-loc")
    assert hung_loc is not None
    now = clock.now().isoformat()
    async with store.db.transaction() as tx:
        members = [await store.residents.ensure(tx, 5000 + n) for n in range(3)]
        alarm = await store.alarms.create(
            tx, members, commune_id=hung_loc.id, caller_id=cast.officer.id,
            caller_role="officer", caller_name="Hùng", scope_kind="commune",
            scope_id=hung_loc.id, scope_name="Xã Hưng Lộc", kind="trom", note=None,
            sent_at=now, expires_at=now)
        for member in members[:2]:
            await store.alarms.respond(tx, alarm, member, "coming", now)
    await services.delivery.enqueue(
        "announcement", OutMessage(text="Họp tổ tối nay"),
        [Recipient(members[0], 5000), Recipient(members[1], 5001)],
        commune_id=hung_loc.id, origin="test")
    async with store.db.transaction() as tx:
        await tx.execute("UPDATE outbox SET state = 'sent' WHERE chat_id = 5000")
    return [old, *fresh]


async def test_the_officer_reads_the_figures_of_the_period(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    old, *_ = await history(services, store, clock, cast)
    jar = {COOKIE: await session_of(services, cast.officer)}
    answer = await client.get("/figures", cookies=jar)
    page = await answer.text()
    assert answer.status == 200 and "30 ngày qua" in page
    categories = await (await client.get("/figures/categories.csv", cookies=jar)).text()
    assert categories.startswith("\ufeffLoại tin,Số tin,Đang mở,Đã xử lý,Từ chối\r\n")
    assert "Trộm cắp,3,2,1,0" in categories  # the old report is out of the period
    times = await (await client.get("/figures/times.csv", cookies=jar)).text()
    assert "Từ lúc báo đến lúc tiếp nhận,2,20,28" in times  # 10 and 30 min: p90 = 28
    assert "Từ lúc báo đến lúc xử lý xong,1,70,70" in times
    gongs = await (await client.get("/figures/gongs.csv", cookies=jar)).text()
    assert ",1,3,2,67%" in gongs
    sent = await (await client.get("/figures/broadcasts.csv", cookies=jar)).text()
    assert "Telegram,1,2,1,0,0" in sent
    hamlets = await (await client.get("/figures/hamlets.csv?days=365", cookies=jar)).text()
    assert ",4,3,1,0" in hamlets  # a year: the old report too
    days = await (await client.get("/figures/days.csv", cookies=jar)).text()
    assert days.startswith("\ufeffNgày,Số tin,Đang mở,Đã xử lý,Từ chối\r\n")
    assert days.count("\r\n") == 1 + 31  # every day of the period, a quiet one as 0
    assert "04/12,0,0,0,0\r\n" in days and days.endswith("03/01,3,2,1,0\r\n")
    months = await (await client.get("/figures/days.csv?days=365", cookies=jar)).text()
    assert months.startswith("\ufeffTháng,") and months.count("\r\n") == 1 + 13
    assert "11/2026,1,1,0,0\r\n" in months and months.endswith("01/2027,3,2,1,0\r\n")
    weeks = await (await client.get("/figures/days.csv?days=90", cookies=jar)).text()
    assert weeks.startswith("\ufeffTuần bắt đầu,") and "23/11,1,1,0,0\r\n" in weeks
    assert '"values": [' in page and "Tin báo theo ngày" in page  # the chart's data
    for table in ("Tin báo theo loại", "Tin báo theo ấp", "Thời gian xử lý", "Kẻng an ninh",
                  "Thông báo theo ứng dụng"):
        assert table in page

    exported = json.loads(await (await client.get("/exports/reports.json", cookies=jar)).text())
    assert len(exported) == 3 and old.code not in {r["service_request_id"] for r in exported}
    yearly = await client.get("/exports/reports.csv?days=365", cookies=jar)
    assert yearly.headers["Content-Disposition"] == 'attachment; filename="reports-365d.csv"'
    assert old.code in await yearly.text()
    alerts = await (await client.get("/exports/alerts.xml", cookies=jar)).text()
    assert alerts.count("<alert>") == 1 and "anninh@hung-loc" in alerts
    assert (await client.get("/figures/nothing.csv", cookies=jar)).status == 404
    assert "30 ngày qua" in await (await client.get("/figures?days=12", cookies=jar)).text()


async def test_nobody_but_the_commune_s_officer_reads_its_figures(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    reports = await history(services, store, clock, cast)
    for who, token in (await cookies(services, store, clock, cast)).items():
        jar = {COOKIE: token} if token else {}
        for path in ("/figures", *DOWNLOADS):
            answer = await client.get(path, cookies=jar)
            body = await answer.text()
            if who == "other commune":  # their own commune's figures: none of Hưng Lộc's
                assert answer.status == 200, path
                assert "Trộm cắp" not in body and "hung-loc" not in body, path
                assert not any(r.code in body for r in reports), path
            else:
                assert answer.status == 401, (who, path)


async def test_the_tables_are_kept_a_minute_and_dropped_when_a_report_moves(
    client: TestClient, services: Services, clock: FakeClock, cast: People,
) -> None:
    jar = {COOKIE: await session_of(services, cast.officer)}

    async def thefts() -> str:
        table = await (await client.get("/figures/categories.csv", cookies=jar)).text()
        return next(line for line in table.splitlines() if line.startswith("Trộm cắp"))

    first = await file_report(services, cast.resident)
    assert await thefts() == "Trộm cắp,1,1,0,0"
    await file_report(services, cast.resident)  # stored, but nobody told: still kept
    assert await thefts() == "Trộm cắp,1,1,0,0"
    clock.advance(timedelta(seconds=61))
    assert await thefts() == "Trộm cắp,2,2,0,0"  # the minute is over
    third = await file_report(services, cast.resident)
    await services.events.report_filed(third, None)  # as the chat tells it
    assert await thefts() == "Trộm cắp,3,3,0,0"
    await services.triage.act(cast.officer, "Hùng", first.id, Action.RESOLVE)  # tells it too
    assert await thefts() == "Trộm cắp,3,2,1,0"
