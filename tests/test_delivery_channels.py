"""The delivery engine with a Sender per channel (Telegram and Zalo fakes, real SQLite): each
person once on their account, channels that do not hold each other back, lanes per channel,
a crash on both, unreachable Zalo accounts, and a channel without a Sender."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.delivery import (
    DeliveryEngine,
    OutMessage,
    PacerConfig,
    RateLimited,
    Unreachable,
)
from bot.doctor import check_outbox
from bot.models import Channel, Recipient
from bot.store import Store
from tests.accounts import account_unreachable, commune, person
from tests.delivery_kit import DATABASE, FAST, TZ, FakeSender

ZALO_FAST = PacerConfig(rate_per_second=1000, per_chat_seconds=0.05, concurrency=16)


def fakes() -> tuple[FakeSender, FakeSender]:
    return FakeSender("telegram"), FakeSender("zalo")


async def start(engine: DeliveryEngine, telegram: FakeSender, zalo: FakeSender | None) -> None:
    senders = {"telegram": telegram} | ({"zalo": zalo} if zalo else {})
    await engine.start(senders, pacing={"zalo": ZALO_FAST})


def chats(channel: Channel, first: int, count: int) -> list[Recipient]:
    if channel == "telegram":
        return [Recipient(None, first + i) for i in range(count)]
    return [Recipient(None, f"{first + i:010x}", "zalo") for i in range(count)]


async def test_a_broadcast_reaches_each_person_once_on_the_account_they_use(
    db: Store, engine: DeliveryEngine
) -> None:
    audience = await commune(db)
    on_telegram = await person(db, audience, telegram=501)
    on_zalo = await person(db, audience, zalo="a1")
    both_zalo = await person(db, audience, telegram=503, zalo="a3", last="zalo")
    both_telegram = await person(db, audience, telegram=504, zalo="a4", last="telegram")
    recipients = await db.broadcasts.recipients(audience, include_muted=False)
    # a caller naming the same people again, by another of their chats: still once each
    again = [Recipient(both_zalo, 503), Recipient(both_telegram, "a4", "zalo")]
    telegram, zalo = fakes()
    await start(engine, telegram, zalo)
    broadcast_id = await engine.enqueue("announcement", OutMessage(text="<b>Họp</b> dân"),
                                        recipients + again, commune_id=None, origin="test")
    await engine.wait_done(broadcast_id, timeout=10)

    assert sorted(telegram.chats()) == [501, 504]
    assert sorted(zalo.chats()) == ["a1", "a3"]
    deliveries = {d.resident_id: d for d in await db.outbox.deliveries(broadcast_id)}
    assert {p: (d.channel, d.state) for p, d in deliveries.items()} == {
        on_telegram: ("telegram", "sent"), on_zalo: ("zalo", "sent"),
        both_zalo: ("zalo", "sent"), both_telegram: ("telegram", "sent")}
    assert isinstance(deliveries[on_zalo].message_id, str)
    assert isinstance(deliveries[on_telegram].message_id, int)
    counts = await db.outbox.counts_by_channel(broadcast_id)
    assert (counts["telegram"].sent, counts["zalo"].sent) == (2, 2)


@pytest.mark.parametrize("held", ["telegram", "zalo"])
@pytest.mark.parametrize("how", ["rate limited", "stalled"])
async def test_a_channel_held_back_does_not_hold_back_the_other(
    db: Store, engine: DeliveryEngine, held: Channel, how: str
) -> None:
    """One channel answers 429 (a minute's pause) or stops answering: every message of the
    other channel goes all the same, and the held channel's messages wait, none lost."""
    telegram, zalo = fakes()
    slow, free = (telegram, zalo) if held == "telegram" else (zalo, telegram)
    if how == "rate limited":
        slow.always = RateLimited(60)
    else:
        slow.gate, slow.after_sends = asyncio.Event(), 0  # never opens
    await start(engine, telegram, zalo)
    broadcast_id = await engine.enqueue(
        "announcement", OutMessage(text="x"), chats("telegram", 1, 200) + chats("zalo", 1, 200),
        commune_id=None, origin="test")
    await free.wait_sent(200)
    assert slow.sent == []
    # only what was in flight when it began: the held channel's own concurrency
    assert slow.tries <= (ZALO_FAST.concurrency if held == "zalo" else FAST.concurrency)
    if how == "rate limited":
        assert engine.drains[held].stats["rate_limited"] == slow.tries
        assert engine.drains[free.channel].stats["rate_limited"] == 0
    await engine.ledger.flush()
    counts = await db.outbox.counts_by_channel(broadcast_id)
    assert counts[free.channel].sent == 200
    assert counts[held].queued == 200 and counts[held].sent == 0
    if slow.gate is not None:
        slow.gate.set()  # let the stalled sends end, so that stop() records them


async def test_lanes_hold_within_a_channel(db: Store, clock: FakeClock) -> None:
    engine = DeliveryEngine(db, FAST, clock, TZ)
    telegram, zalo = fakes()
    propaganda = await engine.enqueue("propaganda", OutMessage(text="tuyên truyền"),
                                      chats("zalo", 100, 30), commune_id=None, origin="test")
    alarm = await engine.enqueue("alarm", OutMessage(text="KẺNG"), chats("zalo", 1, 3),
                                 commune_id=None, origin="alarm:1")
    await engine.start({"telegram": telegram, "zalo": zalo},
                       pacing={"zalo": PacerConfig(rate_per_second=1000, concurrency=1)})
    try:
        await engine.wait_done(propaganda, timeout=10)
        await engine.wait_done(alarm, timeout=10)
    finally:
        await engine.stop()
    assert zalo.chats()[:3] == [f"{i:010x}" for i in (1, 2, 3)]
    assert telegram.sent == []


async def test_killed_mid_way_on_both_channels_then_restarted_loses_nothing(
    db: Store, clock: FakeClock, tmp_path: Path
) -> None:
    engine = DeliveryEngine(db, FAST, clock, TZ)
    telegram, zalo = fakes()
    for fake in (telegram, zalo):
        fake.gate, fake.after_sends = asyncio.Event(), 100  # sends hang from the 101st on
    broadcast_id = await engine.enqueue(
        "propaganda", OutMessage(text="x"), chats("telegram", 1, 300) + chats("zalo", 1, 300),
        commune_id=None, origin="test")
    await start(engine, telegram, zalo)
    await telegram.wait_sent(100)
    await zalo.wait_sent(100)
    await asyncio.sleep(0.05)
    await engine.crash()  # like kill -9: nothing flushed, nothing released
    await db.close()

    reopened = await Store.open(tmp_path / DATABASE)
    try:
        in_flight = {(d.channel, d.chat_id) for d in await reopened.outbox.deliveries(
            broadcast_id) if d.state == "sending"}
        before = {fake.channel: fake.chats() for fake in (telegram, zalo)}
        for fake in (telegram, zalo):
            assert fake.gate is not None
            fake.gate.set()
            fake.sent.clear()
        restarted = DeliveryEngine(reopened, FAST, clock, TZ)
        await start(restarted, telegram, zalo)
        await restarted.wait_done(broadcast_id, timeout=10)
        await restarted.stop()
        expected = {"telegram": {r.chat_id for r in chats("telegram", 1, 300)},
                    "zalo": {r.chat_id for r in chats("zalo", 1, 300)}}
        for fake in (telegram, zalo):
            after = fake.chats()
            assert set(before[fake.channel]) | set(after) == expected[fake.channel]
            twice = {(fake.channel, chat) for chat in set(before[fake.channel]) & set(after)}
            assert twice <= in_flight  # only what was in flight at the crash is repeated
            assert len(after) == len(set(after))
        counts = await reopened.outbox.counts_by_channel(broadcast_id)
        assert (counts["telegram"].sent, counts["zalo"].sent) == (300, 300)
    finally:
        await reopened.close()


async def test_unreachable_on_zalo_marks_the_account_and_the_next_message_goes_elsewhere(
    db: Store, engine: DeliveryEngine
) -> None:
    audience = await commune(db)
    both = await person(db, audience, telegram=701, zalo="b1", last="zalo")
    only_zalo = await person(db, audience, zalo="b2")
    telegram, zalo = fakes()
    zalo.failures = {"b1": [Unreachable("403 blocked")], "b2": [Unreachable("403 blocked")]}
    await start(engine, telegram, zalo)
    first = await engine.enqueue(
        "announcement", OutMessage(text="1"),
        await db.broadcasts.recipients(audience, include_muted=True),
        commune_id=None, origin="test")
    await engine.wait_done(first, timeout=10)
    assert {(d.resident_id, d.channel, d.state) for d in await db.outbox.deliveries(first)} == {
        (both, "zalo", "unreachable"), (only_zalo, "zalo", "unreachable")}
    assert await account_unreachable(db, "zalo", "b1") is not None
    assert (await db.residents.get(only_zalo)).unreachable_at is not None  # type: ignore[union-attr]

    second = await engine.enqueue(
        "announcement", OutMessage(text="2"),
        await db.broadcasts.recipients(audience, include_muted=True),
        commune_id=None, origin="test")
    await engine.wait_done(second, timeout=10)
    assert telegram.chats() == [701]
    assert zalo.chats() == []


async def test_a_channel_without_a_sender_keeps_its_messages_queued_and_doctor_says_so(
    db: Store, engine: DeliveryEngine, clock: FakeClock
) -> None:
    telegram, zalo = fakes()
    await start(engine, telegram, None)
    broadcast_id = await engine.enqueue(
        "announcement", OutMessage(text="x"), chats("telegram", 1, 5) + chats("zalo", 1, 3),
        commune_id=None, origin="test")
    await telegram.wait_sent(5)
    await asyncio.sleep(0.1)
    await engine.ledger.flush()
    counts = await db.outbox.counts_by_channel(broadcast_id)
    assert (counts["telegram"].sent, counts["zalo"].queued, counts["zalo"].failed) == (5, 3, 0)
    broadcast = await db.broadcasts.get(broadcast_id)
    assert broadcast is not None and broadcast.state == "queued"
    lines = await check_outbox(db, clock.now(), 24, TZ, channels={"telegram"})
    assert lines == ["outbox: 3 message(s) queued for zalo, which has no sender configured: "
                     "they wait until it has one"]
    assert await check_outbox(db, clock.now(), 24, TZ, channels={"telegram", "zalo"}) == []

    await engine.stop()
    await start(engine, telegram, zalo)  # the next start has a Zalo sender: they go
    await engine.wait_done(broadcast_id, timeout=10)
    assert sorted(zalo.chats()) == sorted(r.chat_id for r in chats("zalo", 1, 3))
