"""The Zalo Bot Platform channel: long polling (or webhook events) → the runner; prompts →
plain-text messages with numbered choices.

Zalo has no command menu, no buttons and no edits, so on this channel:
- commands are keywords too ("báo tin", "tham gia HN01", `menu`); "0" or "hủy" cancels;
- a person's first message, whatever it says, starts onboarding (a join code in it, "tham
  gia HN01", goes on to the join after consent);
- choices are numbered lines, answered by number or by the label's words;
- each text is split at paragraphs to Zalo's 2,000 characters.

Updates are taken one per getUpdates call; each chat's are handled in order, different chats
at once. A message id seen before (Zalo may deliver an update twice) is taken once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from bot.channels.chats import ChatQueues
from bot.channels.keyword_chat import NumberedReplier, Talk, converse
from bot.channels.zalo_bot.client import ZaloBotClient
from bot.channels.zalo_bot.errors import ZaloError, ZaloRateLimited
from bot.channels.zalo_bot.render import numbered, plain, split
from bot.channels.zalo_bot.sender import ZaloSender
from bot.channels.zalo_bot.updates import ZaloInbound, parse_update
from bot.channels.zalo_bot.webhook import ZaloWebhookServer
from bot.config import ZaloBotConfig
from bot.dialog import Input, Kind, Media, Prompt
from bot.dialog.runner import Runner
from bot.dialog.turn import open_offer
from bot.models import Channel
from bot.sending import OutMessage, Rejected
from bot.services.container import Services
from bot.services.media import Fetch, MediaUnavailable
from bot.text import clean

log = logging.getLogger(__name__)

CHANNEL: Channel = "zalo"
PhotoUrl = Callable[[str], str | None]  # a kept file's address on anninh's web server
MAX_BACKOFF = 30.0


class ZaloReplier(NumberedReplier):
    """Answers one Zalo chat in plain text; choices as numbered lines."""

    def __init__(
        self, client: ZaloBotClient, chat_id: str, photo_url: PhotoUrl | None = None
    ) -> None:
        self.client, self.chat_id, self.photo_url = client, chat_id, photo_url

    async def send(self, prompt: Prompt, *, seq: int | None, remove_keyboard: bool) -> None:
        del seq, remove_keyboard  # no buttons, no keyboards to take away
        text = plain(prompt.text)
        if prompt.choices:
            text = numbered(text, [choice.label for choice in prompt.flat])
        for part in split(text):
            await self.client.send_message(self.chat_id, part)

    async def show(self, message: OutMessage) -> None:
        """As the outbox sends it to Zalo: a photo only by a public URL (a kept file's from
        the web server), else the text."""
        with contextlib.suppress(Rejected):  # nothing of it can go to Zalo: nothing to show
            await ZaloSender(self.client, photo_url=self.photo_url).send(self.chat_id, message)

    def fetcher(self, media: Media, max_bytes: int) -> Fetch:
        """A Zalo image URL downloads without authentication; fetched at once."""

        async def download() -> bytes:
            try:
                return await self.client.download(media.ref, max_bytes)
            except ZaloError as error:
                raise MediaUnavailable(f"a Zalo image: {error}") from error

        return download




class ZaloBotChannel:
    def __init__(
        self, services: Services, runner: Runner, client: ZaloBotClient, config: ZaloBotConfig
    ) -> None:
        self.services, self.runner, self.client, self.config = services, runner, client, config
        self._chats = ChatQueues[ZaloInbound](self.handle, self._sorry, "zalo-chat")
        self._poller: asyncio.Task[None] | None = None
        self._webhook: ZaloWebhookServer | None = None
        self.photo_url: PhotoUrl | None = None  # set when the web server serves kept files

    def replier(self, chat_id: str) -> ZaloReplier:
        return ZaloReplier(self.client, chat_id, self.photo_url)

    async def offer(self, chat_id: str, choices: Sequence[tuple[str, str]]) -> None:
        """Choices a delivered message listed (numbered): open for a typed answer a while."""
        await open_offer(self.services, CHANNEL, chat_id, choices)

    # --- running -----------------------------------------------------------------------------

    async def start(self, webhook_secret: str = "") -> None:
        """Long polling; or, in webhook mode, the webhook server and Zalo told where it is."""
        config = self.config
        if config.mode == "polling":
            self._poller = asyncio.create_task(self._poll(), name="zalo-bot-poll")
            return
        self._webhook = ZaloWebhookServer(self.take, webhook_secret, config.webhook_url,
                                          config.webhook_listen, config.webhook_port)
        await self._webhook.start()
        await self.client.set_webhook(config.webhook_url, webhook_secret)

    async def stop(self) -> None:
        """Stop polling, let the messages already taken be handled (a bounded wait), close."""
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self._chats.stop()
        await self.client.close()

    async def _poll(self) -> None:
        backoff = 0.0
        while True:
            try:
                update = await self.client.get_updates(self.config.poll_timeout_seconds)
            except ZaloError as error:
                backoff = min(MAX_BACKOFF, max(1.0, backoff * 2))
                quiet = isinstance(error, ZaloRateLimited)
                log.log(logging.INFO if quiet else logging.WARNING,
                        "Zalo getUpdates failed (%s); again in %g s", error, backoff)
                await asyncio.sleep(backoff)
                continue
            backoff = 0.0
            if update is not None:
                self.take(update)

    def take(self, update: object) -> None:
        """Queue one update (from getUpdates or a webhook) for its chat's worker."""
        inbound = parse_update(update)
        if inbound is None or not inbound.private:
            return  # not a message we can read; groups (a beta on Zalo) are not served
        self._chats.put(inbound.chat_id, inbound)

    async def _sorry(self, chat_id: str) -> None:
        """A message that could not be handled: the person is told, never met with silence."""
        i18n = self.services.i18n
        try:
            await self.replier(chat_id).send(Prompt(i18n.t(i18n.default, "errors.generic")),
                                             seq=None, remove_keyboard=False)
        except Exception:
            log.warning("could not tell a Zalo chat about the error", exc_info=True)

    # --- one message -------------------------------------------------------------------------

    async def handle(self, inbound: ZaloInbound) -> None:
        store, services = self.services.store, self.services
        if not await store.accounts.first_sight(CHANNEL, inbound.message_id):
            return  # delivered twice
        person = await services.residents.ensure_account(CHANNEL, inbound.user_id, opened=True)
        talk = Talk(person, services.i18n.language(person.language), CHANNEL, inbound.chat_id,
                    to_input(inbound), inbound.display_name, self.replier(inbound.chat_id))
        await converse(services, self.runner, talk)


def to_input(inbound: ZaloInbound) -> Input:
    if inbound.kind == "text":
        return Input(Kind.TEXT, text=clean(inbound.text))
    if inbound.kind == "image" and inbound.photo_url:
        return Input(Kind.PHOTO, text=clean(inbound.caption),
                     media=Media(inbound.photo_url, inbound.message_id))
    return Input(Kind.OTHER)
