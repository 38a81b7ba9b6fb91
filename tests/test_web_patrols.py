# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""A team's patrol log on its page in the console (aiohttp's test client, a real database):
the month's shifts, who came, where they started, who the leader confirmed, who missed; the
same rows as `anninh export patrols` as a CSV; only for an officer of the team's commune."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.services.container import Services
from bot.services.patrol_times import Window
from bot.store import Store
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    cookies,
    services,
)
from tests.web_kit import COOKIE, People, person, session_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_the_officer_reads_a_team_s_patrols_of_the_month(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
) -> None:
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    leader = await person(services, services.config, 2001, "Tổ trưởng Bình")
    mai = await person(services, services.config, 4101, "Trần Thị Mai")
    for member in (cast.resident, mai):
        await services.teams.request_join(member, "HN01")
        await services.teams.decide(leader, team.id, member.id, approve=True)
    evening = datetime(2026, 11, 24, 20, 0, tzinfo=TZ)  # the clock: 08:00 that day
    planned = await services.patrols.plan(
        leader, team.id, Window(evening, evening + timedelta(hours=2), weekly=False), None,
        "Đường liên ấp → chợ")
    assert planned is not None
    [shift] = await services.patrols.upcoming(team.id)
    clock.set(evening + timedelta(minutes=5))
    await services.patrols.check_in(cast.resident, shift.id)
    await services.patrols.set_place(cast.resident, shift.id, "cổng chợ", None)
    clock.advance(timedelta(minutes=90))
    await services.patrols.check_out(cast.resident, shift.id)
    assert await services.patrol_leader.confirm(leader, shift.id, cast.resident.id)
    clock.advance(timedelta(hours=1))  # the shift is over: Mai missed it

    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get(f"/teams/{team.id}", cookies=jar)).text()
    assert "Tuần tra tháng 11/2026" in page
    came = page.split('data-status="came"')[1].split("</tr>")[0]
    assert "Nguyễn Văn Hà" in came and "cổng chợ" in came and "tổ trưởng đã xác nhận" in came
    assert "20:05" in came and "21:35" in came
    missed = page.split('data-status="missed"')[1].split("</tr>")[0]
    assert "Trần Thị Mai" in missed and "Vắng" in missed
    assert f'href="/teams/{team.id}/patrols.csv?month=2026-11"' in page
    december = await (await client.get(f"/teams/{team.id}?month=2026-12", cookies=jar)).text()
    assert "Không có ca tuần tra nào trong tháng này" in december

    answer = await client.get(f"/teams/{team.id}/patrols.csv?month=2026-11", cookies=jar)
    assert answer.status == 200
    assert 'filename="patrols-hn-01-2026-11.csv"' in answer.headers["Content-Disposition"]
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(
        (await answer.text()).lstrip("\ufeff")))}
    assert rows["Nguyễn Văn Hà"]["status"] == "came" and rows["Trần Thị Mai"]["status"] == "missed"
    assert rows["Nguyễn Văn Hà"]["place"] == "cổng chợ" and rows["Nguyễn Văn Hà"]["confirmed"]

    stranger = {COOKIE: await session_of(services, cast.stranger_officer)}  # Phú Hội
    for path in (f"/teams/{team.id}", f"/teams/{team.id}/patrols.csv?month=2026-11"):
        assert (await client.get(path, cookies=stranger)).status == 404, path
        assert (await client.get(path)).status in (302, 303, 401), path
