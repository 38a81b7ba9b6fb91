"""Messages relayed about a report, through the outbox, and the truth told to their writer.

The reporter's (or the assigned team leader's) words go to the officers — the commune's staff
group, as a reply to the card, else each officer privately — and the officers' words go to the
reporter or the leader. Each relay is queued on the delivery engine's personal lane (paced,
retried, recorded, durable across a restart), split into messages Telegram accepts: at most
4,096 visible characters a text, 1,024 a photo's caption, cut at paragraph, line or word
boundaries (bot/text.py). A photo goes by Telegram's file id where there is one and from the
media store (`photo_key`): a messenger that cannot use a Telegram file id (Zalo) gets the kept
file. Every delivered part is linked to the report, so a reply to it is relayed on. Once every
part is settled, the writer is told — "delivered" only if each part reached someone, else that
it could not be delivered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.markup import CAPTION_LIMIT, TEXT_LIMIT, split_html
from bot.media import MediaStore
from bot.models import Broadcast, Channel, Recipient, Report, Resident
from bot.store import Store, Tx

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)

KIND = "relay"  # broadcasts 'relay:<id>' are the parts of relay <id>


@dataclass(frozen=True)
class Note:
    """What was written, as recorded with the report (report_messages)."""

    author: str  # reporter | officer | leader
    actor_id: int | None
    text: str | None
    file_id: str | None
    media_key: str | None = None  # the photo in the media store
    origin: str | None = None  # "web": written in the console, and audited so


@dataclass(frozen=True)
class Notice:
    """What the writer is told once the relay is settled: in which chat, answering which of
    their messages, and the two texts (already in their language)."""

    chat_id: int
    reply_to: int | None
    delivered: str
    failed: str


def notice_in(
    channel: Channel, address: str, message_id: str | None, delivered: str, failed: str
) -> Notice | None:
    """A notice to the writer in the chat they wrote from, answering their message; None
    where the outbox cannot reach that chat yet (it delivers to Telegram chats only, until
    it learns the other channels: the caller then says what it can at once)."""
    if channel != "telegram" or not _is_int(address):
        return None
    reply_to = int(message_id) if message_id is not None and _is_int(message_id) else None
    return Notice(int(address), reply_to, delivered, failed)


def _is_int(text: str) -> bool:
    return text.removeprefix("-").isascii() and text.removeprefix("-").isdigit()


def reporter_words(i18n: I18n, report: Report, reporter: Resident, text: str | None) -> str:
    """The reporter's words as the officers read them (in the default language), under the
    reporter's name — or none, for a report filed anonymously."""
    lang = i18n.default
    who = (i18n.t(lang, "report.staff.anonymous") if report.anonymous
           else escape(reporter.display_name or "?", quote=False))
    return i18n.t(lang, "report.staff.from_reporter", code=report.code, who=who,
                  text=escape(text or "", quote=False))


def messages(
    body: str, photo: str | None, reply_to: int | None, buttons: Buttons = (),
    photo_path: str | None = None,
) -> list[OutMessage]:
    """`body` (HTML) as messages Telegram accepts: with a photo (a file id, a kept file or
    both), a caption of at most 1,024 visible characters and the rest as texts; else texts of
    at most 4,096. `buttons` go on the last part."""
    if photo is None and photo_path is None:
        parts = [OutMessage(text=part, reply_to=reply_to) for part in split_html(body)]
    else:
        caption, *rest = split_html(body, TEXT_LIMIT, first=CAPTION_LIMIT)
        parts = [OutMessage(text=caption, photo=photo, photo_path=photo_path,
                            reply_to=reply_to),
                 *(OutMessage(text=part, reply_to=reply_to) for part in rest)]
    if buttons:
        parts[-1] = replace(parts[-1], buttons=buttons)
    return parts


