"""The OA webhook's inbox: an event is in SQLite before Zalo hears 200, and forgotten once
handled.

Zalo does not post an event again once it has had its 200, so the webhook keeps the raw body
first. Events arriving together are kept in one transaction (the first waits for no one;
those arriving while it commits go in the next), and the events handled since are deleted in
the same transaction, so under load the webhook costs one short write for many events — on
a small database file of its own (bot/store/zalo_oa_inbox.py), not behind the bot's work. An
event kept and not handled when the bot stops is handled at the next start (`open`); its
msg_id keeps one handled but not yet forgotten from being acted on twice.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.clock import Clock
from bot.store.zalo_oa_inbox import OaInboxStore

log = logging.getLogger(__name__)


class Inbox:
    def __init__(self, path: Path, clock: Clock) -> None:
        self._path, self._clock = path, clock
        self._store: OaInboxStore | None = None
        self._arrived: list[tuple[bytes, asyncio.Future[int]]] = []
        self._handled: list[int] = []
        self._writer: asyncio.Task[None] | None = None

    async def keep(self, body: bytes) -> int:
        """Keep one event's raw body; its id once it is committed (raises if it could not be)."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._arrived.append((body, future))
        self._wake()
        return await future

    def handled(self, event_id: int) -> None:
        """The event was handled: forget it with the next write."""
        self._handled.append(event_id)
        self._wake()

    async def open(self) -> list[tuple[int, bytes]]:
        """Open its connection; the events kept and not handled (a previous run stopped
        before handling them)."""
        self._store = await OaInboxStore.open(self._path, self._clock)
        return await self._store.kept_events()

    async def flushed(self) -> None:
        """Wait for the writes already asked for."""
        while self._writer is not None and not self._writer.done():
            await self._writer

    async def close(self) -> None:
        await self.flushed()
        if self._store is not None:
            store, self._store = self._store, None
            await store.close()

    def _wake(self) -> None:
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name="zalo-oa-inbox")

    async def _write(self) -> None:
        # Checked and ended with no await in between: what arrives later starts a new writer.
        while self._arrived or self._handled:
            arrived, self._arrived = self._arrived, []
            handled, self._handled = self._handled, []
            try:
                if self._store is None:
                    raise RuntimeError("the Zalo OA inbox is not open")
                ids = await self._store.keep_events([body for body, _ in arrived], handled)
            except Exception as error:
                # The webhook answers 500 to these and Zalo posts them again; rows not
                # forgotten are handled again at the next start, where their msg_id stops them.
                log.exception("the Zalo OA inbox could not be written")
                for _, future in arrived:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), event_id in zip(arrived, ids, strict=True):
                if not future.done():
                    future.set_result(event_id)
