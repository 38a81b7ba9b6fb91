"""`Turn`: what a flow's step works with — who is talking, what they sent, the draft, and the
ways to answer, the same on every channel."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from bot.dialog.kit import (
    ChoicesReplier,
    EditingReplier,
    FileReplier,
    Input,
    Kind,
    MessageReplier,
    Prompt,
    Replier,
    Rows,
    Share,
    StartLinks,
)
from bot.media import MediaKind, MediaRef
from bot.models import Channel, Recipient, Resident
from bot.sending import OutMessage

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from bot.services.container import Services

OFFER_HOURS = 24  # choices offered outside a flow answer a typed number this long


async def open_offer(
    services: Services, channel: Channel, address: str, choices: Sequence[tuple[str, str]]
) -> None:
    """Choices (label, action) a chat without buttons was shown as numbered lines: open for a
    typed number or label for OFFER_HOURS (the action itself checks what still holds)."""
    expires = (services.clock.now() + timedelta(hours=OFFER_HOURS)).astimezone(UTC)
    async with services.store.db.transaction() as tx:
        await services.store.prompts.offer(tx, channel, address, choices,
                                           expires.isoformat(timespec="seconds"))


@dataclass
class Turn:
    """One input to one step. `data` is the flow's draft (JSON-able; kept between steps);
    `choices` the prompt the person is now asked (kept so a typed answer can match it)."""

    services: Services
    person: Resident
    lang: str
    channel: Channel
    address: str  # the chat the flow talks in
    input: Input
    replier: Replier
    display_name: str = ""
    # What else the messenger calls the person (Telegram: first and last name, @username):
    # taken out of their reports, with display_name, when they delete their data.
    names: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    first_seq: int = 0  # the flow's prompts are numbered after this
    choices: Rows = ()
    asked: bool = False  # a prompt with choices was sent in this turn
    commands: frozenset[str] = frozenset()  # the commands the runner's flows answer
    shadowed_by: int | None = None  # an offer outside the flow came after its question

    def t(self, key: str, **values: object) -> str:
        """A text from content/locales in the person's language; values must be escaped."""
        return self.services.i18n.t(self.lang, key, **values)

    @staticmethod
    def esc(value: object) -> str:
        return escape(str(value), quote=False)

    @property
    def text(self) -> str:
        return self.input.text

    @property
    def kind(self) -> Kind:
        return self.input.kind

    @property
    def numbered(self) -> bool:
        return self.replier.numbered

    def can_share(self, what: Share) -> bool:
        return what in self.replier.shares

    async def send_file(self, name: str, body: bytes, caption: str) -> bool:
        """A file where the channel sends files; False where it cannot (say it as text)."""
        if not isinstance(self.replier, FileReplier):
            return False
        await self.replier.send_file(name, body, caption)
        return True

    async def show(self, message: OutMessage) -> None:
        """`message` as the people it is for will get it, where the channel can show that;
        elsewhere its text alone."""
        if isinstance(self.replier, MessageReplier):
            await self.replier.show(message)
        elif message.text or message.quiz is not None:
            await self.say(message.text or escape(message.quiz.question if message.quiz
                                                  else "", quote=False))

    def copy_of(self) -> OutMessage | None:
        """The message the person sent, to send again as it is; None where the channel
        cannot."""
        if isinstance(self.replier, MessageReplier):
            return self.replier.copy_of(self.input)
        return None

    def start_link(self, payload: str) -> str | None:
        """A link that opens the bot and starts it with `payload`; None where the channel
        has none (say how to type it instead)."""
        return self.replier.start_link(payload) if isinstance(
            self.replier, StartLinks) else None

    async def typed(self, limit: int, too_long: str) -> str | None:
        """The typed text where it shows something and has at most `limit` characters; else
        None, and the person was told why (`too_long`: the text key, given the limit)."""
        if not self.text:  # only spaces, zero-width or other invisible characters
            await self.say(self.t("errors.blank_text"))
            return None
        if len(self.text) > limit:
            await self.say(self.t(too_long, limit=limit))
            return None
        return self.text

    async def say(self, text: str, *, remove_keyboard: bool = False) -> None:
        """A message without choices (the open prompt stays what it was)."""
        await self._send(Prompt(text), None, remove_keyboard)

    async def ask(
        self, text: str, choices: Rows = (), *, replace: bool = False,
        share: Share | None = None, share_label: str = "", share_hint: str = "",
        cancel_label: str = "", by_reply: bool = False,
    ) -> None:
        """Ask the person: the message with its choices becomes the open prompt. `replace`:
        after a press, show it in place of the pressed message where the channel can;
        `by_reply`: the answer is typed as a reply to it (see `Prompt`)."""
        prompt = Prompt(text, choices, share, share_label, share_hint, cancel_label, by_reply)
        if choices:
            self.seq += 1
            self.choices = choices
            self.asked = True
        seq = self.seq if choices else None
        if replace and self.input.pressed and await self.replier.replace(prompt, seq=seq):
            return
        await self._send(prompt, seq, False)

    async def post(
        self, text: str, actions: Rows, *, until: datetime, replace: bool = False
    ) -> str | None:
        """A message that changes after this turn (the gong's live count), with choices that
        are actions (bot/dialog's `Action`: they outlive the flow). Where the channel edits
        messages, the id to change it by (in this chat); None elsewhere: each change then
        comes as a new message, and where choices are typed these stay open for a typed
        answer until `until`. `replace`: after a press, in place of the pressed message."""
        prompt = Prompt(text, actions)
        pressed = replace and self.input.pressed
        if isinstance(self.replier, EditingReplier):
            return await self.replier.post(prompt, replace=pressed)
        if not (pressed and await self.replier.replace(prompt, seq=None)):
            await self.replier.send(prompt, seq=None, remove_keyboard=False)
        if actions and self.numbered:
            store = self.services.store
            async with store.db.transaction() as tx:
                await store.prompts.offer(
                    tx, self.channel, self.address,
                    [(choice.label, choice.value) for choice in prompt.flat],
                    until.astimezone(UTC).isoformat(timespec="seconds"))
        return None

    async def offer(self, text: str, choices: Rows, *, in_place: bool = False) -> None:
        """Choices outside any flow (actions' values; an open flow's question stays open).
        `in_place`: after a press, the pressed message shows them instead of its own, where
        the channel can; else `text` and the choices come as a new message. Where choices
        are typed by number, they take a typed number or label for OFFER_HOURS."""
        if in_place and self.input.pressed and isinstance(self.replier, ChoicesReplier) and (
                await self.replier.replace_choices(choices)):
            return
        await self.replier.send(Prompt(text, choices), seq=None, remove_keyboard=False)
        if self.numbered and choices:
            await open_offer(self.services, self.channel, self.address,
                             [(choice.label, choice.value) for row in choices for choice in row])

    async def notify(self, text: str) -> None:
        """A short acknowledgement: a toast over the pressed button, or a message."""
        if not await self.replier.toast(text):
            await self._send(Prompt(text), None, False)

    async def refuse(self, text: str) -> None:
        """A refusal that changes nothing: over the pressed button, or as a message."""
        if not await self.replier.alert(text):
            await self._send(Prompt(text), None, False)

    async def keep_media(self, kind: MediaKind) -> MediaRef | None:
        """The photo or voice note sent, downloaded into the media store at once; None when it
        could not be kept (too large: not even downloaded; or the download failed), and the
        person was told."""
        media = self.input.media
        assert media is not None
        service = self.services.media
        limit = service.limit(kind)
        stored = await service.keep(
            kind, self.replier.fetcher(media, limit), size=media.size,
            content_type=media.content_type or (
                "image/jpeg" if kind == "photo" else "audio/ogg"))
        if stored.ref is None:
            await self.say(self.t(f"media.{kind}_{stored.refused}", size=_megabytes(stored.size),
                                  limit=_megabytes(limit)))
        return stored.ref

    async def _send(self, prompt: Prompt, seq: int | None, remove_keyboard: bool) -> None:
        """Send at once; if the channel fails, the answer goes through the outbox instead
        (retried, paced, recorded, given up on visibly), its choices as numbered lines that a
        typed number or label still answers: nothing said to a person is sent and forgotten."""
        try:
            await self.replier.send(prompt, seq=seq, remove_keyboard=remove_keyboard)
        except Exception:
            log.warning("an answer on %s failed; it goes through the outbox", self.channel,
                        exc_info=True)
            lines = [f"{n}. {c.label}" for n, c in enumerate(prompt.flat, 1)]
            text = "\n\n".join([prompt.text, "\n".join(lines)]) if lines else prompt.text
            await self.services.delivery.enqueue(
                "personal", OutMessage(text=text),
                [Recipient.account(self.person.id, self.channel, self.address)],
                commune_id=self.person.commune_id, origin="reply")

    async def close_press(self) -> None:
        """Take the buttons off the pressed message, where there was one."""
        if self.input.pressed:
            await self.replier.close_press()


def _megabytes(size: int | None) -> str:
    return f"{(size or 0) / 1e6:.1f}".removesuffix(".0")
