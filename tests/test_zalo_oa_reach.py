"""Reach and cost on a Zalo Official Account, through the real bot and the OA emulator: the
engine decides per message by the follower's last interaction — within 48 h a free
consultation message, within 7 days a billable one, beyond that a paid ZBS template for the
gong and urgent announcements and nothing (recorded 'skipped', outside_window) for ordinary
news; announcements carry a "Đã nhận" button whose press keeps the window open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.delivery import OutMessage
from bot.models import Lane
from bot.sandbox.zalo_oa import OaSandbox, SimOaUser
from bot.services.oa_reach import decide
from bot.store import Store
from tests.helpers import services_of
from tests.oa_kit import NEWS_TEMPLATE, follower, oa_section
from tests.test_campaigns import until_rows
from tests.test_zalo_oa_channel import connected, oa  # noqa: F401 - fixtures


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch)


def test_the_rule_per_lane_and_age() -> None:
    now = datetime(2026, 12, 1, 8, tzinfo=UTC)

    def ago(hours: float) -> str:
        return (now - timedelta(hours=hours)).isoformat()

    lanes: list[tuple[Lane, bool]] = [("announcement", False), ("propaganda", False),
                                      ("personal", False), ("announcement", True),
                                      ("alarm", True)]
    for lane, urgent in lanes:
        assert decide(now, ago(47), lane, urgent) == "free"
        assert decide(now, ago(49), lane, urgent) == "billable"
        assert decide(now, ago(24 * 7 - 1), lane, urgent) == "billable"
    assert decide(now, ago(24 * 8), "announcement", False) == "outside_window"
    assert decide(now, ago(24 * 8), "propaganda", False) == "outside_window"
    assert decide(now, ago(24 * 8), "personal", False) == "outside_window"
    assert decide(now, ago(24 * 8), "announcement", True) == "zbs"
    assert decide(now, ago(24 * 8), "alarm", True) == "zbs"
    assert decide(now, None, "alarm", True) == "zbs"  # never interacted
    assert decide(now, None, "announcement", False) == "outside_window"


async def test_an_announcement_goes_free_billable_or_not_at_all_and_each_is_recorded(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    services = services_of(bot)
    fresh, to_fresh = await follower(connected, bot, clock, 11, 2)
    older, to_older = await follower(connected, bot, clock, 12, 72)
    silent, to_silent = await follower(connected, bot, clock, 13, 24 * 10)
    broadcast_id = await services.delivery.enqueue(
        "announcement", OutMessage(text="Họp dân tối thứ Bảy tại nhà văn hóa ấp."),
        [to_fresh, to_older, to_silent], commune_id=None, origin="test")
    await services.delivery.wait_done(broadcast_id, timeout=10)
    for person in (fresh, older):
        message = await person.wait_for("Họp dân")
        assert any("Đã nhận" in title for title in person.buttons())
        assert "Đã nhận" in message.text  # the numbered line too
    assert silent.messages == []
    states = {d.chat_id: d.state for d in await store.outbox.deliveries(broadcast_id)}
    assert states == {fresh.id: "sent", older.id: "sent", silent.id: "skipped"}
    reach = dict(await store.db.fetchall(
        "SELECT address, reach FROM outbox WHERE broadcast_id = ?", (broadcast_id,)))
    assert reach == {fresh.id: "free", older.id: "billable", silent.id: "outside_window"}
    usage = await store.zalo_oa.usage_of(broadcast_id)
    assert usage is not None and (usage.free, usage.billable, usage.zbs,
                                  usage.waiting) == (1, 1, 0, 1)  # news waits (test_..._waiting)
    assert connected.stats.free == 1 and connected.stats.billable == 1
    assert connected.stats.outside_window == 0  # never tried: no -230 asked for
    counts = await store.outbox.counts(broadcast_id)
    assert (counts.sent, counts.skipped, counts.failed) == (2, 1, 0)


async def urgent_to_the_silent(emulator: OaSandbox, bot: AnninhApp, clock: FakeClock,
                               seed: int, text: str) -> tuple[SimOaUser, int]:
    """An urgent announcement to a follower silent for 30 days, delivered (by ZBS)."""
    delivery = services_of(bot).delivery
    silent, to_silent = await follower(emulator, bot, clock, seed, 24 * 30)
    broadcast_id = await delivery.enqueue("announcement", OutMessage(text=text), [to_silent],
                                          commune_id=None, origin="test", urgent=True)
    await delivery.wait_done(broadcast_id, timeout=10)
    return silent, broadcast_id


async def test_an_urgent_announcement_reaches_the_silent_by_zbs(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    silent, broadcast_id = await urgent_to_the_silent(
        connected, bot, clock, 21, "<b>Khẩn</b>: nước lên, di dời khỏi bờ sông.")
    message = await silent.wait_for("di dời khỏi bờ sông")
    assert message.text == "Khẩn: nước lên, di dời khỏi bờ sông."  # plain, in the template
    assert silent.chat.history[-1]["template_id"] == NEWS_TEMPLATE
    assert connected.stats.zbs == 1 and connected.stats.sent == 0
    [delivery] = await store.outbox.deliveries(broadcast_id)
    assert delivery.state == "sent"
    usage = await store.zalo_oa.usage_of(broadcast_id)
    assert usage is not None and usage.zbs == 1


async def test_without_an_approved_template_the_silent_are_recorded_as_failed(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    connected.world.templates.clear()  # the configured ids are not approved (yet)
    services = services_of(bot)
    silent, to_silent = await follower(connected, bot, clock, 22, 24 * 30)
    broadcast_id = await services.delivery.enqueue(
        "alarm", OutMessage(text="Kẻng!"), [to_silent], commune_id=None, origin="test",
        urgent=True)
    await services.delivery.wait_done(broadcast_id, timeout=10)
    [delivery] = await store.outbox.deliveries(broadcast_id)
    assert delivery.state == "failed" and "-131" in (delivery.last_error or "")
    assert silent.messages == [] and connected.stats.zbs_refused == 1


async def test_pressing_received_thanks_and_opens_the_window_again(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    services = services_of(bot)
    lan, to_lan = await follower(connected, bot, clock, 31, 100)
    before = await store.zalo_oa.follower(lan.id)
    broadcast_id = await services.delivery.enqueue(
        "announcement", OutMessage(text="Lịch tiêm chủng tuần sau."), [to_lan],
        commune_id=None, origin="test")
    await services.delivery.wait_done(broadcast_id, timeout=10)
    await lan.wait_for("Lịch tiêm chủng")
    await lan.press("Đã nhận")
    await lan.wait_for("Cảm ơn bạn đã xác nhận")
    after = await store.zalo_oa.follower(lan.id)
    assert before is not None and after is not None
    assert after.interacted_at == clock.now().astimezone(UTC).isoformat()
    assert after.interacted_at != before.interacted_at
    assert decide(clock.now(), after.interacted_at, "announcement", False) == "free"


async def test_every_event_stamps_the_last_interaction(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    mai, _ = await follower(connected, bot, clock, 41, 24 * 9)
    clock.advance(timedelta(minutes=5))
    await mai.send_sticker()  # nothing the bot reads, still an interaction
    await mai.wait_for("113")
    seen = await store.zalo_oa.follower(mai.id)
    assert seen is not None and seen.interacted_at == clock.now().astimezone(UTC).isoformat()


async def test_the_app_s_rate_is_taken_per_call_of_zalo_s_api_not_per_message(
    connected: OaSandbox, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    services = services_of(bot)
    pacer = services.delivery.drains["zalo_oa"].pacer
    fresh, to_fresh = await follower(connected, bot, clock, 21, 2)
    silent = [(await follower(connected, bot, clock, 22 + n, 24 * 10))[1] for n in range(3)]
    taken, calls = pacer.taken, len(connected.stats.calls)
    paragraph = "Họp dân tối thứ Bảy tại nhà văn hóa ấp, mang theo giấy tờ. " * 20
    broadcast_id = await services.delivery.enqueue(
        "announcement", OutMessage(text=f"{paragraph}\n\n{paragraph}"), [to_fresh, *silent],
        commune_id=None, origin="test")
    await services.delivery.wait_done(broadcast_id, timeout=10)
    await fresh.wait_for("Đã nhận")
    assert len(connected.stats.calls) - calls == 2  # the message in two parts; none skipped
    assert pacer.taken - taken == 2  # a token per call: the skipped three cost none


async def test_a_zbs_template_s_delivery_receipt_is_recorded_on_its_row(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
) -> None:
    silent, broadcast_id = await urgent_to_the_silent(connected, bot, clock, 25,
                                                      "Khẩn: đường ngập.")
    await silent.wait_for("đường ngập")
    tracking = silent.chat.history[-1]["tracking_id"]
    [(ref, received_at)] = await until_rows(
        store, "SELECT ref, received_at FROM outbox WHERE broadcast_id = ? "
        "AND received_at IS NOT NULL", broadcast_id)
    assert ref == f"zbs:{tracking}" and received_at == store.db.now_iso()
    follower_now = await store.zalo_oa.follower(silent.id)
    assert follower_now is not None and follower_now.interacted_at is not None
    # a receipt is no interaction: the window stays shut
    assert datetime.fromisoformat(follower_now.interacted_at) < clock.now() - timedelta(days=29)
