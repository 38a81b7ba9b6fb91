"""The delivery engine on real SQLite with a fake Sender: lanes, pace, errors, crash, progress."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.config import BroadcastConfig
from bot.delivery import (
    DeliveryEngine,
    Migrated,
    OutMessage,
    RateLimited,
    Rejected,
    Transient,
    Unreachable,
)
from bot.models import Broadcast, Delivery, DeliveryCounts, Recipient
from bot.store import Store
from tests.delivery_kit import DATABASE, FAST, TZ, FakeSender


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 24, 3, 0, tzinfo=UTC))  # 10:00 in Vietnam


def people(first: int, count: int) -> list[Recipient]:
    return [Recipient(None, chat) for chat in range(first, first + count)]


async def make_residents(store: Store, telegram_ids: list[int]) -> list[Recipient]:
    recipients = []
    async with store.db.transaction() as tx:
        for telegram_id in telegram_ids:
            resident_id = await store.residents.ensure(tx, telegram_id)
            recipients.append(Recipient(resident_id, telegram_id))
    return recipients


async def test_each_recipient_gets_the_message_once_and_its_id_is_kept(
    db: Store, engine: DeliveryEngine
) -> None:
    sender = FakeSender()
    await engine.start(sender)
    recipients = people(5000, 120) + people(5000, 5)  # five twice: queued once
    broadcast_id = await engine.enqueue("announcement", OutMessage(text="Họp dân 19:00"),
                                        recipients, commune_id=None, origin="test")
    await engine.wait_done(broadcast_id, timeout=10)

    assert sorted(sender.chats()) == list(range(5000, 5120))
    deliveries = await db.outbox.deliveries(broadcast_id)
    assert {d.state for d in deliveries} == {"sent"}
    assert len({d.message_id for d in deliveries}) == 120
    broadcast = await db.broadcasts.get(broadcast_id)
    assert broadcast is not None and broadcast.state == "done" and broadcast.total == 120


async def test_outbox_is_written_before_anything_is_sent(
    db: Store, engine: DeliveryEngine
) -> None:
    broadcast_id = await engine.enqueue("propaganda", OutMessage(text="x"), people(1, 40),
                                        commune_id=None, origin="test")
    counts = await db.outbox.counts(broadcast_id)
    assert counts == DeliveryCounts(queued=40)  # nothing sends until the engine starts
    sender = FakeSender()
    await engine.start(sender)
    await engine.wait_done(broadcast_id, timeout=10)
    assert len(sender.sent) == 40


async def test_an_alarm_overtakes_a_long_propaganda_run(
    db: Store, clock: FakeClock
) -> None:
    config = BroadcastConfig(rate_per_second=400, paid_broadcast=True, poll_seconds=0.02)
    engine = DeliveryEngine(db, config, clock, TZ)
    sender = FakeSender()
    long_run = await engine.enqueue("propaganda", OutMessage(text="tuyên truyền"),
                                    people(10_000, 2000), commune_id=None, origin="test")
    await engine.start(sender)
    try:
        await sender.wait_sent(50)
        position = len(sender.sent)
        alarm = await engine.enqueue("alarm", OutMessage(text="KẺNG"), people(1, 5),
                                     commune_id=None, origin="test")
        await engine.wait_done(alarm, timeout=10)
        alarm_positions = [i for i, (chat, _, _) in enumerate(sender.sent) if chat < 10]
        assert len(alarm_positions) == 5
        assert max(alarm_positions) < position + 2 * config.concurrency
        assert await db.outbox.open_broadcasts([long_run]) == {long_run}  # still going
    finally:
        await engine.stop()


async def test_the_global_rate_and_the_per_chat_limit_are_kept(
    db: Store, clock: FakeClock
) -> None:
    config = BroadcastConfig(rate_per_second=40, per_chat_seconds=0.5, poll_seconds=0.02)
    engine = DeliveryEngine(db, config, clock, TZ)
    sender = FakeSender()
    await engine.start(sender)
    try:
        first = await engine.enqueue("announcement", OutMessage(text="1"), people(1, 30),
                                     commune_id=None, origin="test")
        second = await engine.enqueue("announcement", OutMessage(text="2"), people(1, 2),
                                      commune_id=None, origin="test")
        await engine.wait_done(first, timeout=10)
        await engine.wait_done(second, timeout=10)
    finally:
        await engine.stop()
    stamps = [stamp for _, _, stamp in sender.sent]
    window = [s for s in stamps if s - stamps[0] < 0.5]
    assert len(window) <= 0.5 * 40 + engine.pacer.burst + 1
    for chat in (1, 2):
        times = [stamp for c, _, stamp in sender.sent if c == chat]
        assert len(times) == 2 and times[1] - times[0] >= 0.5


async def test_retry_after_pauses_every_send_and_loses_nothing(
    db: Store, engine: DeliveryEngine
) -> None:
    sender = FakeSender()
    sender.failures[3] = [RateLimited(0.4)]
    await engine.start(sender)
    broadcast_id = await engine.enqueue("announcement", OutMessage(text="x"), people(1, 6),
                                        commune_id=None, origin="test")
    await engine.wait_done(broadcast_id, timeout=10)
    assert sorted(sender.chats()) == [1, 2, 3, 4, 5, 6]
    third = next(stamp for chat, _, stamp in sender.sent if chat == 3)
    before = [stamp for chat, _, stamp in sender.sent if chat in (1, 2)]
    assert third - max(before) >= 0.35
    deliveries = {d.chat_id: d for d in await db.outbox.deliveries(broadcast_id)}
    assert deliveries[3].attempts == 1  # a 429 is not the message's fault


async def test_blocked_resident_is_marked_and_gets_nothing_more(
    db: Store, engine: DeliveryEngine
) -> None:
    recipients = await make_residents(db, [31, 32, 33])
    sender = FakeSender()
    sender.failures[32] = [Unreachable("Forbidden: bot was blocked by the user")]
    first = await engine.enqueue("announcement", OutMessage(text="1"), recipients,
                                 commune_id=None, origin="test")
    second = await engine.enqueue("propaganda", OutMessage(text="2"), recipients,
                                  commune_id=None, origin="test")
    await engine.start(sender)
    await engine.wait_done(first, timeout=10)
    await engine.wait_done(second, timeout=10)

    assert 32 not in sender.chats()
    assert sorted(sender.chats()) == [31, 31, 33, 33]
    resident = await db.residents.by_telegram_id(32)
    assert resident is not None and resident.unreachable_at is not None
    for broadcast_id in (first, second):
        states = {d.chat_id: d.state for d in await db.outbox.deliveries(broadcast_id)}
        assert states[32] == "unreachable"
    assert (await db.outbox.counts(first)).unreachable == 1


async def test_timeouts_retry_with_backoff_then_fail_with_the_reason(
    db: Store, engine: DeliveryEngine
) -> None:
    sender = FakeSender()
    sender.failures[1] = [Transient("Timed out"), Transient("Timed out")]
    sender.failures[2] = [Transient("Network error")] * 5
    sender.failures[3] = [Rejected("Bad Request: can't parse entities")]
    sender.failures[4] = [Migrated(-1009)]
    await engine.start(sender)
    broadcast_id = await engine.enqueue("announcement", OutMessage(text="x"), people(1, 4),
                                        commune_id=None, origin="test")
    await engine.wait_done(broadcast_id, timeout=10)

    deliveries = {d.chat_id: d for d in await db.outbox.deliveries(broadcast_id)}
    assert (deliveries[1].state, deliveries[1].attempts) == ("sent", 3)
    assert (deliveries[2].state, deliveries[2].attempts) == ("failed", 3)
    assert deliveries[2].last_error == "Network error"
    assert (deliveries[3].state, deliveries[3].attempts) == ("failed", 1)
    assert "parse entities" in (deliveries[3].last_error or "")
    assert deliveries[-1009].state == "sent"
    assert sorted(sender.chats()) == [-1009, 1]


async def test_killed_mid_broadcast_then_restarted_loses_nothing(
    db: Store, clock: FakeClock, tmp_path: Path
) -> None:
    engine = DeliveryEngine(db, FAST, clock, TZ)
    sender = FakeSender()
    sender.gate, sender.after_sends = asyncio.Event(), 150  # sends hang from the 151st on
    broadcast_id = await engine.enqueue("propaganda", OutMessage(text="x"), people(1, 400),
                                        commune_id=None, origin="test")
    await engine.start(sender)
    await sender.wait_sent(150)
    await asyncio.sleep(0.05)
    await engine.crash()  # like kill -9: nothing flushed, nothing released
    await db.close()

    reopened = await Store.open(tmp_path / DATABASE)
    try:
        in_flight = {d.chat_id for d in await reopened.outbox.deliveries(broadcast_id)
                     if d.state == "sending"}
        before = list(sender.chats())
        sender.gate.set()
        sender.sent.clear()
        restarted = DeliveryEngine(reopened, FAST, clock, TZ)
        await restarted.start(sender)
        await restarted.wait_done(broadcast_id, timeout=10)
        await restarted.stop()
        after = sender.chats()
        assert set(before) | set(after) == set(range(1, 401))  # nothing lost
        twice = set(before) & set(after)
        assert twice <= in_flight  # only what was in flight at the crash is repeated
        assert len(after) == len(set(after))
        assert (await reopened.outbox.counts(broadcast_id)).sent == 400
    finally:
        await reopened.close()


async def test_quiet_hours_hold_propaganda_and_silence_announcements(
    db: Store, engine: DeliveryEngine, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))  # 23:00 in Vietnam
    sender = FakeSender()
    await engine.start(sender)
    propaganda = await engine.enqueue("propaganda", OutMessage(text="tuyên truyền"),
                                      people(1, 3), commune_id=None, origin="test")
    notice = await engine.enqueue("announcement", OutMessage(text="thông báo"), people(11, 2),
                                  commune_id=None, origin="test")
    urgent = await engine.enqueue("announcement", OutMessage(text="khẩn"), people(21, 1),
                                  commune_id=None, origin="test", urgent=True)
    await engine.wait_done(notice, timeout=10)
    await engine.wait_done(urgent, timeout=10)
    await asyncio.sleep(0.1)
    assert sorted(sender.chats()) == [11, 12, 21]
    silent = {chat: message.silent for chat, message, _ in sender.sent}
    assert silent == {11: True, 12: True, 21: False}

    clock.set(datetime(2026, 11, 24, 23, 31, tzinfo=UTC))  # 06:31 the next morning
    engine.notify()
    await engine.wait_done(propaganda, timeout=10)
    assert sorted(sender.chats())[:3] == [1, 2, 3]


async def test_propaganda_claimed_before_quiet_hours_goes_back_untried(
    db: Store, clock: FakeClock
) -> None:
    """Rows already in the engine's hands when quiet hours begin are not sent at night: they
    go back to the outbox as they were and go out, once each, in the morning."""
    clock.set(datetime(2026, 11, 24, 14, 59, tzinfo=UTC))  # 21:59, a minute before quiet hours
    config = BroadcastConfig(rate_per_second=1000, paid_broadcast=True, per_chat_seconds=0.05,
                             poll_seconds=0.02, concurrency=1, quiet_hours="22:00-06:30")
    engine = DeliveryEngine(db, config, clock, TZ)
    sender = FakeSender()
    sender.gate, sender.after_sends = asyncio.Event(), 2
    await engine.start(sender)
    try:
        propaganda = await engine.enqueue("propaganda", OutMessage(text="tuyên truyền"),
                                          people(1, 10), commune_id=None, origin="test")
        await asyncio.wait_for(sender.waiting.wait(), 10)  # the third send is in flight
        clock.set(datetime(2026, 11, 24, 15, 1, tzinfo=UTC))  # 22:01: quiet
        sender.gate.set()
        notice = await engine.enqueue("announcement", OutMessage(text="thông báo"), people(99, 1),
                                      commune_id=None, origin="test")
        await engine.wait_done(notice, timeout=10)
    finally:
        await engine.stop()
    assert sender.chats() == [1, 2, 3, 99]
    rows = await db.db.fetchall(
        "SELECT state, attempts FROM outbox WHERE broadcast_id = ? ORDER BY chat_id",
        (propaganda,))
    assert [(row["state"], row["attempts"]) for row in rows] == (
        [("sent", 1)] * 3 + [("queued", 0)] * 7)

    clock.set(datetime(2026, 11, 24, 23, 31, tzinfo=UTC))  # 06:31 the next morning
    morning = DeliveryEngine(db, config, clock, TZ)
    await morning.start(sender)
    try:
        await morning.wait_done(propaganda, timeout=10)
    finally:
        await morning.stop()
    assert sorted(sender.chats()) == [*range(1, 11), 99]


async def test_progress_updates_one_message_then_summarises(
    db: Store, clock: FakeClock
) -> None:
    config = BroadcastConfig(rate_per_second=30, poll_seconds=0.02, progress_seconds=0.05)
    engine = DeliveryEngine(db, config, clock, TZ)
    calls: list[tuple[int, bool]] = []

    def describe(broadcast: Broadcast, counts: DeliveryCounts, final: bool) -> str:
        calls.append((counts.sent, final))
        return f"{'done' if final else 'sending'} {counts.sent}/{counts.total}"

    sender = FakeSender()
    await engine.start(sender, describe)
    try:
        broadcast_id = await engine.enqueue(
            "announcement", OutMessage(text="x"), people(1, 20), commune_id=None,
            origin="test", progress=(1001, 77))
        await engine.wait_done(broadcast_id, timeout=10)
    finally:
        await engine.stop()
    assert sender.edits and {(c, m) for c, m, _ in sender.edits} == {(1001, 77)}
    assert sender.edits[-1][2] == "done 20/20"
    assert 1 < len(sender.edits) < 20  # every few moments, not once per delivery
    assert calls[-1] == (20, True)


async def test_listener_hears_each_delivery_with_its_message_id(
    db: Store, engine: DeliveryEngine
) -> None:
    heard: list[Delivery] = []

    async def on_delivered(delivery: Delivery) -> None:
        heard.append(delivery)

    sender = FakeSender()
    sender.failures[2] = [Unreachable("Forbidden: user is deactivated")]
    await engine.start(sender)
    broadcast_id = await engine.enqueue(
        "alarm", OutMessage(text="KẺNG", buttons=((("Đang đến", "al:go:1"),),)),
        people(1, 3), commune_id=None, origin="alarm:1", on_delivered=on_delivered)
    await engine.wait_done(broadcast_id, timeout=10)
    assert sorted((d.chat_id, d.state) for d in heard) == [
        (1, "sent"), (2, "unreachable"), (3, "sent")]
    assert all(d.message_id for d in heard if d.state == "sent")
    assert sender.sent[0][1].buttons == ((("Đang đến", "al:go:1"),),)


def test_a_message_survives_its_json_round_trip() -> None:
    from bot.delivery import Quiz

    message = OutMessage(text="<b>x</b>", photo_path="/tmp/a.jpg", copy_from=(5, 6),
                         quiz=Quiz("Hỏi?", ("A", "B"), 1, "Vì"), buttons=((("a", "b"),),))
    assert OutMessage.from_json(message.to_json()) == message


async def test_personal_messages_go_after_alarms_and_before_announcements(
    db: Store, clock: FakeClock
) -> None:
    config = BroadcastConfig(rate_per_second=1000, paid_broadcast=True, poll_seconds=0.02,
                             concurrency=1)
    engine = DeliveryEngine(db, config, clock, TZ)
    sender = FakeSender()
    notice = await engine.enqueue("announcement", OutMessage(text="họp"), people(100, 30),
                                  commune_id=None, origin="test")
    relay = await engine.enqueue("personal", OutMessage(text="trả lời", reply_to=5),
                                 people(-10, 1), commune_id=None, origin="relay:1")
    alarm = await engine.enqueue("alarm", OutMessage(text="KẺNG"), people(1, 3),
                                 commune_id=None, origin="alarm:1")
    await engine.start(sender)
    try:
        for broadcast_id in (notice, relay, alarm):
            await engine.wait_done(broadcast_id, timeout=10)
    finally:
        await engine.stop()
    assert sender.chats()[:4] == [1, 2, 3, -10]
    assert sender.sent[3][1].reply_to == 5
    broadcast = await db.broadcasts.get(relay)
    assert broadcast is not None and broadcast.lane == "personal"


async def test_a_groups_429_holds_that_group_only(db: Store, clock: FakeClock) -> None:
    engine = DeliveryEngine(db, FAST, clock, TZ)
    sender = FakeSender()
    sender.failures[-7] = [RateLimited(300)]
    await engine.start(sender)
    try:
        group = await engine.enqueue("personal", OutMessage(text="nhóm"), people(-7, 1),
                                     commune_id=None, origin="test")
        residents = await engine.enqueue("alarm", OutMessage(text="KẺNG"), people(1, 5),
                                         commune_id=None, origin="test")
        await engine.wait_done(residents, timeout=10)  # not held by the group's five minutes
        assert sorted(sender.chats()) == [1, 2, 3, 4, 5]
    finally:
        await engine.stop()
    assert [d.state for d in await db.outbox.deliveries(group)] == ["queued"]  # waits its turn


async def test_a_chat_found_unreachable_is_tried_again_for_a_message_queued_later(
    db: Store, engine: DeliveryEngine
) -> None:
    sender = FakeSender()
    sender.failures[9] = [Unreachable("Forbidden: bot was blocked by the user")]
    await engine.start(sender)
    first = await engine.enqueue("personal", OutMessage(text="1"), people(9, 1),
                                 commune_id=None, origin="test")
    await engine.wait_done(first, timeout=10)
    later = await engine.enqueue("personal", OutMessage(text="2"), people(9, 1),
                                 commune_id=None, origin="test")  # they unblocked the bot
    await engine.wait_done(later, timeout=10)
    assert [d.state for d in await db.outbox.deliveries(first)] == ["unreachable"]
    assert [d.state for d in await db.outbox.deliveries(later)] == ["sent"]


async def test_every_message_given_up_on_is_logged_and_listed_without_its_text(
    db: Store, engine: DeliveryEngine, caplog: pytest.LogCaptureFixture
) -> None:
    sender = FakeSender()
    sender.failures[-21] = [Unreachable("Bad Request: chat not found")]
    sender.failures[22] = [Rejected("Bad Request: can't parse entities")]
    sender.failures[23] = [Transient("Timed out")] * 3
    await engine.start(sender)
    since = db.db.now_iso()
    with caplog.at_level(logging.WARNING, logger="bot.delivery"):
        broadcast_id = await engine.enqueue(
            "alarm", OutMessage(text="Cháy ở nhà số 12"), people(-21, 1) + people(22, 3),
            commune_id=None, origin="alarm:4:staff")
        await engine.wait_done(broadcast_id, timeout=10)
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("chat -21 " in line and "chat not found" in line for line in logged)
    for reason in ("parse entities", "Timed out"):  # private chats: never their id (a person)
        assert any("a private chat (outbox row" in line and reason in line for line in logged)
    assert not any("chat 22" in line or "chat 23" in line for line in logged)
    assert not any("nhà số 12" in line for line in logged)

    failures = await db.outbox.failures(since)
    assert sorted((f.chat_id, f.state, f.attempts) for f in failures) == [
        (-21, "unreachable", 1), (22, "failed", 1), (23, "failed", 3)]
    assert {(f.lane, f.origin, f.broadcast_id) for f in failures} == {
        ("alarm", "alarm:4:staff", broadcast_id)}
    assert await db.outbox.failure_count(since) == 3
    assert await db.outbox.failures("9999-01-01") == []  # `since` bounds it
    assert (await db.outbox.counts(broadcast_id)).failed == 2


async def test_a_finished_broadcast_is_handed_to_its_kinds_handler_even_after_a_restart(
    db: Store, clock: FakeClock
) -> None:
    heard: list[tuple[str, str]] = []

    async def handler(broadcast: Broadcast) -> None:
        heard.append((broadcast.origin, broadcast.state))

    first = DeliveryEngine(db, FAST, clock, TZ)
    first.on_finished("relay", handler)
    sender = FakeSender()
    sender.gate, sender.after_sends = asyncio.Event(), 1  # the second send hangs
    await first.start(sender)
    done = await first.enqueue("personal", OutMessage(text="a"), people(1, 1),
                               commune_id=None, origin="relay:1")
    await first.wait_done(done, timeout=10)
    other = await first.enqueue("personal", OutMessage(text="b"), people(2, 1),
                                commune_id=None, origin="relay:2")
    unrelated = await first.enqueue("personal", OutMessage(text="c"), people(3, 1),
                                    commune_id=None, origin="test")
    await asyncio.wait_for(sender.waiting.wait(), 10)
    await first.crash()
    assert heard == [("relay:1", "done")]

    sender.gate.set()
    restarted = DeliveryEngine(db, FAST, clock, TZ)
    restarted.on_finished("relay", handler)
    await restarted.start(sender)
    try:
        await restarted.wait_done(other, timeout=10)
        await restarted.wait_done(unrelated, timeout=10)
    finally:
        await restarted.stop()
    assert heard == [("relay:1", "done"), ("relay:2", "done")]


async def test_a_broadcast_with_messages_still_to_send_is_not_closed(
    db: Store, engine: DeliveryEngine
) -> None:
    """Closing is decided in the write itself: a closer that read "nothing left" before rows
    were added (reads share the one connection) must not close the broadcast under them."""
    broadcast_id = await engine.enqueue("personal", OutMessage(text="1"), people(9, 1),
                                        commune_id=None, origin="test")
    async with db.db.transaction() as tx:
        assert await db.broadcasts.finish(tx, [broadcast_id]) == []
    broadcast = await db.broadcasts.get(broadcast_id)
    assert broadcast is not None and broadcast.state == "queued"
