# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""The repeating and scheduled announcements on the loudspeaker page (aiohttp's test client,
a real database, no bot): listed as /lichphat lists them, a repeating one stopped and
restarted (a held one taken over) and a scheduled one cancelled through the same services as
the chat, audited "web"; another commune's officer sees and changes none of it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.models import Audience, Commune
from bot.sending import OutMessage
from bot.services.container import Services
from bot.store import Store
from tests.delivery_kit import FakeSender
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    services,
)
from tests.web_kit import COOKIE, People, csrf_in, session_of


@pytest.fixture
async def hung_loc(store: Store) -> Commune:
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None
    return commune


async def entries(store: Store, subject: str,
                  subject_id: int) -> list[tuple[str, dict[str, object]]]:
    return [(e.action, json.loads(e.detail)) for e in await store.audit.entries(
        subject, subject_id)]


async def test_a_repeating_announcement_is_listed_stopped_and_restarted(
    client: TestClient, services: Services, store: Store, cast: People, hung_loc: Commune,
) -> None:
    schedule_id = await services.broadcasts.repeat(
        Audience(hung_loc.id), OutMessage(text="Nhắc đổ rác đúng giờ."), "0 19 * * 6",
        cast.officer.id)
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    listed = page[page.index('id="repeating"'):page.index('id="campaigns"')]
    assert "Nhắc đổ rác đúng giờ." in listed and "thứ Bảy" in listed
    assert f'/loudspeaker/repeating/{schedule_id}/stop"' in listed
    csrf = csrf_in(page)
    url = f"/loudspeaker/repeating/{schedule_id}"
    forged = await client.post(f"{url}/stop", cookies=jar, data={"csrf": "x"})
    assert forged.status == 403
    stopped = await client.post(f"{url}/stop", cookies=jar, data={"csrf": csrf})
    text = await stopped.text()
    assert stopped.status == 200 and "Đã dừng thông báo lặp lại" in text
    assert f'{url}/start"' in text and "đã dừng" in text
    assert (await store.schedules.get(schedule_id)).active is False  # type: ignore[union-attr]
    started = await (await client.post(f"{url}/start", cookies=jar, data={"csrf": csrf})).text()
    assert "đã chạy lại theo lịch" in started
    assert (await store.schedules.get(schedule_id)).active is True  # type: ignore[union-attr]
    assert await entries(store, "schedule", schedule_id) == [
        ("schedule.stop", {"origin": "web", "took_over": False}),
        ("schedule.resume", {"origin": "web", "took_over": False})]


async def test_a_held_repeating_announcement_is_taken_over_by_restarting_it(
    client: TestClient, services: Services, store: Store, cast: People, hung_loc: Commune,
) -> None:
    schedule_id = await services.broadcasts.repeat(
        Audience(hung_loc.id), OutMessage(text="Họp tổ hằng tuần."), "0 8 * * 1",
        cast.resident.id)  # set by someone who is no officer (any more)
    async with store.db.transaction() as tx:
        await store.schedules.hold(tx, schedule_id, "not_officer")
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    assert "bị giữ lại: người đặt không còn là cán bộ" in page
    await client.post(f"/loudspeaker/repeating/{schedule_id}/start", cookies=jar,
                      data={"csrf": csrf_in(page)})
    fresh = await store.schedules.get(schedule_id)
    assert fresh is not None and fresh.active and fresh.held_reason is None
    assert fresh.created_by == cast.officer.id
    assert await entries(store, "schedule", schedule_id) == [
        ("schedule.resume", {"origin": "web", "took_over": True})]


async def test_a_scheduled_announcement_is_listed_and_cancelled(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
    hung_loc: Commune,
) -> None:
    broadcast_id = await services.broadcasts.schedule(
        Audience(hung_loc.id), OutMessage(text="Họp dân tối thứ Sáu."),
        clock.now() + timedelta(days=2), created_by=cast.officer.id)
    jar = {COOKIE: await session_of(services, cast.officer)}
    page = await (await client.get("/loudspeaker", cookies=jar)).text()
    listed = page[page.index('id="repeating"'):page.index('id="campaigns"')]
    assert "Họp dân tối thứ Sáu." in listed and "chờ đến giờ gửi" in listed
    assert f'/loudspeaker/cancel/{broadcast_id}"' in listed
    cancelled = await (await client.post(f"/loudspeaker/cancel/{broadcast_id}", cookies=jar,
                                         data={"csrf": csrf_in(page)})).text()
    assert "Đã hủy thông báo hẹn giờ" in cancelled
    after = cancelled[cancelled.index('id="repeating"'):cancelled.index('id="campaigns"')]
    assert "Họp dân tối thứ Sáu." not in after and "chưa có thông báo lặp lại" in after
    assert await entries(store, "broadcast", broadcast_id) == [
        ("broadcast.cancel", {"origin": "web"})]


