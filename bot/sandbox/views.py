"""Readable views of sandbox data: `BotMessage`, `CallbackAnswer`, events and transcript lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

_MEDIA_KINDS = (
    "photo",
    "document",
    "location",
    "venue",
    "contact",
    "poll",
    "video",
    "audio",
    "voice",
    "animation",
    "sticker",
)


def message_kind(message: JSON) -> str:
    for kind in _MEDIA_KINDS:
        if kind in message:
            return kind
    return "text"


def message_text(message: JSON) -> str:
    if "poll" in message:
        return str(message["poll"]["question"])
    return str(message.get("text") or message.get("caption") or "")


def inline_rows(message: JSON) -> list[list[JSON]]:
    markup = message.get("reply_markup") or {}
    rows: list[list[JSON]] = markup.get("inline_keyboard") or []
    return rows


def keyboard_rows(message: JSON) -> list[list[str]] | None:
    markup = message.get("reply_markup") or {}
    if "keyboard" not in markup:
        return None
    return [[button_text(button) for button in row] for row in markup["keyboard"]]


def button_text(button: JSON | str) -> str:
    return button if isinstance(button, str) else str(button.get("text", ""))


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (answerCallbackQuery)."""

    text: str | None
    show_alert: bool
    url: str | None = None


@dataclass(frozen=True)
class BotMessage:
    """A bot message as a test sees it: the text, the buttons, the attachment."""

    message_id: int
    chat_id: int
    text: str
    kind: str
    buttons: list[list[str]]
    inline: list[list[tuple[str, str | None]]]
    reply_keyboard: list[list[str]] | None
    raw: JSON = field(repr=False)
    edits: int = 0
    deleted: bool = False
    document: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    disable_notification: bool = False
    reply_to_message_id: int | None = None

    @classmethod
    def from_message(
        cls,
        message: JSON,
        *,
        edits: int = 0,
        deleted: bool = False,
        document: bytes | None = None,
        disable_notification: bool = False,
    ) -> BotMessage:
        rows = inline_rows(message)
        reply_to = message.get("reply_to_message")
        return cls(
            message_id=int(message["message_id"]),
            chat_id=int(message["chat"]["id"]),
            text=message_text(message),
            kind=message_kind(message),
            buttons=[[str(b.get("text", "")) for b in row] for row in rows],
            inline=[[(str(b.get("text", "")), b.get("callback_data")) for b in r] for r in rows],
            reply_keyboard=keyboard_rows(message),
            raw=message,
            edits=edits,
            deleted=deleted,
            document=document,
            file_name=(message.get("document") or {}).get("file_name"),
            disable_notification=disable_notification,
            reply_to_message_id=reply_to["message_id"] if reply_to else None,
        )

    @property
    def photo(self) -> list[JSON] | None:
        photo: list[JSON] | None = self.raw.get("photo")
        return photo

    @property
    def location(self) -> JSON | None:
        location: JSON | None = self.raw.get("location")
        return location

    @property
    def poll(self) -> JSON | None:
        poll: JSON | None = self.raw.get("poll")
        return poll

    @property
    def entities(self) -> list[JSON]:
        entities: list[JSON] = self.raw.get("entities") or self.raw.get("caption_entities") or []
        return entities

    @property
    def labels(self) -> list[str]:
        """Every button label, inline and reply keyboard, in reading order."""
        flat = [label for row in self.buttons for label in row]
        return flat + [label for row in self.reply_keyboard or [] for label in row]


@dataclass(frozen=True)
class Event:
    """One thing that happened, in order: see `format_event`."""

    kind: str  # user_message, user_edit, press, vote, bot_message, edit, delete, callback_answer
    chat: str  # the chat's display name
    actor: str  # "bot" or the person's first name
    message: JSON | None = None
    detail: str = ""  # pressed label, answer text, …
    private: bool = field(default=True)


def describe(message: JSON) -> str:
    """One line for a message: `[kind]` marker, text, then its buttons."""
    kind = message_kind(message)
    parts = [] if kind == "text" else [f"[{kind}]"]
    if kind == "location":
        loc = message["location"]
        parts.append(f"{loc['latitude']}, {loc['longitude']}")
    if kind == "contact":
        parts.append(str(message["contact"].get("phone_number", "")))
    text = message_text(message)
    if text:
        parts.append(" ".join(text.split()))
    buttons = [str(b.get("text", "")) for row in inline_rows(message) for b in row]
    buttons += [label for row in keyboard_rows(message) or [] for label in row]
    if buttons:
        parts.append(" ".join(f"[{label}]" for label in buttons))
    return " ".join(parts)


def format_event(event: Event) -> str:
    """One transcript line: `Lan → bot: /start`, `bot → Lan: Chào… [Đồng ý]`, …"""
    body = describe(event.message) if event.message is not None else ""
    if event.kind == "user_message":
        where = "bot" if event.private else event.chat
        return f"{event.actor} → {where}: {body}"
    if event.kind == "user_edit":
        where = "bot" if event.private else event.chat
        return f"{event.actor} ✎ {where}: {body}"
    if event.kind == "press":
        suffix = "" if event.private else f" in {event.chat}"
        return f"{event.actor} presses [{event.detail}]{suffix}"
    if event.kind == "vote":
        suffix = "" if event.private else f" in {event.chat}"
        return f"{event.actor} votes [{event.detail}]{suffix}"
    if event.kind == "bot_message":
        return f"bot → {event.chat}: {body}"
    if event.kind == "edit":
        return f"bot ✎ {event.chat}: {body}"
    if event.kind == "delete":
        return f"bot ✗ {event.chat}: deleted {body}"
    if event.kind == "callback_answer":
        return f"bot answers {event.actor}: {event.detail}"
    return f"{event.kind} {event.chat}: {body}"
