"""Each chat's messages in order, different chats at once — and, with `at_once`, no more
than that many chats handled at the same time."""

from __future__ import annotations

import asyncio

from bot.channels.chats import ChatQueues


async def test_at_once_bounds_the_chats_handled_together_and_keeps_each_chat_in_order() -> None:
    running: set[str] = set()
    most = 0
    handled: list[tuple[str, int]] = []
    gate = asyncio.Event()

    async def handle(item: tuple[str, int]) -> None:
        nonlocal most
        chat, _ = item
        running.add(chat)
        most = max(most, len(running))
        await gate.wait()
        handled.append(item)
        running.discard(chat)

    async def sorry(chat: str) -> None:
        raise AssertionError(chat)

    chats = ChatQueues[tuple[str, int]](handle, sorry, "test", at_once=2)
    for n in range(3):
        for chat in "abcde":
            chats.put(chat, (chat, n))
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(running) == 2  # the others wait their turn
    gate.set()
    await chats.idle()
    assert most == 2
    assert len(handled) == 15
    for chat in "abcde":
        assert [n for c, n in handled if c == chat] == [0, 1, 2]


async def test_without_a_bound_every_chat_is_handled_at_once() -> None:
    running: set[str] = set()
    gate = asyncio.Event()

    async def handle(chat: str) -> None:
        running.add(chat)
        await gate.wait()

    async def sorry(chat: str) -> None:
        raise AssertionError(chat)

    chats = ChatQueues[str](handle, sorry, "test")
    for chat in "abcde":
        chats.put(chat, chat)
    for _ in range(5):
        await asyncio.sleep(0)
    assert running == set("abcde")
    gate.set()
    await chats.idle()
