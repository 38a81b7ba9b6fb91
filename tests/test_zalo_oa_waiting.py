"""News that could not reach a Zalo OA follower silent for over 7 days waits for their next
interaction, through the real bot and the OA emulator: recorded as waiting, sent (free) when
they next write, and left skipped once its wait is over."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import ZALO_OA_KEY
from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.delivery import OutMessage
from bot.models import Delivery
from bot.sandbox.zalo_oa import OaSandbox, SimOaUser
from bot.services.oa_reach import waits_until
from bot.store import Store
from tests.helpers import services_of
from tests.oa_kit import follower, oa_section
from tests.test_zalo_oa_channel import connected, oa  # noqa: F401 - fixtures

NEWS = "Họp dân tối thứ Bảy tại nhà văn hóa ấp."


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch)


def test_news_and_propaganda_wait_the_rest_does_not() -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)
    assert waits_until(now, "propaganda", False) == "2026-12-31T08:00:00+00:00"
    assert waits_until(now, "announcement", False) == "2026-12-04T08:00:00+00:00"
    assert waits_until(now, "announcement", True) is None  # a ZBS template instead
    assert waits_until(now, "alarm", True) is None
    assert waits_until(now, "personal", False) is None


async def state_and_reach(store: Store, broadcast_id: int) -> tuple[str, str | None]:
    row = await store.db.fetchone(
        "SELECT state, reach FROM outbox WHERE broadcast_id = ?", (broadcast_id,))
    assert row is not None
    return row[0], row[1]


async def news_to_the_silent(emulator: OaSandbox, bot: AnninhApp, clock: FakeClock,
                             seed: int) -> tuple[SimOaUser, int]:
    """A follower silent for 10 days, and an announcement to them, closed (nothing sent)."""
    delivery = services_of(bot).delivery
    silent, to_silent = await follower(emulator, bot, clock, seed, 24 * 10)
    broadcast_id = await delivery.enqueue(
        "announcement", OutMessage(text=NEWS), [to_silent], commune_id=None, origin="test")
    await delivery.wait_done(broadcast_id, timeout=10)
    return silent, broadcast_id


async def test_news_waits_for_the_follower_s_next_message_and_then_goes_free(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    services = services_of(bot)
    silent, broadcast_id = await news_to_the_silent(connected, bot, clock, 31)
    assert silent.messages == []
    assert await state_and_reach(store, broadcast_id) == ("skipped", "outside_window")
    usage = await store.zalo_oa.usage_of(broadcast_id)
    assert usage is not None and (usage.waiting, usage.outside_window) == (1, 0)

    delivered = asyncio.Event()

    async def told(delivery: Delivery) -> None:
        if delivery.state == "sent":
            delivered.set()

    services.delivery.subscribe(broadcast_id, told)
    clock.advance(timedelta(days=2))
    await silent.send("menu")
    await silent.wait_for(NEWS)
    assert any("Đã nhận" in title for title in silent.buttons())
    await bot.bot_data[ZALO_OA_KEY].idle()
    assert any("Bạn muốn làm gì" in m.text for m in silent.messages)  # and what they asked
    await asyncio.wait_for(delivered.wait(), 10)  # its outcome recorded
    assert await state_and_reach(store, broadcast_id) == ("sent", "free")
    usage = await store.zalo_oa.usage_of(broadcast_id)
    assert usage is not None and (usage.free, usage.waiting, usage.outside_window) == (1, 0, 0)
    assert connected.stats.outside_window == 0  # never tried outside Zalo's window

    await silent.send("trợ giúp")  # a later message does not send it again
    await silent.wait_for("/baotin")
    assert len([m for m in silent.messages if NEWS in m.text]) == 1


async def test_news_whose_wait_is_over_stays_skipped(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    silent, broadcast_id = await news_to_the_silent(connected, bot, clock, 32)
    clock.advance(timedelta(days=4))  # an announcement waits three days
    usage = await store.zalo_oa.usage_of(broadcast_id)
    assert usage is not None and (usage.waiting, usage.outside_window) == (0, 1)
    await silent.send("menu")
    await silent.wait_for("Bạn muốn làm gì")  # handled after the wait was looked at
    assert await state_and_reach(store, broadcast_id) == ("skipped", "outside_window")
    assert all(NEWS not in m.text for m in silent.messages)
