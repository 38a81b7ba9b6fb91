"""The Zalo Official Account channel: signed webhook events → the conversation core; prompts
→ consultation messages with numbered choices and `oa.query.hide` buttons.

One Zalo app serves every commune's OA; an event is routed by its OA id to the commune that
names it (`zalo_oa_id` in the areas file) and ignored, with a warning, when none does. The
webhook answers 200 once the event is kept (bot/channels/zalo_oa/webhook.py); the work is
done after, each follower's events in order, a few followers at once. An event is acted on
once (its `msg_id` is remembered, as the Zalo Bot Platform's message ids are); the OA's own
echoes and delivery receipts are dropped (a ZBS template's receipt is stamped on its row).
Every event is an interaction: news that waited for it (bot/services/oa_reach.py) is queued
again. `follow` makes the follower an account and starts onboarding; `unfollow` marks it
unreachable, so deliveries to it stop. A follower's text, location (coordinates as strings)
and images go to the same conversation core as on the Zalo Bot Platform
(bot/channels/keyword_chat.py); an image is downloaded into the media store at once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from datetime import timedelta
from html import escape

from bot.channels.chats import ChatQueues
from bot.channels.keyword_chat import NumberedReplier, Talk, converse, shared_contact
from bot.channels.zalo_bot.render import plain
from bot.channels.zalo_oa.client import OaError, OaGrantError, ZaloOaClient
from bot.channels.zalo_oa.events import OaEvent, acted_on, parse_event
from bot.channels.zalo_oa.sender import ZBS_REF, ZaloOaSender, info_form, messages
from bot.channels.zalo_oa.tokens import NotConnected, TokenKeeper
from bot.channels.zalo_oa.webhook import OaWebhookServer
from bot.config import ZaloOaConfig
from bot.dialog import Contact, Input, Kind, Media, Prompt, Share
from bot.dialog.runner import Runner
from bot.dialog.turn import open_offer
from bot.models import Channel, Resident
from bot.sending import OutMessage, Rejected
from bot.services.container import Services
from bot.services.media import Fetch, MediaUnavailable
from bot.services.oa_alerts import tokens_refused
from bot.text import clean

log = logging.getLogger(__name__)

CHANNEL: Channel = "zalo_oa"
AT_ONCE = 8  # followers whose events are handled at the same time (the rest wait their turn)


class OaReplier(NumberedReplier):
    """Answers one follower: plain text, choices as numbered lines and buttons; a question
    for the phone number (a contact share) comes with the OA's information form, which sends
    the number Zalo holds for the follower in one tap (a typed number is still taken)."""

    def __init__(self, sender: ZaloOaSender, client: ZaloOaClient, user_id: str,
                 form_image: str = "") -> None:
        self.sender, self.client, self.user_id = sender, client, user_id
        self.form_image = form_image

    async def send(self, prompt: Prompt, *, seq: int | None, remove_keyboard: bool) -> None:
        del seq, remove_keyboard
        labels = [choice.label for choice in prompt.flat]
        for message in messages(prompt.text, labels, self.sender.max_buttons):
            await self.sender.deliver(self.user_id, message)
        if prompt.share is Share.CONTACT and prompt.share_label:
            try:
                await self.sender.deliver(self.user_id, info_form(
                    plain(prompt.share_label), plain(prompt.share_hint), self.form_image))
            except OaError:  # the typed number the text asks for still works
                log.warning("the information form could not be sent", exc_info=True)

    async def show(self, message: OutMessage) -> None:
        with contextlib.suppress(Rejected):  # nothing of it can go to Zalo: nothing to show
            await self.sender.send(self.user_id, message)

    def fetcher(self, media: Media, max_bytes: int) -> Fetch:
        async def download() -> bytes:
            try:
                return await self.client.download(media.ref, max_bytes)
            except OaError as error:
                raise MediaUnavailable(f"a Zalo OA image: {error}") from error

        return download


class ZaloOaChannel:
    def __init__(self, services: Services, runner: Runner, config: ZaloOaConfig,
                 app_secret: str, oa_secret: str) -> None:
        self.services, self.runner, self.config = services, runner, config
        self.client = ZaloOaClient(config.app_id, app_secret, api_base_url=config.api_base_url,
                                   oauth_base_url=config.oauth_base_url,
                                   business_api_base_url=config.business_api_base_url)
        self.keeper = TokenKeeper(services.store.zalo_oa, self.client, services.clock,
                                  refresh_before=timedelta(minutes=config.refresh_before_minutes),
                                  on_failure=self.tokens_refused)
        self.sender = ZaloOaSender(self.client, self.keeper, services.clock, self.oa_of,
                                   max_buttons=config.max_buttons, offer=self.offer,
                                   follower=services.store.zalo_oa.follower,
                                   templates=config.templates, ack=self.ack_label,
                                   tz=services.config.locale.tz)
        web = services.config.web_on
        self.form_image = config.form_image_url or (
            f"{web.public_url.rstrip('/')}/static/form.png" if web and web.public_url else "")
        self._webhook = OaWebhookServer(self._queue, config, oa_secret,
                                        services.store.db.path, services.clock)
        self._names: dict[str, str] = {}  # follower id → Zalo's name for them, asked once
        self._chats = ChatQueues[tuple[int, OaEvent]](self._handle_kept, self._sorry,
                                                      "zalo-oa-follower", at_once=AT_ONCE)

    def replier(self, user_id: str) -> OaReplier:
        return OaReplier(self.sender, self.client, user_id, self.form_image)

    async def offer(self, user_id: str, choices: Sequence[tuple[str, str]]) -> None:
        """Choices a delivered message listed: open for a typed answer or a press a while."""
        await open_offer(self.services, CHANNEL, user_id, choices)

    async def tokens_refused(self, oa_id: str, error: OaGrantError) -> None:
        """Zalo refused to renew the OA's tokens: its officers hear of it elsewhere."""
        services = self.services
        await tokens_refused(services.store, services.delivery, services.i18n, oa_id,
                             str(error))

    def ack_label(self, language: str | None) -> str:
        """The "Đã nhận" button under an announcement, in the follower's language."""
        i18n = self.services.i18n
        return i18n.t(i18n.language(language), "broadcast.received_button")

    async def oa_of(self, user_id: str) -> str | None:
        """The OA a follower follows; for an account no event has come from yet (an officer
        named in the areas file), the deployment's only OA, if it has one."""
        store = self.services.store.zalo_oa
        found = await store.oa_of(user_id)
        if found is not None:
            return found
        every = await store.oa_ids()
        return every[0] if len(every) == 1 else None

    # --- running -----------------------------------------------------------------------------

    async def start(self) -> None:
        await self._webhook.start()

    async def stop(self) -> None:
        await self._webhook.stop()
        await self._chats.stop()
        await self.client.close()

    async def idle(self) -> None:
        """Return once every event taken so far has been handled and forgotten."""
        await self._chats.idle()
        self._webhook.forget_handled()

    def _queue(self, event_id: int, raw: object) -> None:
        """An event the webhook kept (its inbox id): to its follower's worker."""
        event = parse_event(raw)
        if acted_on(event):
            self._chats.put(event.user_id, (event_id, event))
        else:  # kept by an older version, or unreadable: nothing to do
            self._webhook.handled(event_id)

    async def _handle_kept(self, kept: tuple[int, OaEvent]) -> None:
        event_id, event = kept
        try:
            await self.handle(event)
        finally:
            self._webhook.handled(event_id)

    async def _sorry(self, user_id: str) -> None:
        i18n = self.services.i18n
        try:
            await self.replier(user_id).send(Prompt(i18n.t(i18n.default, "errors.generic")),
                                             seq=None, remove_keyboard=False)
        except Exception:
            log.warning("could not tell a Zalo OA follower about the error", exc_info=True)

    # --- one event ---------------------------------------------------------------------------

    async def handle(self, event: OaEvent) -> None:
        services, store = self.services, self.services.store
        if not await store.accounts.first_sight(CHANNEL, event.msg_id):
            return  # posted twice (a retry)
        if await store.zalo_oa.commune_of(event.oa_id) is None:
            log.warning("an event for an OA no commune names was ignored")
            return
        if event.kind == "unfollow":
            await self._unfollowed(event)
            return
        if event.kind == "receipt":  # not an interaction: the phone received a ZBS template
            await store.outbox.received(f"{ZBS_REF}{event.tracking}")
            return
        person = await services.residents.ensure_account(CHANNEL, event.user_id, opened=True)
        await store.zalo_oa.interacted(event.user_id, event.oa_id)
        if await store.zalo_oa.wake_waiting(event.user_id):
            services.delivery.notify()  # news that waited for the window goes out now
        talk = Talk(person, services.i18n.language(person.language), CHANNEL, event.user_id,
                    to_input(event), await self._name(person, event.user_id),
                    self.replier(event.user_id))
        if event.kind == "follow":
            async with store.db.transaction() as tx:
                await store.routes.mark_reachable(tx, CHANNEL, event.user_id, True)
            if person.consent == "none" and await self.runner.open_flow(person.id) is None:
                await talk.run(self.runner, ("start", ""))
            return
        if event.kind == "contact":
            await shared_contact(self.runner, talk)
            return
        if event.kind == "file":  # not a photo: said so, the conversation where it was
            lang = services.i18n.language(person.language)
            await talk.replier.send(
                Prompt(services.i18n.t(lang, "zalo_oa.file_not_a_photo",
                                          name=escape(clean(event.text)[:100], quote=False))),
                seq=None, remove_keyboard=False)
            return
        await converse(services, self.runner, talk)

    async def _name(self, person: Resident, user_id: str) -> str:
        """The person's name: theirs if known, else Zalo's profile name, asked once a run
        (kept with the person once they have consented; onboarding takes it at consent)."""
        if person.display_name:
            return person.display_name
        if user_id not in self._names:
            try:
                self._names[user_id] = clean(await self.sender.display_name(user_id))[:128]
            except (OaError, NotConnected):
                log.warning("a Zalo OA follower's profile could not be read", exc_info=True)
                self._names[user_id] = ""
            name = self._names[user_id]
            if name and person.consent == "given":
                store = self.services.store
                async with store.db.transaction() as tx:
                    await store.residents.update(tx, person.id, display_name=name)
        return self._names[user_id]

    async def _unfollowed(self, event: OaEvent) -> None:
        store = self.services.store
        if await store.accounts.get(CHANNEL, event.user_id) is None:
            return
        async with store.db.transaction() as tx:
            await store.routes.mark_reachable(tx, CHANNEL, event.user_id, False)
        await self.runner.end_account(CHANNEL, event.user_id)


def to_input(event: OaEvent) -> Input:
    if event.kind == "text":
        return Input(Kind.TEXT, text=clean(event.text), message_id=event.msg_id)
    if event.kind == "image":
        return Input(Kind.PHOTO, text=clean(event.text), media=Media(event.url, event.msg_id),
                     message_id=event.msg_id)
    if event.kind == "location" and event.location is not None:
        return Input(Kind.LOCATION, text=clean(event.text), location=event.location,
                     message_id=event.msg_id)
    if event.kind == "contact":  # the OA's form, filled in by the person about themselves
        return Input(Kind.CONTACT, contact=Contact(event.phone, own=True))
    return Input(Kind.OTHER)
