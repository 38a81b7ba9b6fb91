"""Fetching and processing updates: one malformed update cannot stop the bot, and a busy chat
cannot hold up the others.

python-telegram-bot parses a whole getUpdates batch at once; an update it cannot parse
(a field a newer Bot API made required, a broken self-hosted server) makes the batch fail, the
offset never moves, and the bot fetches the same batch forever. This request class, used only
for getUpdates, replaces each unparseable update by an empty one with the same update_id: it is
logged, skipped, and confirmed like any other.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor
from telegram.request import BaseRequest

from bot.transport import AiohttpRequest

log = logging.getLogger(__name__)


def parseable(raw: Any) -> dict[str, Any] | None:
    """The raw update if PTB can parse it, else a bare {"update_id": …} (None without an id)."""
    if not isinstance(raw, dict):
        return None
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("dropping an update without update_id: %.200r", raw)
        return None
    try:
        Update.de_json(copy.deepcopy(raw), None)
    except Exception:  # anything PTB's parser may raise
        log.warning("skipping update %s that cannot be parsed: %.300r", update_id, raw,
                    exc_info=True)
        return {"update_id": update_id}
    return raw


class ResilientUpdatesRequest(AiohttpRequest):
    """The request for getUpdates (the fast transport, bot/transport.py) that never lets one bad
    update block the rest."""

    def __init__(self) -> None:
        super().__init__(connections=1)  # one long poll at a time

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        envelope = BaseRequest.parse_json_payload(payload)
        result = envelope.get("result")
        if isinstance(result, list):  # this request object only ever fetches updates
            envelope["result"] = [u for u in map(parseable, result) if u is not None]
        return envelope


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently (up to `max_concurrent_updates`); the updates
    of one chat run one at a time, in the order they arrived (asyncio locks wake waiters FIFO).

    That keeps what ConversationHandler relies on — a conversation's updates handled one by one —
    while a resident's slow step no longer delays everyone else's. Updates without a chat
    (poll answers) share one queue."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await coroutine
        finally:
            if not lock.locked():
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
