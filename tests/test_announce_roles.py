"""Announcements and roles: the officer role is read again at every step of /thongbao, and a
scheduled or repeating announcement whose creator is no longer an officer is held, not sent."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimUser
from bot.store import Store
from tests.helpers import services_of
from tests.test_announce import compose, resident

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REFUSED = "Chỉ cán bộ công an xã mới gửi được thông báo"


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
async def village(store: Store, sandbox: Sandbox) -> dict[str, SimUser]:
    return {"an": await resident(store, sandbox, 3101, "hung-nhon"),
            "binh": await resident(store, sandbox, 3102, "hung-nhon")}


async def remove_officer(bot: AnninhApp, telegram_id: int) -> None:
    assert await services_of(bot).officers.revoke_officer(telegram_id, "hung-loc", "test")


async def nothing_stored(store: Store) -> None:
    assert await store.db.fetchall("SELECT id FROM broadcasts") == []
    assert await store.schedules.all() == []


async def refused_press(person: SimUser, label: str) -> None:
    query = await person.press(label)
    refusal = await person.answer_for(query)
    assert refusal.show_alert and REFUSED in (refusal.text or "")


@pytest.mark.parametrize("step", ["content", "audience", "now", "later", "quick", "typed",
                                  "repeat"])
async def test_an_officer_removed_mid_draft_is_refused_at_the_next_step(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store, step: str,
) -> None:
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    if step == "content":
        await remove_officer(bot, officer.id)
        await officer.send("Họp dân lúc 19:00")
        await officer.wait_for(REFUSED)
        return await nothing_stored(store)
    await officer.send("Họp dân lúc 19:00")
    await officer.wait_for("Gửi tới ai")
    if step == "audience":
        await remove_officer(bot, officer.id)
        await refused_press(officer, "Toàn xã")
        return await nothing_stored(store)
    await officer.press("Toàn xã")
    await officer.wait_for("Sẽ gửi tới")
    if step in ("now", "later"):
        await remove_officer(bot, officer.id)
        await refused_press(officer, "Gửi ngay" if step == "now" else "Hẹn giờ")
        return await nothing_stored(store)
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await remove_officer(bot, officer.id)
    if step == "quick":
        await refused_press(officer, "Sau 1 giờ")
    else:
        await officer.send("07:30 25/11" if step == "typed" else "hằng ngày 07:30")
        await officer.wait_for(REFUSED)
    await nothing_stored(store)
    await officer.command("huy")  # the refusal ended the flow: nothing left to cancel
    await officer.wait_for("Không có thao tác nào đang làm")


async def test_a_scheduled_announcement_of_a_removed_officer_is_held_and_shown(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    services = services_of(bot)
    await compose(officer, "Sáng mai tiêm phòng dại cho chó")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("07:30 25/11")
    await officer.wait_for("Đã hẹn gửi lúc")
    await officer.command("lichphat")  # after the scheduling step (one chat, in order)
    listing = await officer.wait_for("Thông báo hẹn giờ #")
    broadcast_id = int(listing.text.split("Thông báo hẹn giờ #", 1)[1].split(" ", 1)[0])
    assert await services.officers.grant_officer(1002, "hung-loc", "test")
    await remove_officer(bot, officer.id)

    clock.set(local(2026, 11, 25, 7, 30))
    with caplog.at_level(logging.WARNING, logger="bot.services.broadcasts"):
        result = await services.scheduler.tick(clock.now())
    assert result.released == [] and [s for s, _ in result.held] == [f"broadcast:{broadcast_id}"]
    assert f"#{broadcast_id} held" in caplog.text
    held = await store.broadcasts.get(broadcast_id)
    assert held is not None and held.state == "scheduled" and held.held_reason is not None
    assert await store.outbox.deliveries(broadcast_id) == []
    assert [e.action for e in await store.audit.entries("broadcast", broadcast_id)] == [
        "broadcast.held"]
    again = await services.scheduler.tick(clock.now())
    assert again.released == [] and again.held == []  # held once, logged once

    lan = sandbox.user(1002, first_name="Cán bộ Lan")
    await lan.command("lichphat")
    listing = await lan.wait_for(f"Thông báo hẹn giờ #{broadcast_id}")
    assert "bị giữ lại" in listing.text and "tiêm phòng" in listing.text
    await lan.press(f"Hủy hẹn #{broadcast_id}")
    await lan.wait_for(predicate=lambda m: m.message_id == listing.message_id
                       and "bị giữ lại" not in m.text)
    cancelled = await store.broadcasts.get(broadcast_id)
    assert cancelled is not None and cancelled.state == "cancelled"
    await officer.command("lichphat")
    await officer.wait_for("Chỉ cán bộ")
    assert await received_count(village, "tiêm phòng") == 0


async def test_a_repeating_announcement_of_a_removed_officer_is_held_until_taken_over(
    sandbox: Sandbox, bot: AnninhApp, officer: SimUser, village: dict[str, SimUser],
    store: Store, clock: FakeClock,
) -> None:
    services = services_of(bot)
    await compose(officer, "Đổ rác đúng giờ")
    await officer.wait_for("Sẽ gửi tới")
    await officer.press("Hẹn giờ")
    await officer.wait_for("Gửi lúc nào")
    await officer.send("hằng ngày 07:30")
    await officer.wait_for("lặp lại")
    await officer.command("lichphat")  # after the scheduling step (one chat, in order)
    await officer.wait_for("Thông báo lặp lại #")
    (schedule,) = await store.schedules.all()
    source = f"schedule:{schedule.id}"
    clock.set(local(2026, 11, 25, 7, 30))
    assert [s for s, _ in (await services.scheduler.tick(clock.now())).sent] == [source]
    await village["an"].wait_for("Đổ rác")

    assert await services.officers.grant_officer(1002, "hung-loc", "test")
    await remove_officer(bot, officer.id)
    clock.set(local(2026, 11, 26, 7, 30))
    result = await services.scheduler.tick(clock.now())
    assert result.sent == [] and [s for s, _ in result.held] == [source]
    (held,) = await store.schedules.all()
    assert not held.active and held.held_reason is not None
    assert [e.action for e in await store.audit.entries("schedule", schedule.id)] == [
        "schedule.held"]
    assert await store.db.scalar("SELECT count(*) FROM broadcasts WHERE origin = ?",
                                 (source,)) == 1

    lan = sandbox.user(1002, first_name="Cán bộ Lan")
    await lan.command("lichphat")
    listing = await lan.wait_for(f"Thông báo lặp lại #{schedule.id}")
    assert "bị giữ lại" in listing.text and "Đổ rác" in listing.text
    await lan.press(f"Chạy lại #{schedule.id}")  # Lan takes it over
    await lan.wait_for(predicate=lambda m: m.message_id == listing.message_id
                       and "bị giữ lại" not in m.text)
    lan_resident = await store.residents.by_telegram_id(1002)
    assert lan_resident is not None
    (taken,) = await store.schedules.all()
    assert taken.active and taken.held_reason is None and taken.created_by == lan_resident.id
    entries = await store.audit.entries("schedule", schedule.id)
    assert [(e.action, e.actor_id) for e in entries] == [
        ("schedule.held", None), ("schedule.resume", lan_resident.id)]
    clock.set(local(2026, 11, 27, 7, 30))
    assert [s for s, _ in (await services.scheduler.tick(clock.now())).sent] == [source]
    assert await store.db.scalar("SELECT count(*) FROM broadcasts WHERE origin = ?",
                                 (source,)) == 2


async def received_count(people: dict[str, SimUser], text: str) -> int:
    return sum(1 for person in people.values() for m in person.inbox if text in m.text)
