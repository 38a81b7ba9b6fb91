"""The baselines of bench/reports.py: the barest bot each channel can have, run as a process
the way anninh runs (python bench/echo.py telegram|zalo), answering every text with itself.

Telegram: a python-telegram-bot Application with one MessageHandler, polling the API named by
ANNINH_API_BASE_URL with TELEGRAM_BOT_TOKEN. Zalo: our ZaloBotClient polling
ANNINH_ZALO_BOT_API_BASE_URL with ZALO_BOT_TOKEN, one getUpdates at a time, each answer sent
without waiting (as the bot's per-chat workers do)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels.zalo_bot.client import ZaloBotClient  # noqa: E402
from bot.channels.zalo_bot.updates import parse_update  # noqa: E402


def telegram() -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text:
            await update.message.reply_text(update.message.text)

    base = os.environ["ANNINH_API_BASE_URL"]
    app = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(base)
           .concurrent_updates(32).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0.0, timeout=1)


async def zalo() -> None:
    client = ZaloBotClient(os.environ["ZALO_BOT_TOKEN"],
                           os.environ["ANNINH_ZALO_BOT_API_BASE_URL"])
    pending: set[asyncio.Task[object]] = set()
    while True:
        update = await client.get_updates(1)
        inbound = parse_update(update) if update is not None else None
        if inbound is not None and inbound.text:
            task = asyncio.create_task(client.send_message(inbound.chat_id, inbound.text))
            pending.add(task)
            task.add_done_callback(pending.discard)


if __name__ == "__main__":
    if sys.argv[1:] == ["telegram"]:
        telegram()
    elif sys.argv[1:] == ["zalo"]:
        asyncio.run(zalo())
    else:
        raise SystemExit("usage: bench/echo.py telegram|zalo")
