"""Thi đua points: given only once an officer verified the report, once per thing, capped a
day, seen by the reporter alone (anonymous reports included), gone with the person's data."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.sandbox import SimGroup, SimUser
from bot.services.categories import Categories
from bot.services.points import GONG_CAME, REPORT_ACCEPTED, PointsService, load_rules
from bot.services.report_values import Draft
from bot.services.reports import ReportService
from bot.store import Store
from tests.people import People
from tests.test_report_service import _resident
from tests.test_resident_stories import file_report

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_an_anonymous_reporter_earns_points_only_they_see(
    people: People, store: Store, staff_group: SimGroup, officer: SimUser,
) -> None:
    lan = people(3301, "Lan")
    await lan.onboard()
    code = await file_report(lan, anonymous=True)
    card = await staff_group.wait_for(code)
    await lan.command("diem")
    await lan.wait_for("chưa có điểm thi đua")  # filed is not verified: nothing yet
    await officer.press("Tiếp nhận", chat=staff_group)
    await lan.wait_for("đã được công an xã tiếp nhận")
    await officer.press("Đã xử lý", chat=staff_group)
    await lan.wait_for("đã được xử lý")
    await lan.command("diem")
    mine = await lan.wait_for("Điểm thi đua của bạn")
    assert "Tháng này: 15" in mine.text and "Tất cả: 15" in mine.text
    assert f"+5 — Tin {code} được công an xã tiếp nhận" in mine.text
    assert f"+10 — Tin {code} đã được xử lý xong" in mine.text
    assert "thi đua" not in card.text and "+5" not in card.text  # the card: nothing of points


async def test_a_rejected_report_earns_nothing(
    people: People, store: Store, staff_group: SimGroup, officer: SimUser,
) -> None:
    minh = people(3302, "Minh")
    await minh.onboard()
    code = await file_report(minh, anonymous=False)
    await staff_group.wait_for(code)
    await officer.press("Từ chối", chat=staff_group)
    await staff_group.wait_for(predicate=lambda m: "Thiếu thông tin" in m.labels)
    await officer.press("Thiếu thông tin", chat=staff_group)
    await minh.wait_for("không được tiếp nhận")
    await minh.command("diem")
    await minh.wait_for("chưa có điểm thi đua")


async def test_once_per_thing_a_daily_cap_and_gone_with_the_person(
    store: Store, config: Config, clock: FakeClock,
) -> None:
    service = PointsService(store, clock, config.locale.tz, load_rules(config.content.folder))
    async with store.db.transaction() as tx:
        person = await store.residents.ensure(tx, 3303)
    assert await service.award(person, REPORT_ACCEPTED, "report", 1)
    assert not await service.award(person, REPORT_ACCEPTED, "report", 1)  # the same report
    assert await service.award(person, REPORT_ACCEPTED, "report", 2)
    assert await service.award(person, REPORT_ACCEPTED, "report", 3)
    assert not await service.award(person, REPORT_ACCEPTED, "report", 4)  # three a day
    clock.advance(timedelta(days=1))
    assert await service.award(person, REPORT_ACCEPTED, "report", 4)  # a new day
    _, total, awards = await service.mine(person)
    assert total == 20 and len(awards) == 4
    resident = await store.residents.get(person)
    assert resident is not None
    async with store.db.transaction() as tx:
        await store.erasure.forget(tx, person, lambda text: text)
    assert await store.db.scalar("SELECT count(*) FROM points") == 0


async def test_an_officer_thanks_an_anonymous_reporter_without_learning_who(
    people: People, store: Store, staff_group: SimGroup, officer: SimUser,
) -> None:
    """"Khen" after "Đã xử lý": the reporter is thanked and earns points, once; the officer's
    screen never names them, and the audit holds the report, not the person."""
    hoa = people(3304, "Hoa")
    await hoa.onboard()
    code = await file_report(hoa, anonymous=True)
    await staff_group.wait_for(code)
    await officer.press("Đã xử lý", chat=staff_group)
    await staff_group.wait_for("Kết quả thế nào")
    await officer.press("Khen người báo tin", chat=staff_group)
    thanked = await hoa.wait_for("Công an xã cảm ơn bạn")
    assert code in thanked.text
    done = await staff_group.wait_for("Kết quả thế nào")  # thanking is not offered again
    assert "🏅 Khen người báo tin" not in done.labels and "Hoa" not in done.text
    replayed = await officer.press_data(f"tr:khen:{int(code[3:])}", chat=staff_group)
    assert (await officer.answer_for(replayed)).show_alert  # once
    await hoa.command("diem")
    mine = await hoa.wait_for("Điểm thi đua của bạn")
    assert f"+20 — Công an xã khen tin {code}" in mine.text and "Tất cả: 35" in mine.text
    entries = [e for e in await store.audit.entries("report", int(code[3:]))
               if e.action == "report.commend"]
    person = await hoa.resident_id(store)
    assert len(entries) == 1 and str(person) not in entries[0].detail


async def test_the_honour_board_names_only_who_chose_and_counts_no_anonymous_report(
    people: People, store: Store, staff_group: SimGroup, officer: SimUser,
) -> None:
    """Lan (named report, on the board by choice), Hoa (anonymous report, on the board too)
    and Minh (named report, not on the board), all of HN01's team."""
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    filed = {}
    for number, name, anonymous in ((3311, "Lan", False), (3312, "Hoa", True),
                                     (3313, "Minh", False)):
        person = people(number, name)
        await person.onboard()
        resident = await person.resident_id(store)
        assert resident is not None
        async with store.db.transaction() as tx:
            await store.memberships.add(tx, team.id, resident, "member", "active")
        code = await file_report(person, anonymous=anonymous)
        await staff_group.wait_for(code)
        await officer.press("Tiếp nhận", chat=staff_group)
        await person.wait_for("đã được công an xã tiếp nhận")
        filed[name] = person
    for name in ("Lan", "Hoa"):
        await filed[name].command("caidat")
        await filed[name].wait_for("Bảng vàng: không có tên bạn")
        await filed[name].choose("Hiện tên tôi trên bảng vàng")
        await filed[name].wait_for("Bảng vàng: 🏅 có tên bạn")
    await filed["Minh"].command("bangvang")
    board = await filed["Minh"].wait_for("Bảng vàng Xã Hưng Lộc")
    month = board.text.split("Quý này")[0]
    assert "Tổ an ninh nhân dân số 1 — 10 điểm" in month  # Lan's and Minh's, not Hoa's
    assert "Lan — 5 điểm" in month
    assert "Hoa" not in board.text and "Minh" not in board.text.split("Người dân:")[1]


