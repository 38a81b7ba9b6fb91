"""What the delivery engine sends and hears back, with no Telegram types: the message, the
`Sender` protocol a messenger adapter implements, the errors it raises, and quiet hours.

bot/delivery.py re-exports all of these; import them from there."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.models import Lane, Reach

# --- what is sent, and how a Sender says it went wrong --------------------------------------


@dataclass(frozen=True)
class Quiz:
    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str = ""


@dataclass(frozen=True)
class OutMessage:
    """A message as every recipient gets it; plain data, stored as JSON in the broadcast.

    One of: `text` (HTML); `photo` (a file id or URL) or `photo_path` (a local file, uploaded
    once) with `text` as caption; `quiz`; `copy_from` = (chat id, message id) to copy, or to
    forward when `forward` is true. `buttons`: rows of (label, callback data). `reply_to`: a
    message id in the recipient's chat to answer (sent anyway if that message is gone)."""

    text: str = ""
    photo: str | None = None
    photo_path: str | None = None
    quiz: Quiz | None = None
    copy_from: tuple[int, int] | None = None
    forward: bool = False
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()
    silent: bool = False
    reply_to: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> OutMessage:
        data: dict[str, Any] = json.loads(raw)
        quiz = data.pop("quiz", None)
        copy_from = data.pop("copy_from", None)
        buttons = data.pop("buttons", None) or []
        return cls(
            **data,
            quiz=None if quiz is None else Quiz(
                quiz["question"], tuple(quiz["options"]), quiz["correct"], quiz["explanation"]),
            copy_from=None if copy_from is None else (int(copy_from[0]), int(copy_from[1])),
            buttons=tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in buttons),
        )


@dataclass(frozen=True)
class Sent:
    message_id: int | str  # Telegram's integer; another messenger's id may be text
    ref: str | None = None  # e.g. the poll id of a quiz
    # What did not go although the message did (e.g. a photo a channel cannot send):
    # recorded with the delivery as its last_error.
    note: str | None = None
    reach: Reach | None = None  # how a Zalo OA follower was reached (what it cost)


class SendError(Exception):
    """A send failed; subclasses say what the engine should do about it."""


class RateLimited(SendError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class Unreachable(SendError):
    """The recipient blocked the bot, deleted their account, or the chat is gone."""


class Transient(SendError):
    """A timeout or a network error: the message may or may not have arrived."""


class Rejected(SendError):
    """The message itself was refused (bad HTML, too long …): retrying will not help."""


class Deferred(SendError):
    """Not now, by the messenger's rule (a Zalo ZBS template at night): queued again for
    `seconds` from now, the attempt not counted."""

    def __init__(self, reason: str, seconds: float) -> None:
        super().__init__(reason)
        self.seconds = seconds


class Skipped(SendError):
    """Not sent, by rule, and recorded so (state 'skipped'): e.g. an ordinary announcement to a
    Zalo OA follower outside the 7-day window. Not a failure; never silent."""

    def __init__(self, reason: str, reach: Reach = "outside_window",
                 waits_until: str | None = None) -> None:
        super().__init__(reason)
        self.reach = reach
        self.waits_until = waits_until  # ISO 8601: sent if the person interacts before then


class Migrated(SendError):
    def __init__(self, new_chat_id: int) -> None:
        super().__init__(f"chat migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


# The chat ids a Sender takes: Telegram's are integers, Zalo's text.
ChatId = TypeVar("ChatId", contravariant=True)


class Sender(Protocol[ChatId]):
    """One channel's way out: the engine gives it the chats of that channel's outbox rows
    (bot/store/outbox.py: Telegram's integer chat ids, other messengers' ids as text)."""

    async def send(self, chat_id: ChatId, message: OutMessage) -> Sent:
        """Send one message; raise a SendError subclass when it fails."""
        ...

    async def edit_text(self, chat_id: ChatId, message_id: int, text: str) -> None:
        """Replace the text of a message the bot sent (progress reports)."""
        ...


class LaneSender(Sender[ChatId], Protocol[ChatId]):
    """A Sender whose way out depends on the message's lane (a Zalo OA: within the window a
    consultation message; outside it a ZBS template for the gong and urgent announcements,
    nothing for the rest). The engine calls `send_on` instead of `send` where it exists."""

    async def send_on(self, chat_id: ChatId, message: OutMessage, lane: Lane,
                      urgent: bool) -> Sent:
        ...


# --- quiet hours ------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHours:
    """A local-time range such as "21:30-06:30" (may cross midnight); "" means none."""

    spec: str
    tz: ZoneInfo

    def _bounds(self) -> tuple[int, int] | None:
        if not self.spec:
            return None
        start, end = (int(h) * 60 + int(m) for h, m in
                      (part.split(":") for part in self.spec.split("-")))
        return start, end

    def contains(self, moment: datetime) -> bool:
        bounds = self._bounds()
        if bounds is None:
            return False
        local = moment.astimezone(self.tz)
        minute = local.hour * 60 + local.minute
        start, end = bounds
        return start <= minute < end if start <= end else minute >= start or minute < end

    def ends_after(self, moment: datetime) -> datetime:
        """When the quiet hours containing `moment` end (`moment` itself if it is not quiet)."""
        bounds = self._bounds()
        if bounds is None or not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        end = local.replace(hour=bounds[1] // 60, minute=bounds[1] % 60, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


def chat_label(chat_id: object, row: int | None = None) -> str:
    """A chat as logs name it. A Telegram group by its id; a private chat never by its id,
    which is the person's Telegram id and would outlive the deletion of their data in the log
    (the outbox row, when there is one, is a tombstone after that deletion). Another
    messenger's id (text) cannot tell a group from a person: it is never named either."""
    where = f" (outbox row {row})" if row is not None else ""
    if isinstance(chat_id, str):
        return "a chat" + where
    if isinstance(chat_id, int) and chat_id > 0:
        return "a private chat" + where
    return f"chat {chat_id}"
