"""The engine's pace in memory: per-chat gaps, the held heap, the token bucket's burst."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.config import BroadcastConfig
from bot.pacing import Pacer, PacerConfig
from bot.store.outbox import Claimed


def row(row_id: int, chat_id: int, priority: int = 1) -> Claimed:
    return Claimed(id=row_id, broadcast_id=1, chat_id=chat_id, resident_id=None,
                   priority=priority, attempts=0)


def test_a_chat_that_just_got_a_message_waits_its_gap_and_others_go_ahead() -> None:
    pacer = Pacer(BroadcastConfig(per_chat_seconds=1.0, group_per_minute=20))
    now = time.monotonic()
    assert pacer.ready(row(1, 501), now)
    pacer.mark(501)
    pacer.mark(-100)  # a group: 60 / 20 = 3 s
    assert not pacer.ready(row(2, 501), now)
    assert not pacer.ready(row(3, -100), now)
    assert pacer.ready(row(4, 502), now)  # another resident is not held up
    assert pacer.pop_held(now) is None
    wait = pacer.next_held_in(now)
    assert wait is not None and 0.9 < wait < 1.1
    first = pacer.pop_held(now + 1.01)
    assert first is not None and first.id == 2
    assert pacer.pop_held(now + 1.01) is None  # the group's row waits longer
    assert pacer.pop_held(now + 3.01) == row(3, -100)
    assert pacer.next_held_in(now) is None


def test_held_rows_are_given_back_and_the_burst_follows_the_rate() -> None:
    pacer = Pacer(BroadcastConfig(rate_per_second=1000, paid_broadcast=True,
                                  per_chat_seconds=5.0))
    pacer.mark(7)
    now = time.monotonic()
    assert not pacer.ready(row(1, 7), now) and not pacer.ready(row(2, 7, priority=0), now)
    assert sorted(r.id for r in pacer.release_held()) == [1, 2]
    assert pacer.pop_held(now + 10) is None
    assert pacer.burst == 50.0 and Pacer(BroadcastConfig(rate_per_second=25)).burst == 2.0
    assert Pacer(BroadcastConfig(rate_per_second=25, alarm_rate_per_second=30)).alarm_rate == 30


def test_rows_held_for_one_chat_each_keep_its_gap_in_their_order() -> None:
    pacer = Pacer(BroadcastConfig(group_per_minute=20))  # 3 s between messages to a group
    now = time.monotonic()
    pacer.mark(-100)
    for row_id in (5, 6, 7):
        assert not pacer.ready(row(row_id, -100), now)  # all three wait for the same moment
    first = pacer.pop_held(now + 3.01)
    assert first is not None and first.id == 5
    pacer.hold(-100, 10)  # it went (and Telegram asked for a pause): the others wait again
    assert pacer.pop_held(now + 3.01) is None
    assert pacer.pop_held(now + 9) is None
    later = time.monotonic() + 10.01
    assert [pacer.pop_held(later), pacer.pop_held(later)] == [row(6, -100), row(7, -100)]


async def test_many_waiters_take_tokens_in_turn_without_a_herd(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Zalo OA's sends take tokens from many tasks at once (one per call in flight): they
    wait in turn, so a token wakes one waiter, not all of them."""
    pacer = Pacer(PacerConfig(rate_per_second=200))
    sleeps = 0
    sleep = asyncio.sleep

    async def counted(delay: float) -> None:
        nonlocal sleeps
        sleeps += 1
        await sleep(delay)

    monkeypatch.setattr("bot.pacing.asyncio.sleep", counted)
    order: list[int] = []

    async def take(n: int) -> None:
        await pacer.take()
        order.append(n)

    await asyncio.gather(*(take(n) for n in range(20)))
    assert order == list(range(20))
    assert pacer.taken == 20
    assert sleeps < 40  # about one per token; each waiter polling would be ~200
