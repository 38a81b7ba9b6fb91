"""The yearly "An toàn về an ninh, trật tự" review: a household commits through /camket
(/pledge) on Telegram and on Zalo — once a household and once a person a year — and
`anninh export review --year` gives the year's figures per hamlet, as CSV and a printable
page."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.services.areas import AreasFileError, parse_areas
from bot.services.categories import Categories
from bot.services.report_values import Action, Draft
from bot.services.review import CommitmentService, household_key
from bot.store import Store
from tests.helpers import CONTENT, SAMPLE_AREAS, services_of
from tests.people import People
from tests.test_thidua_exports import person


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_household_commits_once_a_year(
    bot: AnninhApp, people: People, store: Store,
) -> None:
    lan = people(3501, "Lan")
    await lan.onboard()  # of Ấp Hưng Nhơn: the hamlet is not asked again
    await lan.command("camket")
    await lan.wait_for("Gõ số nhà hoặc địa chỉ của hộ")
    await lan.send("Số 12, đường liên ấp")
    summary = await lan.wait_for("Đăng ký cam kết này?")
    assert "Hộ: Số 12, đường liên ấp, Ấp Hưng Nhơn" in summary.text
    assert summary.labels == ["✅ Cam kết", "Hủy"]
    await lan.choose("Cam kết")
    await lan.wait_for("Đã ghi nhận cam kết của hộ Số 12, đường liên ấp, Ấp Hưng Nhơn năm 2026")
    await lan.command("camket")  # once a person a year
    await lan.wait_for("đã đăng ký cam kết năm 2026")

    hoa = people(3502, "Hoa")  # the same household, written another way
    await hoa.onboard()
    await hoa.command("camket")
    await hoa.wait_for("Gõ số nhà hoặc địa chỉ của hộ")
    await hoa.send("so 12 duong lien ap")
    await hoa.wait_for("Đăng ký cam kết này?")
    await hoa.choose("Cam kết")
    await hoa.wait_for("đã có cam kết năm 2026: mỗi hộ chỉ cần một lần")
    assert await store.db.scalar("SELECT count(*) FROM household_commitments") == 1
    entries = [e for e in await store.audit.entries("hamlet") if e.action == "household.committed"]
    assert len(entries) == 1 and "12" not in entries[0].detail  # the log keeps no address

    await hoa.command("menu")  # the resident menu lists it
    assert "Cam kết an toàn về an ninh, trật tự của hộ" in (
        await hoa.wait_for("Bạn muốn làm gì")).labels
    await hoa.choose("Cam kết an toàn về an ninh")
    await hoa.wait_for("Gõ số nhà hoặc địa chỉ của hộ")
    await hoa.send_sticker()  # not an address
    await hoa.wait_for("Vui lòng gõ số nhà hoặc địa chỉ của hộ")
    await hoa.command("huy")
    await hoa.wait_for("chưa đăng ký cam kết")


async def test_without_a_hamlet_the_resident_chooses_one_and_english_works(
    bot: AnninhApp, people: People, store: Store,
) -> None:
    minh = people(3503, "Minh")
    await minh.onboard(hamlet="Để sau")
    await minh.command("pledge")
    ask = await minh.wait_for("Hộ của bạn ở ấp nào?")
    assert sorted(ask.labels) == ["Ấp Dầu Giây", "Ấp Hưng Hiệp", "Ấp Hưng Nhơn"]
    await minh.choose("Ấp Hưng Hiệp")
    await minh.wait_for("Ấp Hưng Hiệp")
    await minh.send("Tổ 3, nhà 45")
    await minh.wait_for("Đăng ký cam kết này?")
    await minh.choose("Cam kết")
    await minh.wait_for("Đã ghi nhận cam kết của hộ Tổ 3, nhà 45, Ấp Hưng Hiệp")
    resident = await minh.resident_id(store)
    assert resident is not None
    async with store.db.transaction() as tx:  # the commitment goes with the person's data
        await store.erasure.forget(tx, resident, lambda text: text)
    assert await store.db.scalar("SELECT count(*) FROM household_commitments") == 0


def test_a_hamlet_s_households_come_from_the_areas_file(tmp_path: Path) -> None:
    catalog = Catalog.load(CONTENT)
    spec = parse_areas(SAMPLE_AREAS, catalog)
    counts = {h.code: h.households for h in spec[0].hamlets}
    assert counts == {"hung-nhon": 420, "hung-hiep": 380, "dau-giay": None}
    bad = tmp_path / "areas.toml"
    bad.write_text(SAMPLE_AREAS.read_text(encoding="utf-8").replace(
        "households = 420", 'households = "nhiều"'), encoding="utf-8")
    with pytest.raises(AreasFileError, match=r"hung-nhon.*households must be a whole number"):
        parse_areas(bad, catalog)


def test_the_same_household_written_two_ways_is_one() -> None:
    assert household_key("Số 12, Đường Liên Ấp") == household_key("so 12 duong lien ap")
    assert household_key("12") != household_key("21")


async def test_the_year_s_figures_per_hamlet(
    bot: AnninhApp, store: Store, config: Config, clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = services_of(bot)
    commune = await store.areas.commune_by_code("hung-loc")
    nhon = await store.areas.hamlet_by_code(commune.id if commune else 0, "hung-nhon")
    assert commune is not None and nhon is not None and nhon.households == 420
    officer = await person(store, config, 1001, "Hùng", team=None)
    lan = await person(store, config, 3511, "Lan")
    hoa = await person(store, config, 3512, "Hoa")
    commitments = CommitmentService(store, clock, config.locale.tz)
    for resident, household in ((lan, "Số 1"), (hoa, "Số 2")):
        assert resident.commune_id == commune.id  # the deployment's one commune
        assert (await commitments.commit(resident, nhon.id, household)).value == "done"

    mine = await services.residents.export(lan)  # the person's data shows it (/dulieu)
    assert mine["household_commitments"] == [
        {"year": 2026, "hamlet": "Ấp Hưng Nhơn", "household": "Số 1"}]
    reports = services.reports
    theft = await reports.file(lan, Draft("trom-cap", "Mất xe", anonymous=False,
                                          address="chợ Ấp Hưng Nhơn"))
    fight = await reports.file(hoa, Draft("danh-nhau", "Ẩu đả", anonymous=True,
                                          address="Ấp Hưng Nhơn"))
    nowhere = await reports.file(lan, Draft("trom-cap", "Mất gà", anonymous=False))
    assert theft.report and fight.report and nowhere.report
    await services.triage.act(officer, "Hùng", theft.report.id, Action.RESOLVE)
    await services.triage.act(officer, "Hùng", fight.report.id, Action.REJECT,
                              note="Thiếu thông tin")

    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    now = clock.now()
    async with store.db.transaction() as tx:
        for offset, checked, cancelled in ((1, True, False), (2, False, False), (3, True, True)):
            starts = (now - timedelta(days=offset)).isoformat()
            shift = await store.patrols.add_shift(tx, team.id, starts, starts, None, [lan.id],
                                                  None)
            assert shift is not None
            if checked:
                await store.patrols.check_in(tx, shift, lan.id, starts)
            if cancelled:
                await store.patrols.cancel_shift(tx, shift, starts)
        sent = now.isoformat()
        for scope_kind, scope_id in (("team", team.id), ("commune", commune.id)):
            alarm = await store.alarms.create(
                tx, [lan.id, hoa.id], commune_id=commune.id, caller_id=officer.id,
                caller_role="officer", caller_name="Hùng", scope_kind=scope_kind,
                scope_id=scope_id, scope_name="x", kind="trom", note=None, sent_at=sent,
                expires_at=sent)
            await store.alarms.respond(tx, alarm, lan.id, "coming", sent)
        last_year = datetime(2025, 6, 1, tzinfo=UTC).isoformat()
        old = await store.alarms.create(
            tx, [lan.id], commune_id=commune.id, caller_id=officer.id, caller_role="officer",
            caller_name="Hùng", scope_kind="hamlet", scope_id=nhon.id, scope_name="x",
            kind="trom", note=None, sent_at=last_year, expires_at=last_year)
        await store.alarms.respond(tx, old, lan.id, "coming", last_year)

    assert await asyncio.to_thread(main, ["export", "review", "--year", "2026", "--commune",
                                          "hung-loc", "--config", str(config.source)]) == 0
    rows = {row["hamlet"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert sorted(rows) == ["", "Ấp Dầu Giây", "Ấp Hưng Hiệp", "Ấp Hưng Nhơn"]
    nhon_row = rows["Ấp Hưng Nhơn"]
    assert {k: nhon_row[k] for k in ("households", "commitments", "commitments_percent",
                                     "reports", "resolved", "rejected", "open",
                                     "patrols_done", "gongs", "gong_coming")} == {
        "households": "420", "commitments": "2", "commitments_percent": "0", "reports": "2",
        "resolved": "1", "rejected": "1", "open": "0", "patrols_done": "1", "gongs": "1",
        "gong_coming": "1"}
    assert "Trộm cắp: 1 (resolved 1, rejected 0, open 0)" in nhon_row["by_category"]
    assert (rows[""]["reports"], rows[""]["open"], rows[""]["gongs"]) == ("1", "1", "1")
    assert rows["Ấp Dầu Giây"]["households"] == "" and rows["Ấp Hưng Hiệp"]["reports"] == "0"

    assert await asyncio.to_thread(main, ["export", "review", "--year", "2026", "--format",
                                          "html", "--config", str(config.source)]) == 0
    page = capsys.readouterr().out
    assert "@page { size: A4" in page and "Công an Xã Hưng Lộc" in page
    assert "“An toàn về an ninh, trật tự” năm 2026 — Xã Hưng Lộc" in page
    summary = page.split('class="summary"')[1].split("</table>")[0]
    assert "<td>Ấp Hưng Nhơn</td><td class=\"num\">420</td><td class=\"num\">2 (0%)</td>" in (
        summary)
    assert "Không rõ ấp, toàn xã" in summary
    by_category = page.split('class="categories"')[1].split("</table>")[0]
    assert "<td>Ấp Hưng Nhơn</td><td>Trộm cắp</td>" in by_category
    assert "TRƯỞNG CÔNG AN XÃ" in page
    assert await asyncio.to_thread(main, ["export", "review", "--year", "2025",
                                          "--config", str(config.source)]) == 0
    old_rows = {r["hamlet"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert old_rows["Ấp Hưng Nhơn"]["gongs"] == "1" and old_rows["Ấp Hưng Nhơn"]["reports"] == "0"
    assert await asyncio.to_thread(main, ["export", "review", "--year", "26",
                                          "--config", str(config.source)]) == 1
    assert await asyncio.to_thread(main, ["export", "review", "--year", "2026", "--commune",
                                          "x", "--config", str(config.source)]) == 1
    assert Categories.load(config.content.folder).name("trom-cap", "vi") == "Trộm cắp"
