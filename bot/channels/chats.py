"""Each chat's messages handled in order, different chats at once — for the channels whose
events arrive one by one from a webhook or a poll (the Zalo Bot Platform, a Zalo OA).

A chat's worker takes what is queued for it, one at a time, and ends when nothing is left
(checked and forgotten without an await in between, so nothing slips past). A message whose
handling fails is logged and the person told (`sorry`), never met with silence.

With `at_once`, at most that many chats are handled at the same time, and a worker lets the
others (and the webhook answering Zalo) run between two messages: under a burst the backlog
waits in the queues instead of every chat's work crowding the event loop and the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
STOP_WAIT = 10.0  # seconds the messages already taken get to finish at shutdown


class ChatQueues(Generic[T]):
    def __init__(self, handle: Callable[[T], Awaitable[None]],
                 sorry: Callable[[str], Awaitable[None]], name: str,
                 at_once: int | None = None) -> None:
        self._handle, self._sorry, self._name = handle, sorry, name
        self._turns = None if at_once is None else asyncio.Semaphore(at_once)
        self._queues: dict[str, asyncio.Queue[T]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}

    def put(self, chat: str, item: T) -> None:
        """Queue `item` behind the chat's earlier ones."""
        queue = self._queues.get(chat)
        if queue is None:
            queue = self._queues[chat] = asyncio.Queue()
            self._workers[chat] = asyncio.create_task(self._work(chat, queue), name=self._name)
        queue.put_nowait(item)

    async def idle(self) -> None:
        """Return once every message taken so far has been handled."""
        while self._workers:
            await asyncio.wait(list(self._workers.values()))

    async def stop(self) -> None:
        """Let the messages already taken be handled (a bounded wait); cancel the rest."""
        workers = list(self._workers.values())
        if workers:
            _, late = await asyncio.wait(workers, timeout=STOP_WAIT)
            for task in late:
                task.cancel()

    async def _work(self, chat: str, queue: asyncio.Queue[T]) -> None:
        try:
            while not queue.empty():
                if self._turns is None:
                    await self._one(chat, queue.get_nowait())
                    continue
                async with self._turns:
                    await self._one(chat, queue.get_nowait())
                await asyncio.sleep(0)  # the others' turn
        finally:
            del self._workers[chat], self._queues[chat]

    async def _one(self, chat: str, item: T) -> None:
        try:
            await self._handle(item)
        except Exception:
            log.exception("a message on %s could not be handled", self._name)
            await self._sorry(chat)
