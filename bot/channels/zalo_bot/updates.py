"""Zalo Bot Platform updates → `ZaloInbound`, plus what a receiver needs around them: a small
de-duplicator (Zalo may deliver an update twice) and the webhook's secret check.

An update arrives from getUpdates or a webhook, enveloped (`{"ok": true, "result": {event}}`)
or bare (`{event}`); either way `parse_update` reads it, and returns None — never raises — for
anything that is not a message event it can read.
"""

from __future__ import annotations

import hmac
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

InboundKind = Literal["text", "image", "sticker", "unsupported", "voice"]

SECRET_HEADER = "X-Bot-Api-Secret-Token"

_KINDS: dict[str, InboundKind] = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "unsupported",
}


@dataclass(frozen=True, slots=True)
class ZaloInbound:
    """One message a person sent the bot. Ids are Zalo's hex strings; `date` is epoch ms."""

    message_id: str
    user_id: str
    chat_id: str
    chat_type: str  # PRIVATE or GROUP
    display_name: str
    kind: InboundKind
    text: str  # "" unless kind is text
    photo_url: str | None  # images only
    caption: str  # images only; "" when none
    date: int

    @property
    def private(self) -> bool:
        return self.chat_type == "PRIVATE"

    @property
    def sent_at(self) -> datetime:
        return datetime.fromtimestamp(self.date / 1000, tz=UTC)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: Any) -> int:
    """Epoch milliseconds, as a number or a string of digits; 0 when missing."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return 0


def _event(update: Any) -> dict[str, Any] | None:
    """The event inside an enveloped update, or the bare event itself."""
    if not isinstance(update, dict):
        return None
    if "event_name" not in update and update.get("ok") is True:
        update = update.get("result")
    return update if isinstance(update, dict) else None


def parse_update(update: Any) -> ZaloInbound | None:
    """The message in `update`, or None when it holds none we can read."""
    event = _event(update)
    if event is None:
        return None
    name = event.get("event_name")
    if not isinstance(name, str):
        return None
    kind = _KINDS.get(name)
    if kind is None:  # a message event newer than this code: treat as unsupported content
        if not (name.startswith("message.") and name.endswith(".received")):
            return None
        kind = "unsupported"
    message = event.get("message")
    if not isinstance(message, dict):
        return None
    sender, chat = message.get("from"), message.get("chat")
    if not isinstance(sender, dict) or not isinstance(chat, dict):
        return None
    message_id = _str(message.get("message_id"))
    user_id = _str(sender.get("id"))
    chat_id = _str(chat.get("id"))
    if message_id is None or user_id is None or chat_id is None:
        return None
    text = message.get("text")
    if kind == "text" and not isinstance(text, str):
        return None
    photo_url = _str(message.get("photo_url")) or _str(message.get("photo"))
    if kind == "image" and photo_url is None:
        return None
    name_field = sender.get("display_name") or sender.get("name") or sender.get("first_name")
    caption = message.get("caption")
    return ZaloInbound(
        message_id=message_id,
        user_id=user_id,
        chat_id=chat_id,
        chat_type=_str(chat.get("chat_type")) or "PRIVATE",
        display_name=name_field if isinstance(name_field, str) else "",
        kind=kind,
        text=text if kind == "text" and isinstance(text, str) else "",
        photo_url=photo_url if kind == "image" else None,
        caption=caption if kind == "image" and isinstance(caption, str) else "",
        date=_date(message.get("date")),
    )


class Seen:
    """The last `capacity` message ids, to drop an update delivered twice. In memory only:
    the durable de-duplication lives in the core."""

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first(self, message_id: str) -> bool:
        """True the first time `message_id` is offered, False when it was seen already."""
        if message_id in self._ids:
            self._ids.move_to_end(message_id)
            return False
        self._ids[message_id] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


def verify_secret(header_value: str | None, expected: str) -> bool:
    """Whether a webhook POST's `X-Bot-Api-Secret-Token` header is our secret (constant time)."""
    if not header_value or not expected:
        return False
    return hmac.compare_digest(header_value.encode(), expected.encode())