async def test_another_commune_s_officer_sees_and_changes_none_of_it(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
    hung_loc: Commune,
) -> None:
    schedule_id = await services.broadcasts.repeat(
        Audience(hung_loc.id), OutMessage(text="Nhắc đổ rác đúng giờ."), "0 19 * * 6",
        cast.officer.id)
    broadcast_id = await services.broadcasts.schedule(
        Audience(hung_loc.id), OutMessage(text="Họp dân tối thứ Sáu."),
        clock.now() + timedelta(days=2), created_by=cast.officer.id)
    other = {COOKIE: await session_of(services, cast.stranger_officer)}
    page = await (await client.get("/loudspeaker", cookies=other)).text()
    assert "Nhắc đổ rác" not in page and "Họp dân tối" not in page
    theirs = csrf_in(page)
    for path in (f"/loudspeaker/repeating/{schedule_id}/stop",
                 f"/loudspeaker/repeating/{schedule_id}/start",
                 f"/loudspeaker/cancel/{broadcast_id}"):
        answer = await client.post(path, cookies=other, data={"csrf": theirs})
        assert answer.status == 404, path
    assert (await client.post(f"/loudspeaker/repeating/{schedule_id}/stop",
                              data={"csrf": theirs})).status == 401
    assert (await store.schedules.get(schedule_id)).active is True  # type: ignore[union-attr]
    assert (await store.broadcasts.get(broadcast_id)).state == "scheduled"  # type: ignore[union-attr]
    assert await entries(store, "schedule", schedule_id) == []
    assert await entries(store, "broadcast", broadcast_id) == []


async def test_cancelling_in_the_console_notes_it_on_the_chat_s_scheduled_message(
    client: TestClient, services: Services, store: Store, clock: FakeClock, cast: People,
    hung_loc: Commune,
) -> None:
    """Scheduled in chat, cancelled in the browser: the officer's "scheduled" message in
    Telegram says it was cancelled, as a cancel from /lichphat makes it say."""
    broadcast_id = await services.broadcasts.schedule(
        Audience(hung_loc.id), OutMessage(text="Họp dân tối thứ Sáu."),
        clock.now() + timedelta(days=2), created_by=cast.officer.id, progress=(1001, 77))
    sender = FakeSender()
    await services.delivery.start({"telegram": sender}, services.broadcasts.describe)
    try:
        jar = {COOKIE: await session_of(services, cast.officer)}
        page = await (await client.get("/loudspeaker", cookies=jar)).text()
        await client.post(f"/loudspeaker/cancel/{broadcast_id}", cookies=jar,
                          data={"csrf": csrf_in(page)})
    finally:
        await services.delivery.stop()
    assert sender.edits == [(1001, 77, "❌ Thông báo hẹn giờ đã bị hủy, không gửi gì.")]


async def test_a_repeating_announcement_is_composed_in_the_console_as_in_chat(
    client: TestClient, services: Services, store: Store, cast: People, hung_loc: Commune,
) -> None:
    """The repetition is typed the chat's way; one that cannot be read or has passed is
    said so, and nothing is kept."""
    jar = {COOKIE: await session_of(services, cast.officer)}
    csrf = csrf_in(await (await client.get("/loudspeaker", cookies=jar)).text())
    form = {"csrf": csrf, "commune": str(hung_loc.id), "text": "Họp tổ tối thứ Bảy."}
    bad = await (await client.post("/loudspeaker/send", cookies=jar,
                                   data={**form, "repeat": "thỉnh thoảng"})).text()
    assert "Không đọc được lịch lặp lại" in bad and await store.schedules.all() == []
    past = await (await client.post("/loudspeaker/send", cookies=jar,
                                    data={**form, "repeat": "07:00"})).text()  # 08:00 now
    assert "Giờ hẹn đã qua" in past and await store.schedules.all() == []
    done = await (await client.post("/loudspeaker/send", cookies=jar,
                                    data={**form, "repeat": "thu 7 19h"})).text()
    assert "Đã lập thông báo lặp lại" in done
    [schedule] = await store.schedules.all()
    assert schedule.cron == "0 19 * * sat" and schedule.created_by == cast.officer.id
    listed = done[done.index('id="repeating"'):done.index('id="campaigns"')]
    assert "Họp tổ tối thứ Bảy." in listed and "thứ Bảy" in listed
