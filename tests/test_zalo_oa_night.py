"""Zalo's night rule for ZBS template messages (-133, 22:00–06:00), through the real bot and
the OA emulator: an urgent announcement refused for the night is queued again for 06:00 (the
attempt not counted) and goes by template in the morning; the gong's template is not kept
until morning (recorded as failed, so its caller is told)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.delivery import OutMessage
from bot.models import Lane
from bot.sandbox.zalo_oa import OaSandbox, SimOaUser
from bot.services.oa_reach import after_the_night
from bot.store import Store
from tests.helpers import services_of
from tests.oa_kit import follower, oa_section
from tests.test_campaigns import until_rows
from tests.test_zalo_oa_channel import connected, oa  # noqa: F401 - fixtures

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NEWS = "Khẩn: nước lên, di dời khỏi bờ sông."


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch)


def test_the_night_ends_at_six_local_time() -> None:
    assert after_the_night(datetime(2026, 12, 1, 23, 0, tzinfo=VN), VN) == timedelta(hours=7)
    assert after_the_night(datetime(2026, 12, 1, 3, 30, tzinfo=VN), VN) == timedelta(
        hours=2, minutes=30)
    # Zalo says night where our clock does not: try again soon
    assert after_the_night(datetime(2026, 12, 1, 14, 0, tzinfo=VN), VN) == timedelta(minutes=30)


async def at_night(emulator: OaSandbox, bot: AnninhApp, clock: FakeClock, lane: Lane,
                   text: str) -> tuple[SimOaUser, int]:
    """At 23:00, Zalo refusing templates: an urgent message to a follower silent for 30 days."""
    clock.set(datetime(2026, 12, 1, 23, 0, tzinfo=VN))
    emulator.world.zbs_night = True
    silent, to_silent = await follower(emulator, bot, clock, 41, 24 * 30)
    broadcast_id = await services_of(bot).delivery.enqueue(
        lane, OutMessage(text=text), [to_silent], commune_id=None, origin="test", urgent=True)
    return silent, broadcast_id


async def test_an_urgent_template_refused_for_the_night_goes_in_the_morning(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    services = services_of(bot)
    silent, broadcast_id = await at_night(connected, bot, clock, "announcement", NEWS)
    [(not_before, attempts, error)] = await until_rows(
        store, "SELECT not_before, attempts, last_error FROM outbox WHERE broadcast_id = ? "
        "AND state = 'queued' AND last_error IS NOT NULL", broadcast_id)
    assert attempts == 0 and "-133" in str(error)
    assert 6.5 * 3600 < float(str(not_before)) - time.time() <= 7 * 3600  # 06:00
    assert silent.messages == [] and connected.stats.zbs_refused == 1

    connected.world.zbs_night = False  # the morning
    await store.db.write("UPDATE outbox SET not_before = 0 WHERE broadcast_id = ?",
                         (broadcast_id,))
    services.delivery.notify()
    await services.delivery.wait_done(broadcast_id, timeout=10)
    await silent.wait_for("di dời khỏi bờ sông")
    [delivery] = await store.outbox.deliveries(broadcast_id)
    assert delivery.state == "sent" and connected.stats.zbs == 1


async def test_the_gong_s_template_refused_for_the_night_is_recorded_as_failed(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    silent, broadcast_id = await at_night(connected, bot, clock, "alarm", "Kẻng!")
    await services_of(bot).delivery.wait_done(broadcast_id, timeout=10)
    [delivery] = await store.outbox.deliveries(broadcast_id)
    assert delivery.state == "failed" and "-133" in (delivery.last_error or "")
    assert "morning" in (delivery.last_error or "")
    assert silent.messages == []
