"""Each chat's messages handled in order, different chats at once — for the channels whose
events arrive one by one from a webhook or a poll (the Zalo Bot Platform, a Zalo OA).

A chat's worker takes what is queued for it, one at a time, and ends when nothing is left
(checked and forgotten without an await in between, so nothing slips past). A message whose
handling fails is logged and the person told (`sorry`), never met with silence."""

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
                 sorry: Callable[[str], Awaitable[None]], name: str) -> None:
        self._handle, self._sorry, self._name = handle, sorry, name
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
                item = queue.get_nowait()
                try:
                    await self._handle(item)
                except Exception:
                    log.exception("a message on %s could not be handled", self._name)
                    await self._sorry(chat)
        finally:
            del self._workers[chat], self._queues[chat]
