"""The security gong through the real bot: scope, kind, "Phát kẻng", answers, escalation,
all clear, refusals, and the CAP 1.2 export."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from handlers import alarm_answers
from tests.helpers import services_of, sound_gong

pytestmark = pytest.mark.usefixtures("bot")


@pytest.fixture
def config_extra() -> str:
    return "[alarms]\nrefresh_seconds = 0.05\nmax_per_hour = 2\nmin_responders = 2\n"


async def add_member(
    store: Store, team_code: str, telegram_id: int, name: str, *, muted: bool = False
) -> None:
    """A resident who consented and is an active member of the team (set up directly)."""
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    team = await store.areas.team_by_code(commune.id, team_code)
    assert team is not None
    async with store.db.transaction() as tx:
        resident_id = await store.residents.ensure(tx, telegram_id)
        await store.residents.set_consent(tx, resident_id, "given", "test")
        await store.residents.update(tx, resident_id, display_name=name, commune_id=commune.id,
                                     mute_propaganda=int(muted))
        await store.memberships.add(tx, team.id, resident_id, "member", "active")


@pytest.fixture
async def team(sandbox: Sandbox, store: Store) -> list[SimUser]:
    """Three members of "Tổ an ninh nhân dân số 1" (hn-01, leader 2001); Chi muted propaganda."""
    people = [(4001, "An"), (4002, "Bảo"), (4003, "Chi")]
    for telegram_id, name in people:
        await add_member(store, "hn-01", telegram_id, name, muted=name == "Chi")
    await add_member(store, "hh-01", 4009, "Người ấp khác")
    return [sandbox.user(telegram_id, first_name=name) for telegram_id, name in people]


async def test_a_leaders_alarm_reaches_every_member_and_no_one_else(
    sandbox: Sandbox, leader: SimUser, team: list[SimUser], staff_group: SimGroup
) -> None:
    outsider = sandbox.user(4009, first_name="Người ấp khác")
    await sound_gong(leader)
    status = await leader.wait_for("Đã phát kẻng")
    assert "tới 3 người" in status.text
    assert status.buttons == [["✅ Đã an toàn"]]
    for member in team:  # Chi muted propaganda, and still gets the gong, with sound
        alert = await member.wait_for("KẺNG AN NINH")
        assert "Trộm" in alert.text
        assert alert.buttons == [["🏃 Đang đến", "Không thể"]]
        assert not alert.disable_notification
    notice = await staff_group.wait_for("đã phát kẻng")
    assert "tổ trưởng" in notice.text
    assert all("KẺNG" not in m.text for m in outsider.inbox)


async def test_answers_update_the_callers_message_with_names(
    leader: SimUser, team: list[SimUser]
) -> None:
    await sound_gong(leader)
    status = await leader.wait_for("Đã phát kẻng")
    an, bao, _ = team
    await an.wait_for("KẺNG AN NINH")
    await bao.wait_for("KẺNG AN NINH")
    answer = await an.answer_for(await an.press("Đang đến"))
    assert "Đã báo bạn đang đến" in answer.text
    await bao.press("Không thể")
    updated = await leader.wait_for(
        predicate=lambda m: "Đang đến (1): An" in m.text and "Không thể: 1" in m.text)
    assert "Chưa trả lời: 1" in updated.text
    assert updated.message_id == status.message_id  # kept up to date in place
    assert not [m for m in leader.inbox if "người nhận:" in m.text]  # no count messages


async def test_too_few_answers_escalate_to_the_police_group_once(
    bot: AnninhApp, clock: FakeClock, leader: SimUser, team: list[SimUser],
    staff_group: SimGroup,
) -> None:
    await sound_gong(leader, "Cháy")
    await leader.wait_for("Đã phát kẻng")
    await team[0].wait_for("KẺNG AN NINH")
    await team[0].answer_for(await team[0].press("Đang đến"))
    await staff_group.wait_for("đã phát kẻng")
    services = services_of(bot)
    await alarm_answers.check(services)
    assert all("chưa đủ người" not in m.text for m in staff_group.inbox)  # not yet due
    clock.advance(timedelta(seconds=181))
    await alarm_answers.check(services)
    escalation = await staff_group.wait_for("Kẻng chưa đủ người đến")
    assert "Đang đến: 1/3" in escalation.text
    await alarm_answers.check(services)
    assert sum("chưa đủ người" in m.text for m in staff_group.inbox) == 1


async def test_all_clear_reaches_everyone_and_ends_the_answers(
    leader: SimUser, team: list[SimUser]
) -> None:
    await sound_gong(leader)
    await leader.wait_for("Đã phát kẻng")
    for member in team:
        await member.wait_for("KẺNG AN NINH")
    await leader.press("Đã an toàn")
    await leader.wait_for("Đã an toàn.")
    for member in team:
        await member.wait_for("ĐÃ AN TOÀN")
    late = await team[2].answer_for(await team[2].press("Đang đến"))
    assert late.show_alert
    assert "đã kết thúc" in late.text


async def test_a_resident_cannot_sound_or_end_the_gong(
    leader: SimUser, team: list[SimUser]
) -> None:
    an = team[0]
    await an.command("keng")
    await an.wait_for("Chỉ tổ trưởng và công an xã")
    await sound_gong(leader)
    await leader.wait_for("Đã phát kẻng")
    await an.wait_for("KẺNG AN NINH")
    status = leader.last
    assert status is not None
    end_data = status.inline[0][0][1]
    assert end_data is not None
    query = await an.press_data(end_data)  # "Đã an toàn" crafted on the member's own message
    refused = await an.answer_for(query)
    assert refused.show_alert
    assert "Chỉ người phát kẻng" in refused.text
    assert all("ĐÃ AN TOÀN" not in m.text for m in team[1].inbox)


async def test_an_officer_chooses_a_hamlet_or_the_whole_commune(
    officer: SimUser, team: list[SimUser]
) -> None:
    await officer.command("alarm")
    scopes = await officer.wait_for("cho ai")
    labels = [label for row in scopes.buttons for label in row]
    assert "Toàn xã (Xã Hưng Lộc)" in labels
    assert "Ấp Hưng Nhơn" in labels
    await officer.press("Ấp Hưng Nhơn")
    await officer.wait_for("Việc gì")
    await officer.press("Người lạ")
    await officer.wait_for("Phát kẻng")
    await officer.send("Xe máy biển lạ đậu trước chùa")
    await officer.wait_for("Xe máy biển lạ")
    await officer.share_location(10.951, 107.162)
    await officer.wait_for("Đã có vị trí")
    await officer.press("Phát kẻng")
    await officer.wait_for("Đã phát kẻng")
    alert = await team[1].wait_for("KẺNG AN NINH")
    assert "Xe máy biển lạ đậu trước chùa" in alert.text
    assert "maps.google.com" in str(alert.raw.get("entities"))


async def test_the_abuse_guard_limits_alarms_per_hour(
    leader: SimUser, team: list[SimUser]
) -> None:
    for _ in range(2):
        await sound_gong(leader)
        await leader.wait_for("Đã phát kẻng")
    await sound_gong(leader)
    await leader.wait_for("2 lần trong một giờ")


@pytest.mark.parametrize("config_extra", [
    "[alarms]\nrefresh_seconds = 0.05\n"
    "[broadcast]\npaid_broadcast = true\nalarm_rate_per_second = 1000\n"])
async def test_two_hundred_answers_keep_the_callers_message_within_telegrams_limit(
    sandbox: Sandbox, store: Store, leader: SimUser
) -> None:
    """Past ~160 names the count stopped updating (Telegram refuses texts over 4,096
    characters): the caller's message names the first ones and counts the others."""
    members = []
    for n in range(200):
        name = f"Nguyễn Văn Người Trả Lời Số {n:03d}"
        await add_member(store, "hn-01", 5000 + n, name)
        members.append(sandbox.user(5000 + n, first_name=name))
    await sound_gong(leader)
    await leader.wait_for("tới 200 người")
    for member in members:
        await member.wait_for("KẺNG AN NINH", timeout=30)
        await member.press("Đang đến")
    status = await leader.wait_for(
        predicate=lambda m: "Đang đến (200)" in m.text, timeout=30)
    assert "và 170 người khác" in status.text
    assert "Nguyễn Văn Người Trả Lời Số" in status.text
    assert len(status.text) < 4096
    assert "Chưa trả lời: 0" in status.text


