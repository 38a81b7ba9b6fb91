"""The roster's gaps, on Telegram and on Zalo: a leader cancels a shift and stops a weekly
series (the members told through the outbox on their own channel), and a member asks another
to take their shift (the other accepts or declines; the leader hears of the change)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.helpers import services_of
from tests.people import People
from tests.test_alarm import add_member
from tests.test_patrol import (
    NEXT_SATURDAY_20H,
    SATURDAY_20H,
    members,
    plan_saturdays,
)
from tests.test_team_stories import leader_of_hn01

__all__ = ["members"]  # the fixture, shared with tests/test_patrol.py


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def open_cancel_menu(leader: SimUser) -> list[list[str]]:
    await leader.command("tuantra")
    await leader.wait_for("Lịch tuần tra của")
    await leader.press("Hủy ca, dừng lịch")
    return (await leader.wait_for("Chọn ca muốn hủy")).buttons


async def test_the_leader_cancels_a_shift_then_stops_the_weekly_series(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
    clock: FakeClock, store: Store,
) -> None:
    an, _, lan = members
    await plan_saturdays(leader)
    await leader.wait_for("Đã lên lịch tuần tra")
    await an.wait_for("Ca tuần tra mới")
    await lan.wait_for("Ca tuần tra mới")
    menu = await open_cancel_menu(leader)
    assert menu == [["Hủy ca thứ Bảy 28/11, 21:00–23:00"], ["Hủy ca thứ Bảy 05/12, 21:00–23:00"],
                    ["Dừng lịch thứ Bảy hằng tuần, 21:00"]]
    refused = await an.answer_for(await an.press_data("pt:cs:1"))  # a member may not
    assert "Không hủy được" in refused.text
    await leader.press("Hủy ca thứ Bảy 28/11")
    await leader.wait_for("Đã hủy ca thứ Bảy 28/11")
    told = await an.wait_for("hủy ca tuần tra")
    assert "thứ Bảy 28/11, 21:00–23:00" in told.text
    await lan.wait_for("hủy ca tuần tra thứ Bảy 28/11")  # on Zalo
    clock.set(SATURDAY_20H)  # a cancelled shift is neither reminded nor checked in
    assert await services_of(bot).patrols.tick(clock.now()) == 0
    crafted = await an.answer_for(await an.press_data("pt:in:1"))
    assert "Bạn không có trong ca" in crafted.text

    assert await open_cancel_menu(leader) == [["Hủy ca thứ Bảy 05/12, 21:00–23:00"],
                                              ["Dừng lịch thứ Bảy hằng tuần, 21:00"]]
    await leader.press("Dừng lịch")
    await leader.wait_for("Đã dừng lịch thứ Bảy hằng tuần, 21:00")
    await an.wait_for("dừng lịch tuần tra thứ Bảy hằng tuần, 21:00")
    await lan.wait_for("dừng lịch tuần tra thứ Bảy hằng tuần")
    replayed = await leader.answer_for(await leader.press_data("pt:st:1"))
    assert replayed.show_alert  # once
    clock.set(NEXT_SATURDAY_20H)  # no more shifts made, none reminded
    assert await services_of(bot).patrols.tick(clock.now()) == 0
    team = await store.areas.team_by_join_code("HN01")
    assert team is not None
    assert await services_of(bot).patrols.upcoming(team.id) == []
    await leader.command("tuantra")
    assert "Chưa có ca nào" in (await leader.wait_for("Lịch tuần tra của")).text
    actions = [e.action for e in await store.audit.entries("team")]
    assert "patrol.cancelled" in actions and "patrol.series_stopped" in actions
    await services_of(bot).delivery.ledger.flush()
    assert sum("dừng" in m.text for m in an.inbox) == 1


async def test_a_member_asks_another_to_take_the_shift(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
    store: Store,
) -> None:
    an, chi, lan = members
    await plan_saturdays(leader, weekly=False, who="An")
    await leader.wait_for("Đã lên lịch tuần tra")
    await an.wait_for("Ca tuần tra mới")
    await an.command("tuantra")
    await an.wait_for("Ca của bạn")
    await an.press("Nhờ người đổi ca")
    ask = await an.wait_for("Nhờ ai đi ca thứ Bảy 28/11")
    assert sorted(label for row in ask.buttons for label in row) == [
        "Chi", "Lan", "Tổ trưởng Bình"]
    await an.press("Lan")
    await an.wait_for("Đã gửi lời nhờ")
    asked = await lan.wait_for("nhờ bạn đi ca tuần tra thứ Bảy 28/11")
    assert asked.labels == ["✅ Nhận ca", "Không nhận"]
    await lan.choose("Nhận ca")  # on Zalo, by number
    await lan.wait_for("Bạn đã nhận ca thứ Bảy 28/11")
    await an.wait_for("Lan đã nhận đi ca thứ Bảy 28/11")
    told = await leader.wait_for("Đổi ca tuần tra")
    assert "Lan" in told.text and "An" in told.text
    shift = await store.patrols.shift(1)
    assert shift is not None
    assert [p.display_name for p in await store.patrols.attendance(shift.id)] == ["Lan"]
    await lan.choose("Nhận ca")  # a second answer changes nothing
    await lan.wait_for("đã được trả lời")
    await an.command("tuantra")
    assert "Bạn chưa có ca tuần tra nào sắp tới" in (await an.wait_for("Tuần tra")).text

    await lan.send("tuan tra")  # Lan asks Chi, who declines: the shift stays Lan's
    await lan.wait_for("Ca của bạn")
    await lan.choose("Nhờ người đổi ca")
    await lan.wait_for("Nhờ ai đi ca")
    await lan.choose("Chi")
    await lan.wait_for("Đã gửi lời nhờ")
    await chi.wait_for("Lan nhờ bạn đi ca tuần tra")
    crafted = await an.answer_for(await an.press_data("pt:sa:2"))  # not An's to answer
    assert "đã được trả lời, hoặc không dành cho bạn" in crafted.text
    await chi.press("Không nhận")
    await chi.wait_for("Đã báo bạn không nhận ca")
    await lan.wait_for("Chi không nhận đi ca thứ Bảy 28/11")
    assert [p.display_name for p in await store.patrols.attendance(shift.id)] == ["Lan"]
    await services_of(bot).delivery.ledger.flush()
    assert sum("Đổi ca tuần tra" in m.text for m in leader.inbox) == 1
    swapped = [e for e in await store.audit.entries("team") if e.action == "patrol.swapped"]
    assert len(swapped) == 1


async def test_a_leader_on_zalo_cancels_a_shift_by_number(
    bot: AnninhApp, sandbox: Sandbox, zalo: ZaloSandbox, store: Store, tmp_path: Path,
) -> None:
    """The leader on Zalo: "Hủy ca, dừng lịch" and the shift to cancel are typed numbers;
    the Telegram member is told on Telegram."""
    people = People(sandbox, zalo, "telegram")
    boss = await leader_of_hn01(people, store, tmp_path, "zalo")
    await add_member(store, "hn-01", 4001, "An")
    an = sandbox.user(4001, first_name="An")
    await boss.command("tuan tra")
    await boss.wait_for("Lịch tuần tra của")
    await boss.choose("Lên lịch ca")
    await boss.wait_for("Gõ ngày và giờ đi")
    await boss.send("30/11 21:00-23:00")
    await boss.wait_for("chỉ một lần")
    await boss.choose("Chỉ một lần")
    await boss.wait_for("Ai đi ca")
    await boss.choose("Cả tổ")
    await boss.wait_for("Gõ lộ trình")
    await boss.choose("Bỏ qua")
    await boss.wait_for("Lưu và báo")
    await boss.choose("Lưu")
    await boss.wait_for("Đã lên lịch tuần tra")
    await an.wait_for("Ca tuần tra mới")
    await boss.command("tuan tra")
    await boss.wait_for("Lịch tuần tra của")
    await boss.choose("Hủy ca, dừng lịch")
    menu = await boss.wait_for("Chọn ca muốn hủy")
    assert menu.labels == ["Hủy ca thứ Hai 30/11, 21:00–23:00"]  # no weekly series
    await boss.choose("Hủy ca thứ Hai 30/11")
    await boss.wait_for("Đã hủy ca thứ Hai 30/11")
    await an.wait_for("Tổ trưởng đã hủy ca tuần tra thứ Hai 30/11, 21:00–23:00")
    await boss.command("tuan tra")
    assert "Chưa có ca nào" in (await boss.wait_for("Lịch tuần tra của")).text
