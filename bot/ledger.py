"""The delivery engine's ledger: what became of each message, and who hears about it.

Outcomes are written back in batches (every `FLUSH_EVERY` messages or `FLUSH_SECONDS`); every
message given up on is logged at WARNING with its chat and the reason (never its text);
listeners hear each delivery of their broadcast; a broadcast with nothing left to send is
closed, its progress message updated a last time, and the handler registered for its origin's
kind (`relay` for 'relay:12') is called. Handlers are registered when the services are built,
so a broadcast queued before a restart is handled after it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.models import Broadcast, Delivery, DeliveryCounts
from bot.sending import Sender, SendError, chat_label
from bot.store import Store
from bot.store.outbox import Claimed, Outcome

log = logging.getLogger("bot.delivery")

FLUSH_EVERY = 100
FLUSH_SECONDS = 0.2

Progress = Callable[[Broadcast, DeliveryCounts, bool], str]
Listener = Callable[[Delivery], Awaitable[None]]
Finished = Callable[[Broadcast], Awaitable[None]]
Progressed = Callable[[set[int]], None]  # the broadcasts whose counts just moved (no awaits)


class Ledger:
    """Records outcomes for `DeliveryEngine`; `wake` asks the engine to look at the outbox
    again (a retry is due), `forget` tells it a broadcast is closed."""

    def __init__(
        self, store: Store, progress_seconds: float, wake: Callable[[], None],
        forget: Callable[[int], None],
    ) -> None:
        self.store = store
        self.progress_seconds = progress_seconds
        self._wake, self._forget = wake, forget
        self.outcomes: list[Outcome] = []
        self.flushed = asyncio.Event()
        self.sender: Sender[Any] | None = None  # Telegram's: it edits progress messages
        self.describe: Progress | None = None
        self._listeners: dict[int, Listener] = {}
        self._handlers: dict[str, Finished] = {}
        self._done_events: dict[int, asyncio.Event] = {}
        self._finishing: set[int] = set()  # closed, their report and handler not yet done
        self._progress_text: dict[int, str] = {}
        self.progressed: list[Progressed] = []  # the web console's live progress
        # One closer at a time: a broadcast is closed (its listener dropped, its waiters woken)
        # only once every outcome already recorded for it has been told to its listener.
        self._closing = asyncio.Lock()

    # --- who hears about it ---------------------------------------------------------------

    def subscribe(self, broadcast_id: int, listener: Listener) -> None:
        self._listeners[broadcast_id] = listener

    def on_finished(self, kind: str, handler: Finished) -> None:
        """Call `handler` with every broadcast whose origin is `kind` or `kind:…` once it is
        closed (each of its messages sent, failed or unreachable), in this run or a later one."""
        self._handlers[kind] = handler

    async def wait_done(self, broadcast_id: int, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Return once the broadcast is closed: every message settled and every listener told
        (not merely once its rows are settled: their listener may not have heard them yet)."""
        event = self._done_events.setdefault(broadcast_id, asyncio.Event())
        broadcast = await self.store.broadcasts.get(broadcast_id)
        if (broadcast is None or broadcast.state != "queued") and (
                broadcast_id not in self._finishing):
            return
        await asyncio.wait_for(event.wait(), timeout)

    # --- recording ------------------------------------------------------------------------

    def record(
        self, row: Claimed, state: str, attempts: int, error: str | None = None, **more: Any
    ) -> None:
        self.outcomes.append(Outcome(row.id, row.broadcast_id, state, attempts, error, **more))
        if state in ("failed", "unreachable"):
            log.warning("gave up on a message to %s (broadcast %d, %d attempt(s)): %s %s",
                        chat_label(row.chat_id, row.id), row.broadcast_id, attempts, state,
                        error or "")
        if len(self.outcomes) >= FLUSH_EVERY:
            self.flushed.set()

    def clear(self) -> None:
        """Forget what was not written yet (tests: a crash)."""
        self.outcomes.clear()

    async def flush_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.flushed.wait(), FLUSH_SECONDS)
            self.flushed.clear()
            try:
                await self.flush()
            except Exception:
                log.exception("could not record delivery outcomes; will try again")

    async def flush(self) -> None:
        """Write outcomes in one transaction, then tell listeners and close finished ones."""
        if not self.outcomes:
            return
        async with self._closing:
            await self._flush()

    async def _flush(self) -> None:
        outcomes, self.outcomes = self.outcomes, []
        try:
            async with self.store.db.transaction() as tx:
                dropped = await self.store.outbox.record(tx, outcomes)
        except BaseException:
            self.outcomes[:0] = outcomes
            raise
        for (channel, chat_id), count in dropped.items():
            log.warning("gave up on %d more queued message(s) to %s on %s: unreachable",
                        count, chat_label(chat_id), channel)
        if dropped:
            await self._close_finished()  # their broadcasts may have nothing left to send
        if any(o.state == "queued" for o in outcomes):
            self._wake()  # a retry is due later; the claim query honours not_before
        touched = {o.broadcast_id for o in outcomes}
        await self._notify_listeners(outcomes)
        open_ids = await self.store.outbox.open_broadcasts(touched)
        finished = [i for i in touched if i not in open_ids]
        if finished:
            await self.finish(finished)
        self._tell_progress(touched - set(finished))  # finish() told the closed ones

    def _tell_progress(self, broadcast_ids: set[int]) -> None:
        for listener in self.progressed:
            try:
                listener(broadcast_ids)
            except Exception:
                log.exception("a progress listener failed")

    async def _notify_listeners(self, outcomes: list[Outcome]) -> None:
        if not self._listeners:
            return
        for outcome in outcomes:
            listener = self._listeners.get(outcome.broadcast_id)
            if listener is None or outcome.state in ("queued", "sending"):
                continue
            delivery = await self.store.outbox.delivery(outcome.id)
            try:
                if delivery is not None:
                    await listener(delivery)
            except Exception:
                log.exception("a delivery listener failed")

    # --- closing broadcasts -----------------------------------------------------------------

    async def finish(self, broadcast_ids: list[int]) -> None:
        """Close the broadcasts; each is reported and handed to its handler once, by whichever
        caller closed it (the flush and the progress loop may both find it finished)."""
        self._finishing.update(broadcast_ids)  # wait_done waits for the handlers too
        try:
            async with self.store.db.transaction() as tx:
                closed = set(await self.store.broadcasts.finish(tx, broadcast_ids))
            for broadcast_id in broadcast_ids:
                broadcast = await self.store.broadcasts.get(broadcast_id)
                if broadcast is not None and broadcast.state == "queued":
                    continue  # messages were added since it looked finished: not closed
                self._forget(broadcast_id)
                self._listeners.pop(broadcast_id, None)
                if broadcast is not None and broadcast_id in closed:
                    await self._report(broadcast, final=True)
                    await self._handle(broadcast)
                self._done_events.setdefault(broadcast_id, asyncio.Event()).set()
            self._tell_progress(set(broadcast_ids))
        finally:
            self._finishing.difference_update(broadcast_ids)

    async def _handle(self, broadcast: Broadcast) -> None:
        handler = self._handlers.get(broadcast.origin.split(":", 1)[0])
        if handler is None:
            return
        try:
            await handler(broadcast)
        except Exception:
            log.exception("the handler of finished broadcast %d (%s) failed", broadcast.id,
                          broadcast.origin)

    async def close_finished(self) -> None:
        """Broadcasts with nothing left to send (queued elsewhere, by the CLI, or settled by
        the database itself) are closed here."""
        async with self._closing:
            await self._close_finished()

    async def _close_finished(self) -> None:
        active = [b.id for b in await self.store.broadcasts.in_progress()]
        open_ids = await self.store.outbox.open_broadcasts(active)
        finished = [i for i in active if i not in open_ids]
        if finished:
            await self.finish(finished)

    # --- progress reports ---------------------------------------------------------------------

    async def progress_loop(self) -> None:
        while True:
            await asyncio.sleep(self.progress_seconds)
            try:
                for broadcast in await self.store.broadcasts.in_progress():
                    await self._report(broadcast, final=False)
                await self.close_finished()
            except Exception:
                log.exception("could not report broadcast progress")

    async def _report(self, broadcast: Broadcast, *, final: bool) -> None:
        if (self.describe is None or self.sender is None
                or broadcast.progress_chat_id is None or broadcast.progress_message_id is None):
            return
        counts = await self.store.outbox.counts(broadcast.id)
        text = self.describe(broadcast, counts, final)
        if self._progress_text.get(broadcast.id) == text:
            return
        self._progress_text[broadcast.id] = text
        if final:
            self._progress_text.pop(broadcast.id, None)
        try:
            await self.sender.edit_text(
                broadcast.progress_chat_id, broadcast.progress_message_id, text)
        except SendError as error:
            log.warning("could not update the progress of broadcast %d in %s: %s",
                        broadcast.id, chat_label(broadcast.progress_chat_id), error)
