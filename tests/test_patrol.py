"""/tuantra (/patrol): a leader plans shifts, members are reminded once through the outbox and
check in and out, decline with a reason (the leader is told), report from a patrol; the leader
sees who came and who missed — on Telegram and on Zalo."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.helpers import BotRunner, onboard, onboard_on_zalo, services_of
from tests.test_alarm import add_member
from tests.test_team_message import join

SATURDAY_20H = datetime(2026, 11, 28, 13, 0, tzinfo=UTC)  # 20:00 in Vietnam, an hour before
SATURDAY_21H05 = datetime(2026, 11, 28, 14, 5, tzinfo=UTC)
SATURDAY_23H30 = datetime(2026, 11, 28, 16, 30, tzinfo=UTC)
NEXT_SATURDAY_20H = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


@pytest.fixture
async def members(
    bot: AnninhApp, sandbox: Sandbox, zalo: ZaloSandbox, store: Store, leader: SimUser
) -> tuple[SimUser, SimUser, SimZaloUser]:
    """HN01's members: An and Chi on Telegram, Lan on Zalo; its leader has agreed to the
    terms (as /to, /tuantra asks for it)."""
    await onboard(leader)
    await add_member(store, "hn-01", 4001, "An")
    await add_member(store, "hn-01", 4003, "Chi")
    lan = zalo.user(32, "Lan")
    await onboard_on_zalo(lan)
    await join(store, "zalo", lan.id, "HN01")
    return sandbox.user(4001, first_name="An"), sandbox.user(4003, first_name="Chi"), lan


async def plan_saturdays(leader: SimUser, *, weekly: bool = True, who: str = "Cả tổ") -> None:
    """The leader plans Saturday 21:00-23:00 (weekly or once) for the whole team or one."""
    await leader.command("tuantra")
    card = await leader.wait_for("Lịch tuần tra của Tổ an ninh nhân dân số 1")
    assert "Chưa có ca nào" in card.text
    await leader.press("Lên lịch ca")
    await leader.wait_for("Gõ ngày và giờ đi")
    await leader.send("tối thứ Bảy 21:00-23:00")
    await leader.wait_for("chỉ một lần, hay lặp lại hằng tuần")
    await leader.press("Hằng tuần" if weekly else "Chỉ một lần")
    await leader.wait_for("Ai đi ca")
    await leader.press(who)
    if who != "Cả tổ":
        await leader.wait_for(predicate=lambda m: f"✓ {who}" in str(m.buttons))
        await leader.press("Xong")
    await leader.wait_for("Gõ lộ trình")
    await leader.send("Đường liên ấp → chợ Hưng Nhơn → trường tiểu học")
    summary = await leader.wait_for("Lưu và báo cho các thành viên")
    assert "thứ Bảy 28/11, 21:00–23:00" in summary.text
    await leader.press("Lưu")


async def test_a_weekly_shift_reminded_once_checked_in_declined_and_logged(
    bot: AnninhApp, runner: BotRunner, leader: SimUser,
    members: tuple[SimUser, SimUser, SimZaloUser], clock: FakeClock, store: Store,
    config: Config, capsys: pytest.CaptureFixture[str],
) -> None:
    an, chi, lan = members
    await plan_saturdays(leader)
    done = await leader.wait_for("Đã lên lịch tuần tra")
    assert "2 ca trong 2 tuần tới" in done.text  # 28/11 and 5/12
    told = await an.wait_for("Ca tuần tra mới")
    assert "chợ Hưng Nhơn" in told.text and "Lặp lại hằng tuần" in told.text
    await lan.wait_for("Ca tuần tra mới")

    clock.set(SATURDAY_20H)
    assert await services_of(bot).patrols.tick(clock.now()) == 1
    assert await services_of(bot).patrols.tick(clock.now()) == 0  # once
    await services_of(bot).scheduler.tick(clock.now())  # the scheduler's tick runs it
    reminder = await an.wait_for("Sắp đến ca tuần tra")
    assert reminder.buttons == [["▶️ Bắt đầu", "Không tham gia được"]]
    await lan.wait_for("Sắp đến ca tuần tra")
    early = await an.answer_for(await an.press("Bắt đầu"))  # 20:00: too early
    assert "từ 20:30" in early.text

    clock.set(SATURDAY_21H05)
    await an.press("Bắt đầu")
    await an.wait_for("Đã ghi nhận bạn bắt đầu ca thứ Bảy 28/11")
    await an.send("cổng chợ Hưng Nhơn")  # where An starts (optional)
    await an.wait_for("Đã lưu nơi bắt đầu: cổng chợ Hưng Nhơn")
    await an.wait_for("Khi xong, bấm Kết thúc")
    await lan.choose("Không tham gia được")  # from the reminder, by number
    await lan.wait_for("Vì sao bạn không tham gia")
    await lan.choose("Bị ốm")
    await lan.wait_for("Đã báo tổ trưởng")
    note = await leader.wait_for("không tham gia ca tuần tra")
    assert "Lan" in note.text and "Bị ốm" in note.text
    await an.press("Kết thúc")
    await an.wait_for("kết thúc ca")
    await an.send("Không có gì bất thường")
    await an.wait_for("Đã lưu ghi chú")
    assert sum("Sắp đến ca tuần tra" in m.text for m in an.inbox) == 1

    clock.set(SATURDAY_23H30)
    await leader.command("tuantra")
    card = await leader.wait_for("Lịch tuần tra của")
    assert "05/12" in card.text and "28/11" not in card.text  # the past one left the schedule
    await leader.press("Ai đã đi tuần")
    log = await leader.wait_for("Các ca tuần tra gần đây")
    assert "✅ An: 21:05–21:05 — Không có gì bất thường · 📍 cổng chợ Hưng Nhơn" in log.text
    assert "🚫 Lan: báo không tham gia (Bị ốm)" in log.text
    assert "❌ Chi: vắng" in log.text
    assert sum("Sắp đến ca tuần tra" in m.text for m in chi.inbox) == 1
    (entry,) = [e for e in await store.audit.entries("team") if e.action == "patrol.planned"]
    assert entry.actor_label == "leader"
    capsys.readouterr()
    code = await asyncio.to_thread(main, ["export", "patrols", "--config", str(config.source),
                                          "--team", "hn-01", "--month", "2026-11"])
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert code == 0 and sorted(rows) == ["An", "Chi", "Lan", "Tổ trưởng Bình"]
    assert rows["An"]["status"] == "came" and rows["An"]["note"] == "Không có gì bất thường"
    assert rows["An"]["starts"] == "21:00" and rows["An"]["date"] == "2026-11-28"
    assert rows["An"]["route"].startswith("Đường liên ấp")
    assert (rows["An"]["place"], rows["An"]["confirmed"]) == ("cổng chợ Hưng Nhơn", "")
    assert (rows["Lan"]["status"], rows["Lan"]["reason"]) == ("declined", "Bị ốm")
    assert rows["Chi"]["status"] == "missed"
    code = await asyncio.to_thread(main, ["export", "patrols", "--config", str(config.source),
                                          "--team", "hn-01", "--month", "2026-13"])
    assert code != 0

    clock.set(NEXT_SATURDAY_20H)  # the next week's shift: reminded once, a restart or not
    await services_of(bot).scheduler.tick(clock.now())
    await an.wait_for("05/12")
    await runner.stop()
    bot = await runner.start()
    assert await services_of(bot).patrols.tick(clock.now()) == 0
    await services_of(bot).delivery.ledger.flush()
    assert sum("Sắp đến ca tuần tra" in m.text for m in an.inbox) == 2


async def test_a_member_sees_the_shift_and_reports_from_the_patrol(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
    clock: FakeClock, store: Store, staff_group: SimGroup,
) -> None:
    an, chi, lan = members
    await plan_saturdays(leader, weekly=False, who="An")
    done = await leader.wait_for("Đã lên lịch tuần tra")
    assert "1 ca" in done.text
    await an.wait_for("Ca tuần tra mới")
    await lan.send("tuần tra")  # Lan is not on it
    mine = await lan.wait_for("Tuần tra")
    assert "Bạn chưa có ca tuần tra nào sắp tới" in mine.text
    clock.set(SATURDAY_21H05)
    await chi.command("tuantra")
    await chi.wait_for("Bạn chưa có ca tuần tra nào sắp tới")
    crafted = await chi.answer_for(await chi.press_data("pt:in:1"))  # not on the shift
    assert "Bạn không có trong ca" in crafted.text
    await an.command("tuantra")
    card = await an.wait_for("Ca của bạn")
    assert "thứ Bảy 28/11, 21:00–23:00" in card.text and "được phân công" in card.text
    await an.press("Bắt đầu")
    await an.wait_for("Đã ghi nhận bạn bắt đầu")
    await an.share_location(10.951, 107.161)
    await an.wait_for("Đã lưu vị trí bắt đầu")
    await an.wait_for("Khi xong, bấm Kết thúc")
    await an.press("Báo tin từ ca tuần tra")
    await an.wait_for("Báo tin cho công an xã")
    await an.press("Trộm cắp")
    await an.wait_for("chuyện gì đã xảy ra")
    await an.send("Hai người lạ cạy khóa xe trước chợ")
    await an.wait_for("ở đâu")
    await an.press("Bỏ qua")
    await an.wait_for("Bạn có ảnh không")
    await an.press("Bỏ qua")
    await an.wait_for("Bạn muốn gửi tin thế nào")
    await an.press("Gửi kèm tên")
    await an.wait_for("Kiểm tra lại tin báo")
    await an.press("Gửi")
    await an.wait_for("Đã gửi tin báo")
    person = await store.residents.by_telegram_id(4001)
    assert person is not None
    (shift,) = await store.patrols.shifts_of(person.id, "", 5)
    (report_id,) = await store.patrols.reports_of(shift.id)
    report = await store.reports.get(report_id)
    assert report is not None and report.reporter_id == person.id and not report.anonymous
    await staff_group.wait_for(report.code)

    await an.command("tuantra")  # an anonymous one from the patrol is not linked to it:
    await an.wait_for("đang tuần tra")  # its members would narrow down who sent it
    await an.press("Báo tin từ ca tuần tra")
    await an.wait_for("Báo tin cho công an xã")
    await an.press("Trộm cắp")
    await an.wait_for("chuyện gì đã xảy ra")
    await an.send("Có người lảng vảng sau trường học")
    await an.wait_for("ở đâu")
    await an.press("Bỏ qua")
    await an.wait_for("Bạn có ảnh không")
    await an.press("Bỏ qua")
    await an.wait_for("Bạn muốn gửi tin thế nào")
    await an.press("Ẩn danh")
    await an.wait_for("Kiểm tra lại tin báo")
    await an.press("Gửi")
    await an.wait_for("Đã gửi tin báo")
    assert await store.patrols.reports_of(shift.id) == [report_id]


async def test_only_the_leader_plans_and_the_plan_is_read_in_vietnamese_forms(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
) -> None:
    an, _, lan = members
    await an.command("tuantra")
    card = await an.wait_for("Tuần tra")
    assert "Lên lịch ca" not in str(card.buttons)
    refused = await an.answer_for(await an.press_data("pt:plan:1"))
    assert "Chỉ tổ trưởng" in refused.text
    await lan.send("tuan tra")
    lan_card = await lan.wait_for("Tuần tra")
    assert not lan_card.labels
    await lan.send("menu")  # a member's menu has the roster
    menu = await lan.wait_for("Bạn muốn làm gì")
    assert "Lịch tuần tra của tổ, bắt đầu và kết thúc ca" in menu.labels

    await leader.command("patrol")
    await leader.wait_for("Lịch tuần tra")
    await leader.press("Lên lịch ca")
    await leader.wait_for("Gõ ngày và giờ đi")
    await leader.send("hôm qua lúc nào đó")
    await leader.wait_for("Không hiểu")
    await leader.send("hôm nay 05:00-06:00")  # 08:00 now: over
    await leader.wait_for("đã qua rồi")
    await leader.send("hằng tuần chủ nhật 5h-6h30")  # weekly typed: no repeat question
    await leader.wait_for("Ai đi ca Chủ nhật 29/11, 05:00–06:30")


async def test_each_member_is_told_of_a_shift_in_their_own_language(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
    clock: FakeClock, store: Store,
) -> None:
    an, chi, _lan = members
    chi_id = await store.residents.by_telegram_id(4003)
    assert chi_id is not None
    async with store.db.transaction() as tx:  # Chi reads English (/caidat)
        await store.residents.update(tx, chi_id.id, language="en")
    await plan_saturdays(leader, weekly=False)
    await leader.wait_for("Đã lên lịch tuần tra")
    told = await chi.wait_for("New patrol shift")
    assert "Saturday 28/11, 21:00–23:00" in told.text
    assert "Ca tuần tra mới" in (await an.wait_for("Ca tuần tra mới")).text
    clock.set(SATURDAY_20H)
    assert await services_of(bot).patrols.tick(clock.now()) == 1
    reminder = await chi.wait_for(predicate=lambda m: m.buttons and "Start" in m.buttons[0][0])
    assert "Bắt đầu" not in str(reminder.buttons)
    await an.wait_for("Sắp đến ca tuần tra")