async def test_the_commendations_export_lists_named_contributions_by_period(
    store: Store, config: Config, clock: FakeClock, capsys: pytest.CaptureFixture[str],
) -> None:
    """An anonymous report's points stay the reporter's: they put nobody on the list."""
    service = PointsService(store, clock, config.locale.tz, load_rules(config.content.folder))
    reports = ReportService(store, config.reports, clock,
                            Categories.load(config.content.folder))
    lan = await _resident(store, config, 3321)
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    async with store.db.transaction() as tx:
        await store.memberships.add(tx, team.id, lan.id, "member", "active")
    named = await reports.file(lan, Draft("trom-cap", "Mất xe", anonymous=False))
    hidden = await reports.file(lan, Draft("trom-cap", "Lạ mặt", anonymous=True))
    assert named.report is not None and hidden.report is not None
    await service.award(lan.id, REPORT_ACCEPTED, "report", named.report.id)
    await service.award(lan.id, REPORT_ACCEPTED, "report", hidden.report.id)
    await service.award(lan.id, GONG_CAME, "alarm", 1)
    assert await asyncio.to_thread(main, ["export", "commendations", "--period", "2026-Q4",
                                          "--config", str(config.source)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        {"kind": "person", "name": "Hà", "teams": "Tổ an ninh nhân dân số 1", "points": "15",
         "earned_by": "1 lần đến hỗ trợ khi có kẻng; 1 tin báo được tiếp nhận",
         "period": "2026-Q4"},
        {"kind": "team", "name": "Tổ an ninh nhân dân số 1", "teams": "", "points": "15",
         "earned_by": "", "period": "2026-Q4"},
    ]
    assert await asyncio.to_thread(main, ["export", "commendations", "--period", "2026-11",
                                          "--config", str(config.source)]) == 0
    assert "Hà" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["export", "commendations", "--period", "2027",
                                          "--config", str(config.source)]) == 0
    assert "Hà" not in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["export", "commendations", "--period", "2026-Q5",
                                          "--config", str(config.source)]) != 0
