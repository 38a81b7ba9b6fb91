"""The delivery engine's `Sender` for the Zalo Bot Platform: `OutMessage`s out as Zalo takes
them, Zalo's errors in as the engine's.

A message becomes plain text (render.py: tags dropped, entities decoded, a link as
`text (url)`); its buttons become numbered lines after the text (`1. Label`), a quiz its
question and numbered options; a text past 2,000 characters goes as several messages, in
order, cut at paragraph, line or word boundaries. A photo goes by its public URL with the
first part as caption; a file kept in the media store (`photo_path`) goes by the unguessable,
expiring address anninh's web server gives it (`photo_url`, when `[web] public_url` is set).
A photo Zalo cannot fetch — `[web] public_url` unset, a file outside the media folder, or only a
Telegram file id — is not sent: the text goes alone and the delivery records why (`Sent.note`,
kept as the outbox row's last_error; `anninh doctor` warns of the first).
A Telegram message to copy or forward cannot go (Rejected). Zalo has no edits, no silent
messages and no replies: those are dropped.

The sender depends only on `ZaloBotApi` (bot/channels/zalo_bot/client.py's ZaloBotClient
fits it) and maps what it raises with `translate`: 429 → RateLimited (Zalo gives no
retry_after: a configurable pause, 1 s by default), 403, 404 or "not found" → Unreachable,
400 → Rejected, no answer, 401, 408, 5xx → Transient (bounded retries).

The choices of a message (its buttons: the gong's "Đang đến" / "Không thể" …) are handed to
`offer` once it is delivered, so a typed number or label can answer them (bot/dialog's
runner matches it against the chat's open offers).

A message in several parts that fails midway resumes where it stopped when the engine tries
it again: the parts already delivered are not sent twice (while this process lives).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from bot.channels.zalo_bot.render import TEXT_LIMIT, numbered, plain, split
from bot.sending import (
    OutMessage,
    RateLimited,
    Rejected,
    SendError,
    Sent,
    Transient,
    Unreachable,
)

QUIZ_ACTION = "qz"  # the answer to a quiz sent as numbered options: qz:<ref>:<option>
QUIZ_REF = "zalo-quiz-"
RATE_LIMIT_PAUSE = 1.0  # seconds: Zalo's 429 says nothing of how long to wait
MAX_RESUMABLE = 10_000  # messages remembered half sent

NO_LOCAL_PHOTO = ("photo not sent: [web] public_url is not set, and Zalo takes photos only by "
                  "an address anninh's web server gives them")
NOT_SERVED = ("photo not sent: its file is not in the media folder, the only one the web "
              "server serves")
NO_FILE_ID = "photo not sent: a Telegram file id, not a URL Zalo can fetch"


class ZaloBotApi(Protocol):
    """What the sender needs of a Zalo Bot Platform client. Each returns the call's
    `result` (`{"message_id": …}`) and raises on failure."""

    async def send_message(self, chat_id: str, text: str) -> dict[str, Any]: ...

    async def send_photo(self, chat_id: str, url: str, caption: str) -> dict[str, Any]: ...


Translate = Callable[[Exception], SendError | None]
Offer = Callable[[str, Sequence[tuple[str, str]]], Awaitable[None]]


def translate(error: Exception, *, pause: float = RATE_LIMIT_PAUSE) -> SendError | None:
    """What the engine should do about a failed Zalo call; None for an error that is not
    one (a bug: the engine logs it with its traceback, and retries a few times)."""
    code = getattr(error, "error_code", None)
    reason = str(error) or type(error).__name__
    if isinstance(code, int) and not isinstance(code, bool):
        description = str(getattr(error, "description", "") or reason)
        if code == 429:
            return RateLimited(pause)
        if code in (403, 404) or "not found" in description.lower():
            return Unreachable(reason)
        if code == 400:
            return Rejected(reason)
        return Transient(reason)  # 0 (no answer), 401, 408, 5xx, an answer that is not Zalo's
    if isinstance(error, TimeoutError | OSError):
        return Transient(reason)
    return None


class ZaloSender:
    """Sends `OutMessage`s to Zalo Bot Platform chats (hex ids) through `api`."""

    def __init__(
        self, api: ZaloBotApi, *, pause: float = RATE_LIMIT_PAUSE,
        translate_error: Translate | None = None, limit: int = TEXT_LIMIT,
        offer: Offer | None = None, photo_url: Callable[[str], str | None] | None = None,
    ) -> None:
        self.api = api
        self.offer = offer  # told of a message's choices once it is delivered
        self.photo_url = photo_url  # a kept file's public address (bot/web), None if none
        self.limit = limit
        self._translate = translate_error or functools.partial(translate, pause=pause)
        # (chat, message) → (parts already delivered, the first part's message id)
        self._resume: OrderedDict[tuple[str, OutMessage], tuple[int, str]] = OrderedDict()

    async def send(self, chat_id: str, message: OutMessage) -> Sent:
        parts, photo, note = self.render(message)
        key = (chat_id, message)
        done, first = self._resume.pop(key, (0, ""))
        try:
            for index in range(done, len(parts)):
                if index == 0 and photo is not None:
                    result = await self.api.send_photo(chat_id, photo, parts[0])
                else:
                    result = await self.api.send_message(chat_id, parts[index])
                first = first or str(result.get("message_id", ""))
                done = index + 1
        except Exception as error:
            if done:
                self._remember(key, done, first)
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error
        if self.offer is not None and message.buttons:
            # the numbered lines just sent, in their order: a typed "1" or label answers them
            await self.offer(chat_id, [choice for row in message.buttons for choice in row])
        if message.quiz is not None:  # no polls on Zalo: its options answer by number
            ref = f"{QUIZ_REF}{first}"  # the outbox keeps it, as a Telegram poll's id
            if self.offer is not None:
                await self.offer(chat_id, [(option, f"{QUIZ_ACTION}:{ref}:{index}")
                                           for index, option in enumerate(message.quiz.options)])
            return Sent(first, ref=ref, note=note)
        return Sent(first, note=note)

    async def edit_text(self, chat_id: str, message_id: int, text: str) -> None:
        """Zalo has no edits: a progress message cannot be kept up to date there."""
        del chat_id, message_id, text
        raise Rejected("Zalo cannot edit a message")

    def render(self, message: OutMessage) -> tuple[list[str], str | None, str | None]:
        """The texts to send in order, the photo URL the first goes with (its caption), and
        what could not be sent; Rejected when nothing of the message can go to Zalo."""
        if message.copy_from is not None:
            raise Rejected("a Telegram message to copy or forward cannot go to Zalo")
        if message.quiz is not None:
            text = numbered(plain(message.quiz.question), message.quiz.options)
        else:
            labels = [label for row in message.buttons for label, _ in row]
            text = numbered(plain(message.text), labels)
        photo, note = message.photo, None
        if photo is not None and not photo.startswith(("https://", "http://")):
            photo = None  # a Telegram file id: the kept file's address, if any, goes instead
            note = NO_FILE_ID if message.photo_path is None else None
        if photo is None and message.photo_path is not None:
            photo = self.photo_url(message.photo_path) if self.photo_url else None
            note = None if photo is not None else NOT_SERVED if self.photo_url else (
                NO_LOCAL_PHOTO)
        parts = split(text, self.limit)
        if photo is not None and not parts:
            parts = [""]  # a photo without a caption
        if not parts:
            raise Rejected(f"nothing Zalo can show ({note or 'an empty message'})")
        return parts, photo, note

    def _remember(self, key: tuple[str, OutMessage], done: int, first: str) -> None:
        self._resume[key] = (done, first)
        while len(self._resume) > MAX_RESUMABLE:
            self._resume.popitem(last=False)
