"""The bot's everyday replies, with Telegram's answer kept as JSON.

python-telegram-bot turns the answer to every call into Telegram objects: a `Message` has about a
hundred attributes, each set through a Python-level `__setattr__`, and a keyboard becomes a tree
of button objects. The bot almost never reads what comes back from a reply — at most the new
message's id — yet building those objects was about a fifth of its CPU per update (measured with
bench/reports.py). These calls go through the same `Bot._post` path as PTB's own methods (its
defaults, its encoding, its errors: BadRequest, Forbidden, RetryAfter …) and stop before the
parsing. Keyboards are built as the JSON Telegram expects, not as objects first.

A text longer than Telegram takes (4,096 visible characters) goes as several messages, split by
`bot.markup.split_html`. A send that fails is logged at WARNING with the chat and the reason
(`log_failure`, called for every Bot API call by bot/updates.py's `ResilientBot`), except the
delivery engine's own, which it records and logs itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.markup import fits, split_html
from bot.sending import chat_label

log = logging.getLogger(__name__)

Buttons = Sequence[Sequence[tuple[str, str]]]
Markup = dict[str, Any]
REMOVE_KEYBOARD: Markup = {"remove_keyboard": True}


@dataclass(frozen=True)
class Posted:
    """Where a message went: enough to edit it or reply to it later."""

    chat_id: int
    message_id: int
    earlier: tuple[int, ...] = ()  # the parts before this one, when a long text was split

    @property
    def message_ids(self) -> tuple[int, ...]:
        return (*self.earlier, self.message_id)


def inline_keyboard(rows: Buttons) -> Markup:
    """An inline keyboard from rows of (label, callback_data), as Telegram's JSON."""
    return {"inline_keyboard": [[{"text": label, "callback_data": data} for label, data in row]
                                for row in rows]}


def reply_keyboard(rows: Sequence[Sequence[dict[str, Any]]]) -> Markup:
    """A one-time keyboard under the text field, rows of Telegram's KeyboardButton JSON."""
    return {"keyboard": [list(row) for row in rows], "resize_keyboard": True,
            "one_time_keyboard": True}


async def send_text(
    bot: Bot, chat_id: int, text: str, markup: Markup | None = None, *,
    reply_to: int | None = None, silent: bool = False,
) -> Posted:
    """sendMessage in the bot's default parse mode; where the message went. A text too long
    for one message goes as several, in order: the first answers `reply_to`, the last carries
    the buttons and is the one returned (with the others' ids in `earlier`)."""
    parts = [text] if fits(text) else split_html(text)
    earlier: list[int] = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        params: dict[str, Any] = {"chat_id": chat_id, "text": part,
                                  "reply_markup": markup if last else None}
        if reply_to is not None and index == 0:
            params["reply_parameters"] = {"message_id": reply_to,
                                          "allow_sending_without_reply": True}
        if silent:
            params["disable_notification"] = True
        result = await _call(bot, "sendMessage", params)
        posted = Posted(int(result["chat"]["id"]), int(result["message_id"]), tuple(earlier))
        earlier.append(posted.message_id)
    return posted


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup | None = None
) -> None:
    """editMessageText in the bot's default parse mode (`markup` None takes the buttons off).
    A message that already reads so is left as it is (Telegram's "message is not modified").
    A text too long for one message was sent in parts (`send_text`), and the message edited
    is the last one: it gets the last part."""
    if not fits(text):
        text = split_html(text)[-1]
    await _edit(bot, "editMessageText", {"chat_id": chat_id, "message_id": message_id,
                                         "text": text, "reply_markup": markup})


async def edit_markup(bot: Bot, chat_id: int, message_id: int, markup: Markup | None) -> None:
    """editMessageReplyMarkup (`markup` None takes the buttons off); unchanged is fine."""
    await _edit(bot, "editMessageReplyMarkup",
                {"chat_id": chat_id, "message_id": message_id, "reply_markup": markup})


async def answer_press(
    bot: Bot, query_id: str, text: str | None = None, *, alert: bool = False
) -> None:
    """answerCallbackQuery: stops the button's spinner, with a toast or an alert."""
    await _call(bot, "answerCallbackQuery", {
        "callback_query_id": query_id, "text": text, "show_alert": alert or None})


async def _edit(bot: Bot, method: str, params: dict[str, Any]) -> None:
    try:
        await _call(bot, method, params)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def _call(bot: Bot, method: str, params: dict[str, Any]) -> Any:
    if "text" in params and method != "answerCallbackQuery":
        defaults = getattr(bot, "defaults", None)
        params["parse_mode"] = defaults.parse_mode if defaults is not None else None
    return await bot._post(method, params)  # PTB's request path, without its parsing


# --- failed sends ------------------------------------------------------------------------------

_SENDING = re.compile(r"^(send|copy|forward|edit)", re.IGNORECASE)
_ENGINE_SENDS: ContextVar[bool] = ContextVar("engine_sends", default=False)


@contextmanager
def engine_sends() -> Iterator[None]:
    """The sends in this block are the delivery engine's: it records and logs their outcome."""
    token = _ENGINE_SENDS.set(True)
    try:
        yield
    finally:
        _ENGINE_SENDS.reset(token)


def log_failure(endpoint: str, data: Mapping[str, Any] | None, error: TelegramError) -> None:
    """One WARNING for a direct send the Bot API refused or that may not have arrived: the
    method, the chat and the reason, never the text (it may be personal data)."""
    if _ENGINE_SENDS.get() or not _SENDING.match(endpoint):
        return
    if "not modified" in error.message.lower():
        return  # an edit that changes nothing is not a failure (see _edit)
    chat = (data or {}).get("chat_id", "?")
    if isinstance(chat, str) and chat.lstrip("-").isdigit():
        chat = int(chat)
    log.warning("%s to %s failed: %s: %s", endpoint, chat_label(chat), type(error).__name__,
                error.message)
