"""`ZaloOaSender`: the delivery engine's way out to Zalo OA followers, and what the channel's
replies are built with.

A message goes as consultation messages (`/v3.0/oa/message/cs`) from the follower's OA, with
that OA's access token (the TokenKeeper renews it, and answers -216/-220 with one refresh
and one retry). Its text is plain (the product's markup read as text, bot/channels/zalo_bot/
render.py), split at paragraphs to 2,000 characters; its choices are numbered lines and, when
there are at most `max_buttons`, `oa.query.hide` buttons under the last part whose payload
is the label (a press arrives as the label typed, so a button, a typed number and typed
words all answer alike). A kept photo (`photo_path`) is uploaded (≤ 1 MB, re-compressed to fit
if larger: images.py; its attachment id reused for 6 days) and sent as a media template; a
photo URL is sent by URL; a Telegram file id cannot go (noted).

The engine sends through `send_on`, which first decides by the follower's last interaction
and the message's lane (bot/services/oa_reach.py): within 48 h a free consultation message,
within 7 days a billable one, beyond that a ZBS template message for the gong and urgent
announcements (`[zalo_oa.templates]`: the message's text, as plain text, is the template's
one parameter `noi_dung`) and nothing for the rest (Skipped, recorded 'outside_window'; news
and propaganda wait for the follower's next interaction, bot/services/oa_reach.py).
A template Zalo refuses by follower id as not following (-213) goes by the phone number
the person shared (their settings, or the OA's information form), where there is one.
Every message sent says how (`Sent.reach`), so the outbox can count what it cost. An
announcement carries a "Đã nhận" button: pressing it is an interaction, which keeps the
window open.

Zalo's answers, for the engine: -32 → RateLimited; -213 (not a follower), -217 (blocked),
-227 (inactive) → Unreachable; -230 (outside the 7-day window, where anninh's record thought
otherwise) → a ZBS template where the message deserves one, else Skipped; other refusals →
Rejected, recorded with the reason; no answer, a refused refresh, an OA without tokens →
Transient (bounded retries).
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.channels.zalo_bot.render import TEXT_LIMIT, numbered, plain, split
from bot.channels.zalo_oa.client import OaError, OaGrantError, OaTransient, ZaloOaClient
from bot.channels.zalo_oa.images import fit_image
from bot.channels.zalo_oa.tokens import NotConnected, TokenKeeper
from bot.clock import Clock
from bot.models import Lane
from bot.models.zalo_oa import OaFollower
from bot.sending import (
    Deferred,
    OutMessage,
    RateLimited,
    Rejected,
    SendError,
    Sent,
    Skipped,
    Transient,
    Unreachable,
)
from bot.services.oa_reach import (
    after_the_night,
    by_template,
    decide,
    template_purpose,
    waits_until,
)

JSON = dict[str, Any]
Offer = Callable[[str, Sequence[tuple[str, str]]], Awaitable[None]]
OaOf = Callable[[str], Awaitable[str | None]]
FollowerOf = Callable[[str], Awaitable[OaFollower | None]]
AckLabel = Callable[[str | None], str]  # the "Đã nhận" button's label in a language

RATE_LIMIT_PAUSE = 5.0  # seconds: -32 says nothing of how long to wait
NOT_FOLLOWER = -213
UNREACHABLE = frozenset({NOT_FOLLOWER, -217, -227})
IMAGE_LIMIT = 1024 * 1024
ATTACHMENT_LIFE = timedelta(days=6)  # Zalo keeps an attachment id 7 days
QUIZ_ACTION = "qz"
RECEIVED_ACTION = "rcv"  # an announcement's "Đã nhận" (handlers/received.py)
OUTSIDE_WINDOW = -230
NIGHT = -133  # a ZBS template refused at night
ZBS_REF = "zbs:"  # + the tracking_id: a template's outbox ref, which its receipt names
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TEMPLATE_TEXT_LIMIT = 400  # the ZBS template's `noi_dung` parameter, as README asks for it


class OutsideWindow(Rejected):
    """-230: the follower has not interacted for 7 days (Zalo's count)."""


def translate(error: Exception) -> SendError | None:
    if isinstance(error, NotConnected | OaGrantError | OaTransient):
        return Transient(str(error))
    if isinstance(error, OaError):
        if error.code == -32:
            return RateLimited(RATE_LIMIT_PAUSE)
        if error.code in UNREACHABLE:
            return Unreachable(str(error))
        if error.code == OUTSIDE_WINDOW:
            return OutsideWindow(str(error))
        return Rejected(str(error))
    return None


def buttons(labels: Sequence[str], limit: int) -> JSON | None:
    """The `oa.query.hide` buttons for these choices; None when there are none or too many
    (the numbered lines carry them alone)."""
    if not labels or len(labels) > limit:
        return None
    return {"type": "template", "payload": {"buttons": [
        {"title": label[:100], "type": "oa.query.hide", "payload": label[:1000]}
        for label in labels]}}


def messages(text: str, labels: Sequence[str], max_buttons: int) -> list[JSON]:
    """The consultation messages of a text with choices: numbered lines, split to fit, the
    buttons under the last part."""
    parts = split(numbered(plain(text), labels), TEXT_LIMIT)
    found: list[JSON] = [{"text": part} for part in parts]
    attachment = buttons(labels, max_buttons)
    if found and attachment is not None:
        found[-1]["attachment"] = attachment
    return found


def info_form(title: str, subtitle: str, image_url: str) -> JSON:
    """The OA's information form (`request_user_info`): a card the follower taps to send the
    name and phone number Zalo holds for them; the answer comes as `user_submit_info`."""
    element: JSON = {"title": title[:100], "subtitle": subtitle[:500]}
    if image_url:
        element["image_url"] = image_url
    return {"attachment": {"type": "template", "payload": {
        "template_type": "request_user_info", "elements": [element]}}}


def template_text(message: OutMessage) -> str:
    """A message as the ZBS template's one parameter: plain text, cut at a word."""
    text = " ".join(plain(message.quiz.question if message.quiz else message.text).split())
    if len(text) <= TEMPLATE_TEXT_LIMIT:
        return text
    cut = text[:TEMPLATE_TEXT_LIMIT - 1].rsplit(" ", 1)[0]
    return cut + "…"


class ZaloOaSender:
    def __init__(
        self, client: ZaloOaClient, keeper: TokenKeeper, clock: Clock, oa_of: OaOf, *,
        max_buttons: int = 5, offer: Offer | None = None, follower: FollowerOf | None = None,
        templates: Mapping[str, str] | None = None, ack: AckLabel | None = None,
        tz: tzinfo = VIETNAM,
    ) -> None:
        self.tz = tz  # the night of Zalo's rule for templates is local time
        self.client, self.keeper, self.clock, self.oa_of = client, keeper, clock, oa_of
        self.max_buttons = max_buttons
        self.offer = offer
        self.follower = follower
        self.templates = dict(templates or {})
        self.ack = ack
        # (OA, path) → (attachment id, valid until): an upload belongs to its OA
        self._attachments: dict[tuple[str, str], tuple[str, datetime]] = {}

    def pace_with(self, take: Callable[[], Awaitable[None]]) -> None:
        """The delivery engine's pacer takes a token per call of the OA API, not per message:
        a skipped message costs none, a message in parts or a -230 retried by template more
        than one; the channel's replies count against the app's limit too."""
        self.client.pace = take

    async def deliver(self, user_id: str, message: JSON) -> str:
        """One consultation message to a follower; its message id (OaError on failure)."""
        oa_id = await self.oa_of(user_id)
        if oa_id is None:
            raise NotConnected("no Official Account is known for this follower")

        async def send(token: str) -> JSON:
            return await self.client.send_message(token, user_id, message)

        return str((await self.keeper.call(oa_id, send)).get("message_id", ""))

    async def display_name(self, user_id: str) -> str:
        """The follower's name as Zalo shows it (the OA's profile call); "" if none."""
        oa_id = await self.oa_of(user_id)
        if oa_id is None:
            raise NotConnected("no Official Account is known for this follower")

        async def ask(token: str) -> str:
            return await self.client.user_name(token, user_id)

        return await self.keeper.call(oa_id, ask)

    async def send_on(self, chat_id: str, message: OutMessage, lane: Lane,
                      urgent: bool) -> Sent:
        """The engine's way in: decided by the follower's last interaction and the lane."""
        found = await self.follower(chat_id) if self.follower is not None else None
        reach = decide(self.clock.now(), found.interacted_at if found else None, lane, urgent)
        if reach == "outside_window":
            raise self._outside_window(lane, urgent, "outside the 7-day window")
        if reach == "zbs":
            return await self.send_template(chat_id, message, lane)
        if lane == "announcement" and self.ack is not None:
            label = self.ack(found.language if found else None)
            message = dataclasses.replace(
                message, buttons=(*message.buttons, ((label, RECEIVED_ACTION),)))
        try:
            sent = await self.send(chat_id, message)
        except OutsideWindow:  # Zalo counts otherwise than our record
            if not by_template(lane, urgent):
                raise self._outside_window(lane, urgent,
                                           "outside the 7-day window (Zalo's -230)") from None
            return await self.send_template(chat_id, message, lane)
        return dataclasses.replace(sent, reach=reach)

    def _outside_window(self, lane: Lane, urgent: bool, why: str) -> Skipped:
        """Not sent for the window: waiting for the follower's next interaction, or not."""
        until = waits_until(self.clock.now(), lane, urgent)
        if until is None:
            return Skipped(f"{why}: not sent")
        return Skipped(f"{why}: waits for the follower's next message until {until}",
                       waits_until=until)

    async def send_template(self, chat_id: str, message: OutMessage, lane: Lane) -> Sent:
        """A ZBS template message (paid) to a follower outside the window; its choices stay
        open for a typed answer (writing back opens the window again)."""
        purpose = template_purpose(lane)
        template = self.templates.get(purpose)
        if not template:
            raise Rejected(f"outside the 7-day window, and no ZBS template for {purpose!r} "
                           "in [zalo_oa.templates]")
        tracking = secrets.token_hex(8)
        data = {"noi_dung": template_text(message)}

        async def by_id(token: str) -> JSON:
            return await self.client.send_template(token, template, data, tracking,
                                                   user_id=chat_id)

        async def by_phone(token: str) -> JSON:
            return await self.client.send_template(token, template, data, tracking,
                                                   phone=phone)

        try:
            oa_id = await self.oa_of(chat_id)
            if oa_id is None:
                raise NotConnected("no Official Account is known for this follower")
            try:
                answer = await self.keeper.call(oa_id, by_id)
            except OaError as refused:
                phone = await self._phone(chat_id) if refused.code == NOT_FOLLOWER else ""
                if not phone:  # nothing else to try
                    raise
                answer = await self.keeper.call(oa_id, by_phone)
        except Exception as error:
            translated = translate(error)
            if translated is None:
                raise
            if isinstance(translated, OutsideWindow):  # not a window for templates
                translated = Rejected(str(error))
            if isinstance(error, OaError) and error.code == NIGHT:
                translated = self._night(lane, str(error))
            raise translated from error
        if self.offer is not None and message.buttons:
            await self.offer(chat_id, [choice for row in message.buttons for choice in row])
        return Sent(str(answer.get("msg_id", "")), ref=f"{ZBS_REF}{tracking}", reach="zbs")

    def _night(self, lane: Lane, why: str) -> SendError:
        """Zalo refused the template for the night: the gong's message is worth nothing by
        morning (recorded as failed, the caller told); other news waits for 06:00."""
        if lane == "alarm":
            return Rejected(f"{why} (the gong's message does not wait for the morning)")
        wait = after_the_night(self.clock.now(), self.tz)
        return Deferred(f"{why}: tried again in {wait.total_seconds() / 3600:.1f} h",
                        wait.total_seconds())

    async def _phone(self, chat_id: str) -> str:
        """The number the follower shared, as ZBS takes it ("84…", no plus); "" if none."""
        found = await self.follower(chat_id) if self.follower is not None else None
        return (found.phone or "").removeprefix("+") if found is not None else ""

    async def send(self, chat_id: str, message: OutMessage) -> Sent:
        if message.copy_from is not None:
            raise Rejected("a Telegram message to copy or forward cannot go to Zalo")
        try:
            return await self._send(chat_id, message)
        except Exception as error:
            translated = translate(error)
            if translated is None:
                raise
            raise translated from error

    async def _send(self, chat_id: str, message: OutMessage) -> Sent:
        if message.quiz is not None:
            parts = messages(message.quiz.question, message.quiz.options, 0)
        else:
            labels = [label for row in message.buttons for label, _ in row]
            parts = messages(message.text, labels, self.max_buttons)
        media, note = await self._photo(chat_id, message)
        if media is not None:  # the first part is its caption, unless that part has buttons
            if parts and "attachment" not in parts[0]:
                parts[0] = {"text": parts[0]["text"], "attachment": media}
            else:
                parts.insert(0, {"attachment": media})
        if not parts:
            raise Rejected(f"nothing Zalo can show ({note or 'an empty message'})")
        ids = [await self.deliver(chat_id, part) for part in parts]
        if self.offer is not None and message.buttons:
            await self.offer(chat_id, [choice for row in message.buttons for choice in row])
        if message.quiz is not None:
            ref = f"zalo-oa-quiz-{ids[0]}"
            if self.offer is not None:
                await self.offer(chat_id, [(option, f"{QUIZ_ACTION}:{ref}:{index}")
                                           for index, option in enumerate(message.quiz.options)])
            return Sent(ids[0], ref=ref, note=note)
        return Sent(ids[0], note=note)

    async def _photo(self, chat_id: str, message: OutMessage) -> tuple[JSON | None, str | None]:
        """The media template of the message's photo, or why it cannot go."""
        element: JSON | None = None
        if message.photo_path is not None:
            attachment = await self._upload(chat_id, message.photo_path)
            if attachment is None:
                return None, "photo not sent: not an image that fits Zalo's 1 MB"
            element = {"media_type": "image", "attachment_id": attachment}
        elif message.photo is not None:
            if not message.photo.startswith(("https://", "http://")):
                return None, "photo not sent: a Telegram file id, not a URL Zalo can fetch"
            element = {"media_type": "image", "url": message.photo}
        if element is None:
            return None, None
        return {"type": "template", "payload": {"template_type": "media",
                                                "elements": [element]}}, None

    async def _upload(self, chat_id: str, path: str) -> str | None:
        oa_id = await self.oa_of(chat_id)
        if oa_id is None:
            raise NotConnected("no Official Account is known for this follower")
        now = self.clock.now()
        cached = self._attachments.get((oa_id, path))
        if cached is not None and cached[1] > now:
            return cached[0]
        data = await asyncio.to_thread(Path(path).read_bytes)
        name = Path(path).name
        if len(data) > IMAGE_LIMIT:
            fitted = await asyncio.to_thread(fit_image, data, IMAGE_LIMIT)
            if fitted is None:
                return None
            data, name = fitted, f"{Path(path).stem}.jpg"

        async def upload(token: str) -> str:
            return await self.client.upload_image(token, data, name)

        attachment = await self.keeper.call(oa_id, upload)
        self._attachments[(oa_id, path)] = (attachment, now + ATTACHMENT_LIFE)
        return attachment

    async def edit_text(self, chat_id: str, message_id: int, text: str) -> None:
        del chat_id, message_id, text
        raise Rejected("Zalo cannot edit a message")
