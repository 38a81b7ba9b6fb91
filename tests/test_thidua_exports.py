"""The thi đua lists for meetings: `anninh export commendations --format html`, a printable
A4 page with the commune, the period, the people and teams and what earned it, and the police
chief's signature lines — the same data and anonymity rule as the CSV."""

from __future__ import annotations

import asyncio

import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.models import Resident
from bot.services.categories import Categories
from bot.services.points import PATROL_DONE, REPORT_ACCEPTED, PointsService, load_rules
from bot.services.report_values import Draft
from bot.services.reports import ReportService
from bot.services.residents import ResidentService
from bot.store import Store
from tests.helpers import media_service


async def person(store: Store, config: Config, telegram_id: int, name: str,
                 team: str | None = "HN01") -> Resident:
    """A consenting resident with this name, in this team."""
    residents = ResidentService(store, Catalog.load(config.content.folder),
                                media_service(store, config))
    resident = await residents.give_consent(await residents.ensure(telegram_id), "v1", name,
                                            "vi")
    found = None if team is None else await store.areas.team_by_join_code(team)
    if found is not None:
        async with store.db.transaction() as tx:
            await store.memberships.add(tx, found.id, resident.id, "member", "active")
    return resident


async def test_the_printable_commendations_list(
    store: Store, config: Config, clock: FakeClock, capsys: pytest.CaptureFixture[str],
) -> None:
    points = PointsService(store, clock, config.locale.tz, load_rules(config.content.folder))
    reports = ReportService(store, config.reports, clock, Categories.load(config.content.folder))
    lan = await person(store, config, 3401, "Lan <Nguyễn>")
    hoa = await person(store, config, 3402, "Hoa Ẩn Danh")
    named = await reports.file(lan, Draft("trom-cap", "Mất xe", anonymous=False))
    hidden = await reports.file(hoa, Draft("trom-cap", "Lạ mặt", anonymous=True))
    assert named.report is not None and hidden.report is not None
    await points.award(lan.id, REPORT_ACCEPTED, "report", named.report.id)
    await points.award(lan.id, PATROL_DONE, "patrol", 1)
    await points.award(hoa.id, REPORT_ACCEPTED, "report", hidden.report.id)  # anonymous

    assert await asyncio.to_thread(main, [
        "export", "commendations", "--period", "2026-Q4", "--format", "html",
        "--commune", "hung-loc", "--config", str(config.source)]) == 0
    page = capsys.readouterr().out
    assert page.startswith("<!doctype html>") and "@page { size: A4" in page
    assert "<script" not in page and "http" not in page.split("</head>")[0]  # standalone
    assert "Công an Xã Hưng Lộc" in page and "DANH SÁCH" not in page  # CSS makes it upper
    assert "Danh sách đề nghị khen thưởng" in page
    assert "kỳ 2026-Q4 (từ 01/10/2026 đến 31/12/2026)" in page
    people = page.split('class="people"')[1].split("</table>")[0]
    assert "Lan &lt;Nguyễn&gt;" in people and "Lan <Nguyễn>" not in page  # escaped
    assert "1 ca tuần tra được tổ trưởng xác nhận; 1 tin báo được tiếp nhận" in people
    assert "<td class=\"num\">15</td>" in people
    teams = page.split('class="teams"')[1].split("</table>")[0]
    assert "Tổ an ninh nhân dân số 1" in teams and "<td class=\"num\">15</td>" in teams
    assert "Hoa" not in page  # an anonymous report puts nobody on the list, nor in a total
    assert "TRƯỞNG CÔNG AN XÃ" in page and "(Ký, ghi rõ họ tên, đóng dấu)" in page

    assert await asyncio.to_thread(main, [
        "export", "commendations", "--period", "2027-01", "--format", "html",
        "--config", str(config.source)]) == 0
    empty = capsys.readouterr().out
    assert empty.count("Không có.") == 2 and "Lan" not in empty
    assert await asyncio.to_thread(main, [
        "export", "commendations", "--period", "2026-Q4", "--format", "html",
        "--commune", "nowhere", "--config", str(config.source)]) == 1
    assert "no commune 'nowhere'" in capsys.readouterr().err
