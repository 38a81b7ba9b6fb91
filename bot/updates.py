"""Fetching and processing updates: one malformed update cannot stop the bot, and a busy chat
cannot hold up the others.

python-telegram-bot parses a whole getUpdates batch at once; an update it cannot parse
(a field a newer Bot API made required, a broken self-hosted server) makes the batch fail, the
offset never moves, and the bot fetches the same batch forever. `ResilientBot` then parses the
batch update by update and replaces each unparseable one by an empty update with the same
update_id: it is logged, skipped, and confirmed like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import BaseUpdateProcessor, ExtBot

from bot import replies

log = logging.getLogger(__name__)


def parseable(raw: Any, bot: ExtBot[None]) -> Update | None:
    """The update PTB makes of `raw`; an empty Update with the same id if it cannot (so it is
    confirmed and skipped); None without a usable update_id."""
    if not isinstance(raw, dict):
        return None
    update_id = raw.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("dropping an update without update_id: %.200r", raw)
        return None
    try:
        return Update.de_json(raw, bot)
    except Exception:  # anything PTB's parser may raise
        log.warning("skipping update %s that cannot be parsed: %.300r", update_id, raw,
                    exc_info=True)
        return Update(update_id)


class _HandledParseFailure(logging.Filter):
    """Drops PTB's CRITICAL "Error while parsing updates!" line (with the whole batch in it):
    ResilientBot handles that failure and logs a warning for each update it skips."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error while parsing updates")


_PARSE_FILTER = _HandledParseFailure()


class _OneLinePollingFailure(logging.Filter):
    """PTB logs every failed getUpdates with its whole traceback while it retries (the API
    unreachable for a while: dozens of lines a minute). Each becomes one WARNING line naming
    the error; PTB goes on retrying with its own backoff."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Exception happened while polling") and record.exc_info:
            error = record.exc_info[1]
            record.msg = "polling for updates failed (retrying): %s: %s"
            record.args = (type(error).__name__, error)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


_POLLING_FILTER = _OneLinePollingFailure()
_UPDATER_LOGGER = logging.getLogger("telegram.ext.Updater")


class ResilientBot(ExtBot[None]):
    """ExtBot whose getUpdates survives an update PTB cannot parse, and whose failed sends are
    logged (bot/replies.py `log_failure`).

    The happy path is PTB's own (each update parsed once). Only when PTB fails on a batch is it
    parsed again update by update from the raw JSON kept aside."""

    _raw_updates: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _PARSE_FILTER not in self._LOGGER.filters:
            self._LOGGER.addFilter(_PARSE_FILTER)
        if _POLLING_FILTER not in _UPDATER_LOGGER.filters:
            _UPDATER_LOGGER.addFilter(_POLLING_FILTER)

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await super()._post(endpoint, *args, **kwargs)
        except TelegramError as error:
            replies.log_failure(endpoint, kwargs.get("data", args[0] if args else None), error)
            raise
        if endpoint == "getUpdates":
            self._raw_updates = result
        return result

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        self._raw_updates = None
        try:
            return await super().get_updates(*args, **kwargs)
        except TelegramError:
            raise  # network trouble and API errors are the Updater's to handle
        except Exception:
            raw = self._raw_updates
            if not isinstance(raw, list):
                raise
            updates = (parseable(item, self) for item in raw)
            return tuple(update for update in updates if update is not None)


class _ChatQueue:
    """One chat's lock and how many updates hold it or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently (up to `max_concurrent_updates`); the updates
    of one chat run one at a time, in the order they arrived (asyncio locks wake waiters FIFO).

    That keeps what ConversationHandler relies on — a conversation's updates handled one by one —
    while a resident's slow step no longer delays everyone else's. Updates without a chat
    (poll answers) share one queue."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, _ChatQueue] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _ChatQueue()
        queue.users += 1
        try:
            async with queue.lock:
                await coroutine
        finally:
            # Forgotten only when nobody holds or waits on it: a lock that is merely released
            # may already be promised to a waiter, and a newcomer must queue behind that one.
            queue.users -= 1
            if queue.users == 0:
                del self._queues[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
