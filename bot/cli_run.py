"""`anninh run`: the deployment — every configured messenger in one process, until SIGTERM.

Also where the command line's exit codes live (0 done, 1 failed, 2 bad config or usage)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from urllib.parse import urlsplit

from bot.config import Config, ConfigError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _install_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop where it is installed (Linux, macOS), else asyncio's own loop; set as current.

    PTB's run_polling/run_webhook run on the thread's current event loop. uvloop's loop and
    sockets cut the bot's CPU per update by about a sixth (bench/reports.py), and a busy bot is
    CPU-bound. `ANNINH_EVENT_LOOP=asyncio` keeps the standard loop."""
    loop: asyncio.AbstractEventLoop | None = None
    if os.environ.get("ANNINH_EVENT_LOOP", "").lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            loop = uvloop.new_event_loop()
    loop = loop or asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    """Open the database, wait for the Bot API (bot/startup.py), then run until SIGTERM."""
    from bot.app import build_application
    from bot.startup import StartupError, open_database, wait_for_api

    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # APScheduler logs every job added, run and removed at INFO: a line or two per update, since
    # each conversation step reschedules its timeout job.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    if config.zalo_bot_on is not None:
        config.zalo_bot_token()  # a missing token or secret stops here, naming its variable
        config.zalo_bot_webhook_secret()
    if config.zalo_oa_on is not None:
        config.zalo_oa_secrets()  # the app secret and the OA secret key, named if missing
    telegram = config.telegram
    if not telegram.enabled:
        return _run_without_telegram(config)
    token = config.token()
    secret = ""
    if telegram.mode == "webhook":  # checked before anything starts: exit 2, nothing served
        if not telegram.webhook_url:
            raise ConfigError(f"{config.source}: [telegram] webhook_url: required in webhook mode")
        secret = config.webhook_secret()
    loop = _install_event_loop()
    connected: bool | None = None
    try:
        loop.run_until_complete(open_database(config.database.path))
        connected = loop.run_until_complete(wait_for_api(config, token))
    except StartupError as error:
        print(f"anninh: {error}", file=sys.stderr)
    finally:
        if not connected:
            loop.close()
    if not connected:
        return EXIT_OK if connected is False else EXIT_USAGE  # False: SIGTERM while waiting
    app = build_application(config, token)
    # Should the API go away between the check above and the bot's own getMe, PTB retries.
    if telegram.mode == "webhook":
        # Telegram POSTs to the URL's path (a reverse proxy usually forwards it unchanged);
        # a POST without the secret header is refused.
        app.run_webhook(
            listen=telegram.webhook_listen, port=telegram.webhook_port,
            url_path=urlsplit(telegram.webhook_url).path.strip("/"),
            webhook_url=telegram.webhook_url, secret_token=secret,
            bootstrap_retries=-1,
        )
    else:
        app.run_polling(bootstrap_retries=-1)
    return EXIT_OK


def _run_without_telegram(config: Config) -> int:
    """A deployment on Zalo only: the same application, nothing asked of Telegram; runs until
    SIGTERM or SIGINT."""
    from bot.app import build_application, running
    from bot.startup import StartupError, open_database

    if config.zalo_bot_on is None and config.zalo_oa_on is None:
        raise ConfigError(f"{config.source}: [telegram] enabled = false leaves no messenger: "
                          "add [zalo_bot] or [zalo_oa] (or turn Telegram on)")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(number, stop.set)
        await open_database(config.database.path)
        async with running(build_application(config, "")):
            await stop.wait()

    try:
        asyncio.run(serve())
    except StartupError as error:
        print(f"anninh: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