async def test_a_police_group_copy_that_cannot_be_delivered_leaves_a_trace(
    bot: AnninhApp, leader: SimUser, team: list[SimUser], store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The commune's staff group is unknown to Telegram (the bot was never added): the
    members still get the gong, and the failure is logged and can be listed."""
    with caplog.at_level(logging.WARNING):
        await sound_gong(leader)
        await leader.wait_for("Đã phát kẻng")
        for member in team:
            await member.wait_for("KẺNG AN NINH")
        await leader.command("trogiup")  # answered once the gong's handler is done
        await leader.wait_for("/keng")
        (copy,) = await store.broadcasts.by_origin("alarm:1:staff")
        await services_of(bot).delivery.wait_done(copy.id, timeout=10)
    staff_chat = -1001000000001
    assert [(f.chat_id, f.lane, f.state) for f in await store.outbox.failures("2000-01-01")] \
        == [(staff_chat, "alarm", "unreachable")]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(str(staff_chat) in line and "chat not found" in line.lower() for line in logged)


async def test_a_fire_gong_says_114_and_the_police_group_sees_its_place_and_its_end(
    leader: SimUser, team: list[SimUser], staff_group: SimGroup
) -> None:
    await leader.command("keng")
    await leader.wait_for("Việc gì")
    await leader.press("Cháy")
    await leader.wait_for("Phát kẻng")
    await leader.share_location(10.951, 107.162)
    await leader.wait_for("Đã có vị trí")
    await leader.press("Phát kẻng")
    alert = await team[0].wait_for("KẺNG AN NINH")
    assert "Gọi ngay 114" in alert.text
    notice = await staff_group.wait_for("đã phát kẻng")
    assert "Gọi ngay 114" in notice.text and "bản đồ" in notice.text  # where, on a map
    await team[0].press("Đang đến")
    await leader.wait_for("Đang đến (1)")
    await leader.press("Đã an toàn")
    ended = await staff_group.wait_for("đã kết thúc")
    assert "Đã an toàn" in ended.text and "Đang đến: 1" in ended.text


async def test_a_theft_gong_names_113(
    leader: SimUser, team: list[SimUser]
) -> None:
    await sound_gong(leader)  # "Trộm": 113
    assert "Gọi ngay 113" in (await team[0].wait_for("KẺNG AN NINH")).text
