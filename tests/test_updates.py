"""PerChatUpdateProcessor: one chat's updates one at a time, in order, whenever they arrive."""

from __future__ import annotations

import asyncio

from bot.updates import PerChatUpdateProcessor


class Steps:
    """Coroutines standing for updates: each starts, then waits until the test releases it."""

    def __init__(self, *names: str) -> None:
        self.started = {name: asyncio.Event() for name in names}
        self.release = {name: asyncio.Event() for name in names}
        self.running: list[str] = []
        self.order: list[str] = []
        self.overlaps: list[tuple[str, ...]] = []

    async def step(self, name: str) -> None:
        if self.running:
            self.overlaps.append((*self.running, name))
        self.running.append(name)
        self.order.append(name)
        self.started[name].set()
        await self.release[name].wait()
        self.running.remove(name)


async def test_an_update_arriving_while_the_second_runs_waits_for_it() -> None:
    """The gap: the first update ends while the second waits; a third that arrives once the
    second runs must still wait (it used to get a fresh lock and run beside the second)."""
    processor = PerChatUpdateProcessor(8)
    steps = Steps("a", "b", "c")
    chat = object()  # no chat: every such update shares one queue, like one chat's
    first = asyncio.create_task(processor.do_process_update(chat, steps.step("a")))
    await steps.started["a"].wait()
    second = asyncio.create_task(processor.do_process_update(chat, steps.step("b")))
    steps.release["a"].set()  # the second queues on the lock before the first ends
    await steps.started["b"].wait()
    third = asyncio.create_task(processor.do_process_update(chat, steps.step("c")))
    await first
    steps.release["b"].set()
    await steps.started["c"].wait()
    steps.release["c"].set()
    await asyncio.gather(second, third)
    assert steps.overlaps == []
    assert steps.order == ["a", "b", "c"]
    assert not processor._queues  # nothing kept once the chat is idle


async def test_a_failing_update_neither_blocks_nor_leaks_its_chat() -> None:
    processor = PerChatUpdateProcessor(8)
    steps = Steps("b")

    async def boom() -> None:
        raise RuntimeError("handler failed")

    chat = object()
    failed = asyncio.create_task(processor.do_process_update(chat, boom()))
    after = asyncio.create_task(processor.do_process_update(chat, steps.step("b")))
    await steps.started["b"].wait()
    steps.release["b"].set()
    await after
    assert isinstance(failed.exception(), RuntimeError)
    assert not processor._queues
