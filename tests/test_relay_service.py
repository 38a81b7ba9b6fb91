"""RelayService on real SQLite with a fake Sender: parts, links, the writer told, restarts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.clock import FakeClock
from bot.config import BroadcastConfig, Config
from bot.delivery import DeliveryEngine, Rejected
from bot.media import MediaStore
from bot.models import Recipient, Report
from bot.services.categories import Categories
from bot.services.relays import Note, Notice, RelayService, notice_in
from bot.services.report_values import Draft
from bot.services.reports import ReportService
from bot.services.residents import ResidentService
from bot.store import Store
from tests.delivery_kit import TZ, FakeSender
from tests.helpers import STAFF_CHAT_ID, media_service

FAST = BroadcastConfig(rate_per_second=1000, paid_broadcast=True, per_chat_seconds=0.01,
                       group_per_minute=1000, poll_seconds=0.02, progress_seconds=0.05,
                       max_attempts=2)
NOTICE = Notice(4001, 77, "✓ Đã chuyển", "⚠️ Chưa chuyển được")


@pytest.fixture
async def report(store: Store, config: Config, clock: FakeClock) -> Report:
    residents = ResidentService(store, Catalog.load(config.content.folder),
                                media_service(store, config))
    resident = await residents.give_consent(await residents.ensure(4001), "v1", "Hà", "vi")
    reports = ReportService(store, config.reports, clock,
                            Categories.load(config.content.folder))
    filed = await reports.file(resident, Draft("trom-cap", "Mất xe"))
    assert filed.report is not None
    async with store.db.transaction() as tx:
        await store.reports.set_staff_message(tx, filed.report.id, STAFF_CHAT_ID, 500)
    found = await store.reports.get(filed.report.id)
    assert found is not None
    return found


@pytest.fixture
async def engine(store: Store, clock: FakeClock) -> AsyncIterator[DeliveryEngine]:
    delivery = DeliveryEngine(store, FAST, clock, TZ)
    delivery.backoff = 0.01
    try:
        yield delivery
    finally:
        await delivery.stop()


def _relays(store: Store, engine: DeliveryEngine) -> RelayService:
    return RelayService(store, engine, MediaStore(Path(store.db.path).parent / "media"))


async def _notices(store: Store, relay_id: int) -> list[str]:
    broadcasts = await store.broadcasts.by_origin(f"relay-notice:{relay_id}")
    return [broadcast.payload for broadcast in broadcasts]


async def test_a_long_relay_goes_in_parts_each_linked_then_the_writer_is_told(
    store: Store, engine: DeliveryEngine, report: Report
) -> None:
    relays = _relays(store, engine)
    sender = FakeSender()
    await engine.start(sender)
    body = "💬 <b>Người báo tin</b>:\n" + " ".join(f"từ{i}" for i in range(1000))
    relay_id = await relays.to_staff(report, body, None, party="reporter",
                                     note=Note("reporter", None, "…", None), notice=NOTICE)
    await sender.wait_sent(3)
    parts, notice = sender.sent[:2], sender.sent[2]
    assert [chat for chat, _, _ in parts] == [STAFF_CHAT_ID, STAFF_CHAT_ID]
    assert all(message.reply_to == 500 for _, message, _ in parts)  # the card
    assert (notice[0], notice[1].text, notice[1].reply_to) == (4001, "✓ Đã chuyển", 77)
    for message_id in (1, 2):
        linked = await store.reports.by_message(STAFF_CHAT_ID, message_id)
        assert linked is not None and (linked[0].id, linked[1]) == (report.id, "reporter")
    relay = await store.relays.get(relay_id)
    assert relay is not None and relay.state == "delivered"
    assert relay.notify_chat_id is None  # the writer's chat is forgotten once they are told
    count = await store.db.scalar(
        "SELECT count(*) FROM report_messages WHERE report_id = ?", (report.id,))
    assert count == 1


async def test_a_part_refused_means_the_writer_is_told_it_did_not_arrive(
    store: Store, engine: DeliveryEngine, report: Report
) -> None:
    relays = _relays(store, engine)
    sender = FakeSender()
    sender.failures[STAFF_CHAT_ID] = [Rejected("Bad Request: can't parse entities")]
    await engine.start(sender)
    body = "x " * 3000  # two parts: the first is refused, the second arrives
    relay_id = await relays.to_staff(report, body, None, party="reporter", note=None,
                                     notice=NOTICE)
    await sender.wait_sent(2)
    assert sender.sent[-1][1].text == "⚠️ Chưa chuyển được"
    relay = await store.relays.get(relay_id)
    assert relay is not None and relay.state == "failed"


async def test_nobody_to_send_to_is_told_at_once(
    store: Store, engine: DeliveryEngine, report: Report
) -> None:
    relays = _relays(store, engine)
    sender = FakeSender()
    await engine.start(sender)
    await relays.to_person(report, None, "…", None, party="reporter", note=None,
                           notice=NOTICE)
    await sender.wait_sent(1)
    assert [(chat, m.text) for chat, m, _ in sender.sent] == [(4001, "⚠️ Chưa chuyển được")]


async def test_a_relay_sent_before_a_restart_is_reported_after_it(
    store: Store, clock: FakeClock, report: Report
) -> None:
    """The bot stopped after sending the relay but before telling its writer: on the next
    start, settle_pending tells them, once."""
    queued_by = DeliveryEngine(store, FAST, clock, TZ)
    relays = _relays(store, queued_by)
    relay_id = await relays.to_person(report, Recipient(None, 4002), "Công an xã: …", None,
                                      party="reporter", note=None, notice=NOTICE)
    sender = FakeSender()
    without_handler = DeliveryEngine(store, FAST, clock, TZ)  # a run that died before telling
    await without_handler.start(sender)
    for part in await store.broadcasts.by_origin(f"relay:{relay_id}"):
        await without_handler.wait_done(part.id, timeout=10)
    await without_handler.stop()
    assert sender.chats() == [4002] and await _notices(store, relay_id) == []

    restarted = DeliveryEngine(store, FAST, clock, TZ)
    relays = _relays(store, restarted)
    await restarted.start(sender)
    try:
        assert await relays.settle_pending() == 1
        assert await relays.settle_pending() == 0
        await sender.wait_sent(2)
    finally:
        await restarted.stop()
    assert [(chat, m.text) for chat, m, _ in sender.sent] == [
        (4002, "Công an xã: …"), (4001, "✓ Đã chuyển")]


def test_a_notice_goes_only_where_the_outbox_reaches() -> None:
    assert notice_in("telegram", "4001", "77", "ok", "no") == Notice(4001, 77, "ok", "no")
    assert notice_in("telegram", "4001", None, "ok", "no") == Notice(4001, None, "ok", "no")
    assert notice_in("zalo", "a1b2c3d4", "ff01", "ok", "no") is None  # not yet: told at once
