"""What `anninh run` checks before the bot starts: the database opens, the Bot API answers.

An unreachable Bot API (no network yet, a proxy still starting) is waited for: one log line per
attempt, waits of 1, 2, 4 … seconds up to `MAX_DELAY`, until it answers or SIGTERM/SIGINT
arrives. A token the API refuses (401/404) and a database that cannot be opened are not worth
waiting for: they stop the command with one line (StartupError, DatabaseUnavailable; exit
code 2).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import timedelta
from pathlib import Path

from telegram import Bot
from telegram.error import InvalidToken, RetryAfter, TelegramError

from bot.config import Config
from bot.store import Store
from bot.transport import AiohttpRequest

log = logging.getLogger(__name__)

FIRST_DELAY = 1.0
MAX_DELAY = 60.0


class StartupError(Exception):
    """Something waiting will not fix, said in one line (exit code 2)."""


async def open_database(path: Path) -> None:
    """Create the database's folder, open it and bring its schema up to date (else
    DatabaseUnavailable, naming the path and the reason)."""
    store = await Store.open(path)
    await store.close()


async def wait_for_api(config: Config, token: str) -> bool:
    """Call getMe until the Bot API answers (True) or SIGTERM/SIGINT arrives (False)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    request = AiohttpRequest(connections=1)
    bot = Bot(token, base_url=config.telegram.api_base_url, request=request,
              get_updates_request=request)
    try:
        return await _attempts(bot, config, stop)
    finally:
        await request.shutdown()
        for number in signals:
            loop.remove_signal_handler(number)


async def _attempts(bot: Bot, config: Config, stop: asyncio.Event) -> bool:
    url, delay, attempt = config.telegram.api_base_url, FIRST_DELAY, 0
    while not stop.is_set():
        attempt += 1
        try:
            await bot.initialize()
            return True
        except InvalidToken:  # its message holds the token: not repeated here
            raise StartupError(
                f"the Bot API at {url} refused the token in ${config.telegram.token_env} "
                "(401 Unauthorized or 404 Not Found): check that it is the bot's token from "
                "@BotFather") from None
        except RetryAfter as error:
            after = error.retry_after
            wait = max(delay, after.total_seconds() if isinstance(after, timedelta)
                       else float(after))
            reason = f"asked to wait {wait:g} s"
        except TelegramError as error:  # network errors, timeouts, 5xx: worth waiting for
            wait, reason = delay, str(error)
        log.warning("cannot reach the Bot API at %s (attempt %d: %s); next attempt in %g s",
                    url, attempt, reason, wait)
        delay = min(delay * 2, MAX_DELAY)
        try:
            await asyncio.wait_for(stop.wait(), wait)
        except TimeoutError:
            continue
    log.warning("stopped before the Bot API answered")
    return False
