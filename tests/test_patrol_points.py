"""Patrol points come only once the leader confirms who did the shift ("Ai đã đi tuần", then a
choice per member who checked in), the role read at the press; a campaign quiz answered right
earns the quiz's points, once — on Telegram and on Zalo."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.services.points import PATROL_DONE
from bot.store import Store
from tests.people import People
from tests.test_alarm import add_member
from tests.test_patrol import SATURDAY_21H05, SATURDAY_23H30, members, plan_saturdays
from tests.test_team_stories import leader_of_hn01

__all__ = ["members"]  # the fixture, shared with tests/test_patrol.py


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_the_leader_confirms_who_patrolled_and_only_then_they_earn_points(
    bot: AnninhApp, leader: SimUser, members: tuple[SimUser, SimUser, SimZaloUser],
    clock: FakeClock, store: Store,
) -> None:
    an, _, lan = members
    await plan_saturdays(leader, weekly=False)
    await leader.wait_for("Đã lên lịch tuần tra")
    await lan.wait_for("Ca tuần tra mới")
    clock.set(SATURDAY_21H05)
    await lan.send("tuan tra")
    await lan.wait_for("Ca của bạn")
    await lan.choose("Bắt đầu")  # the Zalo member checks in by number
    await lan.wait_for("Đã ghi nhận bạn bắt đầu")
    await lan.choose("Bỏ qua")  # no place given
    await lan.wait_for("Không lưu nơi bắt đầu")
    await an.wait_for("Ca tuần tra mới")
    await an.press("Bắt đầu")
    await an.wait_for("Đã ghi nhận bạn bắt đầu")
    await an.press("Bỏ qua")
    await an.wait_for("Không lưu nơi bắt đầu")
    clock.set(SATURDAY_23H30)
    await lan.send("diem")
    await lan.wait_for("chưa có điểm thi đua")  # checked in is not confirmed: nothing yet
    lan_id = await store.accounts.resident_of("zalo", str(lan.id))
    chi_id = (await store.residents.by_telegram_id(4003) or pytest.fail("Chi")).id
    refused = await an.answer_for(await an.press_data(f"pt:ok:1:{lan_id}"))
    assert "Không xác nhận được" in refused.text  # a member is not the leader

    await leader.command("tuantra")
    await leader.wait_for("Lịch tuần tra của")
    await leader.press("Ai đã đi tuần")
    log = await leader.wait_for("Các ca tuần tra gần đây")
    assert "❌ Chi: vắng" in log.text and "đã xác nhận" not in log.text
    ask = await leader.wait_for("Xác nhận ai đã đi tuần")
    assert ask.buttons == [["✅ An (28/11)"], ["✅ Lan (28/11)"]]  # not Chi, who never came
    await leader.press("Lan (28/11)")
    thanked = await lan.wait_for("Tổ trưởng đã xác nhận bạn đi ca tuần tra")
    assert "thứ Bảy 28/11" in thanked.text and "điểm thi đua" in thanked.text
    replayed = await leader.answer_for(await leader.press_data(f"pt:ok:1:{lan_id}"))
    assert replayed.show_alert  # once
    crafted = await leader.answer_for(await leader.press_data(f"pt:ok:1:{chi_id}"))
    assert "Không xác nhận được" in crafted.text  # Chi never pressed "Bắt đầu"
    await lan.send("diem")
    mine = await lan.wait_for("Điểm thi đua của bạn")
    assert "+10 — Đi tuần tra (tổ trưởng xác nhận)" in mine.text
    await an.command("diem")
    await an.wait_for("chưa có điểm thi đua")  # not confirmed yet
    await leader.command("tuantra")
    await leader.wait_for("Lịch tuần tra của")
    await leader.press("Ai đã đi tuần")
    log = await leader.wait_for("Các ca tuần tra gần đây")
    assert "Lan: 21:05–… · 🏅 đã xác nhận" in log.text
    ask = await leader.wait_for("Xác nhận ai đã đi tuần")
    assert ask.buttons == [["✅ An (28/11)"]]
    entries = [e for e in await store.audit.entries("team") if e.action == "patrol.confirmed"]
    assert len(entries) == 1 and entries[0].actor_label == "leader"
    assert await store.db.scalar("SELECT count(*) FROM points WHERE rule = ?",
                                 (PATROL_DONE,)) == 1


async def test_a_leader_on_zalo_confirms_a_member_by_number(
    bot: AnninhApp, sandbox: Sandbox, zalo: ZaloSandbox, store: Store, clock: FakeClock,
    tmp_path: Path,
) -> None:
    """The leader on Zalo: the log and the choices come as numbered lines; the Telegram
    member who checked in earns the points when the leader types the number."""
    people = People(sandbox, zalo, "telegram")
    zalo_leader = await leader_of_hn01(people, store, tmp_path, "zalo")
    await add_member(store, "hn-01", 4001, "An")
    an = people(4001, "An", on="telegram")
    await zalo_leader.command("tuan tra")
    await zalo_leader.wait_for("Lịch tuần tra của")
    await zalo_leader.choose("Lên lịch ca")
    await zalo_leader.wait_for("Gõ ngày và giờ đi")
    await zalo_leader.send("30/11 21:00-23:00")
    await zalo_leader.wait_for("chỉ một lần")
    await zalo_leader.choose("Chỉ một lần")
    await zalo_leader.wait_for("Ai đi ca")
    await zalo_leader.choose("Cả tổ")
    await zalo_leader.wait_for("Gõ lộ trình")
    await zalo_leader.choose("Bỏ qua")
    await zalo_leader.wait_for("Lưu và báo")
    await zalo_leader.choose("Lưu")
    await zalo_leader.wait_for("Đã lên lịch tuần tra")
    await an.wait_for("Ca tuần tra mới")
    clock.set(clock.now().replace(day=30, hour=14, minute=10))  # 21:10 in Vietnam
    await an.command("tuantra")
    await an.wait_for("Ca của bạn")
    await an.choose("Bắt đầu")
    await an.wait_for("Đã ghi nhận bạn bắt đầu")
    await an.choose("Bỏ qua")
    await an.wait_for("Không lưu nơi bắt đầu")
    await zalo_leader.command("tuan tra")
    await zalo_leader.wait_for("Lịch tuần tra của")
    await zalo_leader.choose("Ai đã đi tuần")
    await zalo_leader.wait_for("Các ca tuần tra gần đây")
    ask = await zalo_leader.wait_for("Xác nhận ai đã đi tuần")
    assert "An (30/11)" in ask.text
    await zalo_leader.choose("An (30/11)")
    await an.wait_for("Tổ trưởng đã xác nhận bạn đi ca tuần tra")
    await an.command("diem")
    assert "+10 — Đi tuần tra" in (await an.wait_for("Điểm thi đua của bạn")).text
