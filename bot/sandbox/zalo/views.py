"""`ZaloBotMessage`: a bot message as a test sees it, with the numbered choices it lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

# "1. Trộm cắp", "2) Bỏ qua": how a text-only channel lists choices.
_CHOICE = re.compile(r"^[ \t]*(\d{1,2})[.)][ \t]+(\S.*?)[ \t]*$", re.MULTILINE)


def choice_lines(text: str) -> list[tuple[int, str]]:
    """The `N. Label` lines of `text`, in order, as (N, label)."""
    return [(int(number), label) for number, label in _CHOICE.findall(text)]


@dataclass(frozen=True)
class ZaloBotMessage:
    """What the bot sent to a person: a text, a photo (URL and caption) or a sticker."""

    message_id: str
    chat_id: str
    kind: str  # text, photo, sticker
    text: str  # the text, or the photo's caption
    date: int  # epoch milliseconds
    photo_url: str | None = None
    raw: JSON = field(default_factory=dict, repr=False)

    @classmethod
    def from_record(cls, message: JSON) -> ZaloBotMessage:
        return cls(
            message_id=str(message["message_id"]),
            chat_id=str(message["chat_id"]),
            kind=str(message["kind"]),
            text=str(message.get("text") or message.get("caption") or ""),
            date=int(message["date"]),
            photo_url=message.get("photo"),
            raw=message,
        )

    @property
    def choices(self) -> list[tuple[int, str]]:
        """The numbered choices this message lists, as (number, label)."""
        return choice_lines(self.text)

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    @property
    def buttons(self) -> list[list[str]]:
        """The choices one to a row: the shape of a Telegram `BotMessage.buttons`."""
        return [[label] for label in self.labels]
