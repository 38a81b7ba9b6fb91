"""The delivery engine's `Sender` for Telegram: PTB calls in, engine-neutral errors out."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot import replies
from bot.delivery import (
    Migrated,
    OutMessage,
    RateLimited,
    Rejected,
    SendError,
    Sent,
    Transient,
    Unreachable,
)
from bot.replies import inline_keyboard

_GONE = ("chat not found", "user not found", "peer_id_invalid", "user is deactivated")


def translate(error: TelegramError) -> SendError:
    """Map a PTB error to what the engine should do, in DESIGN.md's catch order."""
    if isinstance(error, RetryAfter):
        after = error.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return RateLimited(seconds)
    if isinstance(error, Forbidden):
        return Unreachable(error.message)
    if isinstance(error, ChatMigrated):
        return Migrated(int(error.new_chat_id))
    if isinstance(error, BadRequest):
        if any(gone in error.message.lower() for gone in _GONE):
            return Unreachable(error.message)
        return Rejected(error.message)
    if isinstance(error, TimedOut | NetworkError):
        return Transient(error.message or type(error).__name__)
    return Rejected(error.message)


class TelegramSender:
    """Sends `OutMessage`s with a PTB `Bot`; a local photo is uploaded once, then reused."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._uploaded: dict[str, str] = {}
        self._upload_lock = asyncio.Lock()
        self._last_file_id = ""

    async def send(self, chat_id: int, message: OutMessage) -> Sent:
        try:
            with replies.engine_sends():  # the engine records and logs what fails
                return await self._send(chat_id, message)
        except TelegramError as error:
            raise translate(error) from error

    async def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        try:
            with replies.engine_sends():
                await replies.edit_text(self.bot, chat_id, message_id, text)  # unchanged is fine
        except TelegramError as error:
            raise translate(error) from error

    async def _send(self, chat_id: int, message: OutMessage) -> Sent:
        bot, silent = self.bot, message.silent
        if message.quiz is not None:
            quiz = message.quiz
            sent = await bot.send_poll(
                chat_id, quiz.question, list(quiz.options), type="quiz", is_anonymous=False,
                correct_option_ids=[quiz.correct],  # type: ignore[list-item]
                explanation=quiz.explanation or None,
                disable_notification=silent,
            )
            return Sent(sent.message_id, sent.poll.id if sent.poll else None)
        if message.copy_from is not None:
            origin, original = message.copy_from
            if message.forward:
                forwarded = await bot.forward_message(
                    chat_id, origin, original, disable_notification=silent)
                return Sent(forwarded.message_id)
            copied = await bot.copy_message(chat_id, origin, original,
                                            reply_markup=_markup(message),
                                            disable_notification=silent,
                                            reply_parameters=_reply(message))
            return Sent(copied.message_id)
        if message.photo or message.photo_path:
            return Sent(await self._photo(chat_id, message, _markup(message)))
        posted = await replies.send_text(
            bot, chat_id, message.text,
            inline_keyboard(message.buttons) if message.buttons else None, silent=silent,
            reply_to=message.reply_to)
        return Sent(posted.message_id)

    async def _photo(
        self, chat_id: int, message: OutMessage, markup: InlineKeyboardMarkup | None
    ) -> int:
        path = message.photo_path
        if message.photo or path is None:
            return await self._send_photo(chat_id, message, markup, message.photo or "")
        if path not in self._uploaded:
            async with self._upload_lock:  # the first send uploads; the others reuse its id
                if path not in self._uploaded:
                    data = await asyncio.to_thread(Path(path).read_bytes)
                    sent = await self._send_photo(chat_id, message, markup, data)
                    self._uploaded[path] = self._last_file_id
                    return sent
        return await self._send_photo(chat_id, message, markup, self._uploaded[path])

    async def _send_photo(
        self, chat_id: int, message: OutMessage, markup: InlineKeyboardMarkup | None,
        photo: str | bytes,
    ) -> int:
        sent: Message = await self.bot.send_photo(
            chat_id, photo, caption=message.text or None, reply_markup=markup,
            disable_notification=message.silent, reply_parameters=_reply(message),
        )
        self._last_file_id = sent.photo[-1].file_id if sent.photo else ""
        return sent.message_id


def _reply(message: OutMessage) -> ReplyParameters | None:
    if message.reply_to is None:
        return None
    return ReplyParameters(message.reply_to, allow_sending_without_reply=True)


def _markup(message: OutMessage) -> InlineKeyboardMarkup | None:
    """The message's buttons for PTB's file-sending methods (text goes through bot/replies)."""
    if not message.buttons:
        return None
    return InlineKeyboardMarkup.de_json(inline_keyboard(message.buttons), None)