class RelayService:
    def __init__(self, store: Store, delivery: DeliveryEngine, files: MediaStore) -> None:
        self._store = store
        self._delivery = delivery
        self._files = files
        delivery.on_finished(KIND, self._part_finished)

    async def to_staff(
        self, report: Report, body: str, photo: str | None, *, party: str,
        note: Note | None, notice: Notice | None, photo_key: str | None = None,
    ) -> int:
        """`body` to the report's officers: the staff group (a reply to the card), else each
        officer of the commune privately, on their preferred account. A reply to what they
        get is for `party`. `photo` is Telegram's file id, `photo_key` the kept file."""
        if report.staff_chat_id is not None:
            targets = [Recipient(None, report.staff_chat_id)]
            reply_to = report.staff_message_id
        else:
            officers = (await self._store.residents.officers(report.commune_id)
                        if report.commune_id is not None else [])
            routes = await self._store.routes.recipients(o.id for o in officers)
            targets = [routes[o.id] for o in officers if o.id in routes]
            reply_to = None
        return await self._queue(report, messages(body, photo, reply_to,
                                                  photo_path=self._path(photo_key)),
                                 targets, party=party, note=note, notice=notice)

    async def to_person(
        self, report: Report, recipient: Recipient | None, body: str, photo: str | None, *,
        party: str, note: Note | None, notice: Notice | None, buttons: Buttons = (),
        photo_key: str | None = None,
    ) -> int:
        """`body` to one person (the reporter, the leader), with `buttons` on its last part,
        on their preferred account whatever chat `recipient` names (see `recipient`); None:
        nobody to send it to, the writer is told at once that it could not be delivered."""
        targets = [] if recipient is None else [recipient]
        return await self._queue(report, messages(body, photo, None, buttons,
                                                  self._path(photo_key)), targets,
                                 party=party, note=note, notice=notice)

    async def recipient(self, resident_id: int | None) -> Recipient | None:
        """The person as a recipient on their preferred account (any channel); None if
        there is no way to them."""
        if resident_id is None:
            return None
        return (await self._store.routes.recipients([resident_id])).get(resident_id)

    async def settle_pending(self) -> int:
        """Settle the relays whose parts were all settled before a restart (the bot stopped
        between sending the last part and telling the writer); how many were."""
        settled = 0
        for relay_id in await self._store.relays.queued():
            settled += await self._settle(relay_id)
        return settled

    # --- inside ------------------------------------------------------------------------------

    def _path(self, key: str | None) -> str | None:
        """Where the kept file of `key` is (what a Sender sends or uploads)."""
        return None if key is None else str(self._files.path(key))

    async def _queue(
        self, report: Report, parts: Sequence[OutMessage], targets: Sequence[Recipient], *,
        party: str, note: Note | None, notice: Notice | None,
    ) -> int:
        """In one transaction: record the note (audited when it has an origin), queue each
        part to every target on the personal lane and remember whom to tell; with no
        target, settle it as failed."""
        store = self._store
        async with store.db.transaction() as tx:
            relay_id = await store.relays.create(
                tx, report.id, party, notice.chat_id if notice else None,
                notice.reply_to if notice else None, notice.delivered if notice else "",
                notice.failed if notice else "")
            if note is not None:
                now = store.db.now_iso()
                await store.reports.add_message(tx, report.id, note.author, note.actor_id,
                                                note.text, note.file_id, now, note.media_key,
                                                relay_id)
                await store.reports.touch(tx, report.id, now)
                if note.origin is not None:
                    await store.audit.record(
                        tx, actor_id=note.actor_id, actor_label=note.author,
                        action="report.message", subject_type="report", subject_id=report.id,
                        origin=note.origin, to=party)
            for part in parts if targets else ():
                await self._delivery.write(
                    tx, "personal", part, targets, commune_id=report.commune_id,
                    origin=f"{KIND}:{relay_id}", created_by=note.actor_id if note else None)
            if not targets:
                await self._settle_in(tx, relay_id, delivered=False)
        self._delivery.notify()
        return relay_id

    async def _part_finished(self, broadcast: Broadcast) -> None:
        """A part is settled: link where it arrived; the last one settles the relay."""
        relay_id = int(broadcast.origin.split(":", 1)[1])
        relay = await self._store.relays.get(relay_id)
        if relay is None:
            return
        # Replies are read on Telegram only (report_links holds its integer ids).
        arrived = [(d.chat_id, d.message_id) for d in
                   await self._store.outbox.deliveries(broadcast.id)
                   if d.state == "sent" and isinstance(d.chat_id, int)
                   and isinstance(d.message_id, int)]
        if arrived:
            async with self._store.db.transaction() as tx:
                await self._store.reports.link(tx, relay.report_id, arrived, relay.party)
        await self._settle(relay_id)

    async def _settle(self, relay_id: int) -> int:
        """Tell the writer, once every part is settled; 1 if this call did, else 0."""
        parts = await self._store.broadcasts.by_origin(f"{KIND}:{relay_id}")
        if any(part.state != "done" for part in parts):
            return 0
        delivered = bool(parts)
        for part in parts:
            states = {d.state for d in await self._store.outbox.deliveries(part.id)}
            delivered = delivered and "sent" in states
        async with self._store.db.transaction() as tx:
            told = await self._settle_in(tx, relay_id, delivered=delivered)
        self._delivery.notify()
        return int(told)

    async def _settle_in(self, tx: Tx, relay_id: int, *, delivered: bool) -> bool:
        relay = await self._store.relays.settle(tx, relay_id, delivered)
        if relay is None:
            return False  # settled already: the writer was told
        text = relay.delivered_text if delivered else relay.failed_text
        if relay.notify_chat_id is not None and text:  # "": nothing to say in that case
            report = await self._store.reports.get(relay.report_id)
            await self._delivery.write(
                tx, "personal", OutMessage(text=text, reply_to=relay.notify_reply_to),
                [Recipient(None, relay.notify_chat_id)],
                commune_id=report.commune_id if report else None,
                origin=f"{KIND}-notice:{relay_id}")
        return True
