"""The bot's everyday replies, with Telegram's answer kept as JSON.

python-telegram-bot turns the answer to every call into Telegram objects: a `Message` has about a
hundred attributes, each set through a Python-level `__setattr__`, and a keyboard becomes a tree
of button objects. The bot almost never reads what comes back from a reply — at most the new
message's id — yet building those objects was about a fifth of its CPU per update (measured with
bench/reports.py). These calls go through the same `Bot._post` path as PTB's own methods (its
defaults, its encoding, its errors: BadRequest, Forbidden, RetryAfter …) and stop before the
parsing. Keyboards are built as the JSON Telegram expects, not as objects first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import Bot
from telegram.error import BadRequest

Buttons = Sequence[Sequence[tuple[str, str]]]
Markup = dict[str, Any]
REMOVE_KEYBOARD: Markup = {"remove_keyboard": True}


@dataclass(frozen=True)
class Posted:
    """Where a message went: enough to edit it or reply to it later."""

    chat_id: int
    message_id: int


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
    """sendMessage in the bot's default parse mode; where the message went."""
    params: dict[str, Any] = {"chat_id": chat_id, "text": text, "reply_markup": markup}
    if reply_to is not None:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    if silent:
        params["disable_notification"] = True
    result = await _call(bot, "sendMessage", params)
    return Posted(int(result["chat"]["id"]), int(result["message_id"]))


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, markup: Markup | None = None
) -> None:
    """editMessageText in the bot's default parse mode (`markup` None takes the buttons off).
    A message that already reads so is left as it is (Telegram's "message is not modified")."""
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
