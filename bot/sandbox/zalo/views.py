"""`ZaloBotMessage`: a bot message as a test sees it, with the numbered choices it lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.zalo.world import ZaloEvent

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


def split_choices(text: str) -> tuple[str, list[tuple[int, str]]]:
    """A bot text as (body, choices): the choices are its last paragraph when every line of
    it is `N. Label`, numbered from 1 (how the Zalo channel lists them); else there are none."""
    body, _, last = text.rstrip().rpartition("\n\n")
    choices = choice_lines(last)
    lines = [line for line in last.splitlines() if line.strip()]
    if not choices or len(choices) != len(lines) or [n for n, _ in choices] != list(
            range(1, len(choices) + 1)):
        return text.strip(), []
    return body.strip(), choices


def one_line(text: str) -> str:
    return " ".join(text.split())


class ZaloTranscript:
    """One readable line per Zalo event, as `anninh demo` prints them: the channel, who, the
    text on one line, a bot message's choices after it, and a typed number with the choice
    it picks — `[Zalo] bot → Chị Hoa: Bạn có đồng ý không? ‹1. Đồng ý · 2. Từ chối›`,
    `[Zalo] Chị Hoa → bot: 1 (= Đồng ý)`."""

    def __init__(self, prefix: str = "[Zalo] ") -> None:
        self.prefix = prefix
        self._choices: dict[str, list[tuple[int, str]]] = {}  # chat → its newest choices

    def line(self, event: ZaloEvent) -> str:
        if event.kind == "bot_message":
            body, choices = split_choices(event.text)
            if choices:
                self._choices[event.chat] = choices
            marker = "" if event.detail in ("", "text") else f"[{event.detail}] "
            listed = " · ".join(f"{n}. {label}" for n, label in choices)
            shown = " ".join(part for part in (one_line(body), listed and f"‹{listed}›") if part)
            return f"{self.prefix}bot → {event.chat}: {marker}{shown}"
        text = event.text.strip()
        number = int(text) if text.isdigit() and len(text) <= 2 else 0
        picked = dict(self._choices.get(event.chat, [])).get(number)
        note = f" (= {picked})" if picked else ""
        return f"{self.prefix}{event.actor} → bot: {event.body()}{note}"
