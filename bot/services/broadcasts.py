"""Announcements: who gets them, sending now, at a set time, or repeating; progress texts."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html import escape
from typing import get_args
from zoneinfo import ZoneInfo

from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.markup import MarkupError, visible_text
from bot.models import (
    LANE_PRIORITY,
    Audience,
    Broadcast,
    BroadcastSchedule,
    Channel,
    Commune,
    DeliveryCounts,
    Lane,
    Recipient,
)
from bot.services import audiences
from bot.store import Store, Tx
from bot.text import clip, fold

log = logging.getLogger(__name__)

# Why a scheduled or repeating announcement was held instead of sent.
CREATOR_NOT_OFFICER = "creator_not_officer"
# An announcement composed in a chat. Where that chat's message cannot be kept up to date
# with the progress (no edits: Zalo), the origin names it — `chat:<channel>:<address>` — and
# its author gets the summary there as a new message once it has gone out.
CHAT = "chat"


def told_in(channel: Channel, address: str) -> str:
    """The origin of an announcement whose author is told in this chat when it is done."""
    return f"{CHAT}:{channel}:{address}"


@dataclass
class Released:
    """What `release_due` did: queued these broadcasts, held those (creator no longer an
    officer of the commune)."""

    sent: list[int] = field(default_factory=list)
    held: list[Broadcast] = field(default_factory=list)


def iso(moment: datetime) -> str:
    """As the database keeps times: UTC, so that text order is time order."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class BroadcastService:
    def __init__(self, store: Store, engine: DeliveryEngine, i18n: I18n) -> None:
        self._store = store
        self._engine = engine
        self._i18n = i18n
        engine.on_finished(CHAT, self._tell_author)

    @staticmethod
    def include_muted(lane: Lane, urgent: bool) -> bool:
        """Muted residents still get alarms and urgent announcements, nothing else."""
        return lane == "alarm" or urgent

    async def count(self, audience: Audience, *, urgent: bool = False) -> int:
        return await self._store.broadcasts.count_recipients(
            audience, include_muted=self.include_muted("announcement", urgent))

    async def reach(self, audience: Audience, *, urgent: bool = False) -> dict[Channel, int]:
        """How many of the audience each messenger would reach now."""
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted("announcement", urgent))
        counted: dict[Channel, int] = {}
        for recipient in recipients:
            counted[recipient.channel] = counted.get(recipient.channel, 0) + 1
        return counted

    async def channels(self, audience: Audience, *, urgent: bool = False) -> set[Channel]:
        """The messengers the audience would be reached on now."""
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted("announcement", urgent))
        return {recipient.channel for recipient in recipients}

    async def send(
        self, audience: Audience, message: OutMessage, *, lane: Lane = "announcement",
        urgent: bool = False, created_by: int | None = None, origin: str = "chat",
        progress: tuple[int, int] | None = None,
    ) -> int:
        """Queue now: every recipient's row is written before the engine sends any."""
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted(lane, urgent))
        return await self._engine.enqueue(
            lane, message, recipients, commune_id=audience.commune_id, origin=origin,
            created_by=created_by, urgent=urgent, audience=audiences.to_json(audience),
            progress=progress,
        )

    async def schedule(
        self, audience: Audience, message: OutMessage, send_at: datetime, *,
        urgent: bool = False, created_by: int | None = None,
        progress: tuple[int, int] | None = None, origin: str = CHAT,
    ) -> int:
        """Keep for later; `release_due` queues it when its time comes."""
        async with self._store.db.transaction() as tx:
            return await self._store.broadcasts.create(
                tx, commune_id=audience.commune_id, lane="announcement",
                payload=message.to_json(), audience=audiences.to_json(audience), urgent=urgent,
                created_by=created_by, send_at=iso(send_at), progress=progress, origin=origin,
            )

    async def repeat(
        self, audience: Audience, message: OutMessage, cron: str, created_by: int | None
    ) -> int:
        """A repeating announcement (cron in the configured time zone), run by the scheduler."""
        async with self._store.db.transaction() as tx:
            return await self._store.schedules.add(
                tx, audience.commune_id, message.to_json(), audiences.to_json(audience), cron,
                created_by)

    def signed(self, message: OutMessage, commune: Commune) -> OutMessage:
        """The message with who sends it above its text ("📢 Công an xã Thống Nhất"), in the
        deployment's language, as residents read it; a copy of a message goes as it is."""
        if message.copy_from is not None:
            return message
        name = commune.name[:1].lower() + commune.name[1:]  # "Xã Thống Nhất" → "xã Thống Nhất"
        header = self._i18n.t(self._i18n.default, "broadcast.signed", commune=escape(name))
        return replace(message, text=f"{header}\n{message.text}" if message.text else header)

    def unsigned(self, text: str) -> str:
        """A signed message's text without its header (for a short preview)."""
        template = self._i18n.t(self._i18n.default, "broadcast.signed", commune="\x00")
        header = re.escape(template).replace("\x00", ".*?")
        return re.sub(f"^{header}\n", "", text, count=1)

    async def scheduled(self, commune_id: int) -> list[Broadcast]:
        """The commune's one-off announcements waiting for their time, soonest first."""
        return await self._store.broadcasts.scheduled(commune_id)

    async def cancel(self, broadcast_id: int, actor_id: int,
                     origin: str | None = None) -> Broadcast | None:
        """Cancel a scheduled announcement (audited, with `origin` "web" from the console) for
        an officer of its commune (checked in the database); None when there is no such
        announcement waiting for this officer (another commune's, already sent, already
        cancelled)."""
        broadcast = await self._store.broadcasts.get(broadcast_id)
        if broadcast is None or not await self.may_announce(actor_id, broadcast.commune_id):
            return None
        async with self._store.db.transaction() as tx:
            if not await self._store.broadcasts.cancel(tx, broadcast_id):
                return None
            await self._store.audit.record(
                tx, actor_id=actor_id, actor_label="officer", action="broadcast.cancel",
                subject_type="broadcast", subject_id=broadcast_id,
                **({"origin": origin} if origin else {}))
        return broadcast

    async def may_announce(self, resident_id: int | None, commune_id: int | None) -> bool:
        """Whether the person is an officer of the commune now (read from the database)."""
        if resident_id is None or commune_id is None:
            return False
        return await self._store.residents.has_role(resident_id, "officer", commune_id)

    async def release_due(self, now: datetime) -> Released:
        """Queue every scheduled announcement whose time has come (audience as of now) whose
        creator is still an officer of its commune; hold the others."""
        done = Released()
        for broadcast in await self._store.broadcasts.due(iso(now)):
            if not await self.may_announce(broadcast.created_by, broadcast.commune_id):
                if await self._hold(broadcast):
                    done.held.append(broadcast)
                continue
            await self.release(broadcast)
            done.sent.append(broadcast.id)
        if done.sent:
            self._engine.notify()
        return done

    async def _hold(self, broadcast: Broadcast) -> bool:
        return await self._held("broadcast", broadcast.id, broadcast.created_by,
                                broadcast.commune_id, self._store.broadcasts.hold)

    async def hold_schedule(self, schedule: BroadcastSchedule) -> bool:
        """Stop a repeating announcement whose creator is no longer an officer of its
        commune (audited and logged); False if it was already held."""
        return await self._held("schedule", schedule.id, schedule.created_by,
                                schedule.commune_id, self._store.schedules.hold)

    async def _held(
        self, kind: str, subject_id: int, created_by: int | None, commune_id: int | None,
        hold: Callable[[Tx, int, str], Awaitable[bool]],
    ) -> bool:
        """Hold a scheduled ("broadcast") or repeating ("schedule") announcement: audited and
        logged; False if it was already held."""
        async with self._store.db.transaction() as tx:
            if not await hold(tx, subject_id, CREATOR_NOT_OFFICER):
                return False
            await self._store.audit.record(
                tx, actor_id=None, actor_label="scheduler", action=f"{kind}.held",
                subject_type=kind, subject_id=subject_id, reason=CREATOR_NOT_OFFICER,
                created_by=created_by, commune_id=commune_id)
        log.warning("%s #%s held, not sent: its creator (resident %s) is no longer an officer "
                    "of commune %s", "scheduled announcement" if kind == "broadcast"
                    else "repeating announcement", subject_id, created_by, commune_id)
        return True

    async def release(self, broadcast: Broadcast) -> None:
        audience = audiences.from_json(broadcast.audience)
        recipients = await self._store.broadcasts.recipients(
            audience, include_muted=self.include_muted(broadcast.lane, broadcast.urgent))
        async with self._store.db.transaction() as tx:
            total = await self._store.outbox.add(
                tx, broadcast.id, LANE_PRIORITY[broadcast.lane], recipients)
            await self._store.broadcasts.set_queued(tx, broadcast.id, total)
            if total == 0:
                await self._store.broadcasts.finish(tx, [broadcast.id])

    async def note_cancelled(self, broadcast: Broadcast, text: str) -> None:
        """A cancelled announcement's "scheduled" message says so, where it can be edited
        (the message may be gone: the cancel stands)."""
        chat_id, message_id = broadcast.progress_chat_id, broadcast.progress_message_id
        if chat_id is not None and message_id is not None:
            await self._engine.edit_text(chat_id, message_id, text)

    async def _tell_author(self, broadcast: Broadcast) -> None:
        """An announcement composed where its message cannot be edited has gone out: its
        author gets the summary in that chat."""
        _, channel, address = [*broadcast.origin.split(":", 2), "", ""][:3]
        if broadcast.created_by is None or not address or channel not in get_args(Channel):
            return
        counts = await self._store.outbox.counts(broadcast.id)
        recipient = Recipient.account(broadcast.created_by, channel, address)  # type: ignore[arg-type]
        await self._engine.enqueue(
            "personal", OutMessage(text=self.describe(broadcast, counts, True)), [recipient],
            commune_id=broadcast.commune_id, origin="note")

    def describe(self, broadcast: Broadcast, counts: DeliveryCounts, final: bool) -> str:
        """The sender's progress message: which announcement (the start of its text: a
        number would be the outbox's, shared with gongs and cards), sent / failed /
        unreachable / remaining."""
        key = "broadcast.progress_done" if final else "broadcast.progress"
        text = self._i18n.t(
            self._i18n.default, key, excerpt=self.excerpt(broadcast.payload), sent=counts.sent,
            failed=counts.failed, unreachable=counts.unreachable, remaining=counts.queued,
            total=counts.total,
        )
        if counts.skipped:
            text += "\n" + self._i18n.t(self._i18n.default, "broadcast.progress_skipped",
                                        skipped=counts.skipped)
        return text

    def excerpt(self, payload: str, length: int = 40) -> str:
        """The start of an announcement's text as residents read it, without who signs it
        (HTML-escaped)."""
        markup = self.unsigned(OutMessage.from_json(payload).text)
        try:
            text = " ".join(visible_text(markup).split())
        except MarkupError:  # kept from before it was checked: the start of it as typed
            text = markup
        if not text:  # a forwarded message, a sticker…
            return self._i18n.t(self._i18n.default, "broadcast.no_text")
        return escape(clip(text, length), quote=False)


# --- "Hẹn giờ": times typed the Vietnamese way -------------------------------------------------

_WEEKDAYS = {"2": "mon", "hai": "mon", "3": "tue", "ba": "tue", "4": "wed", "tu": "wed",
             "5": "thu", "nam": "thu", "6": "fri", "sau": "fri", "7": "sat", "bay": "sat"}
_CLOCK = r"(\d{1,2})\s*(?:[:h]\s*(\d{2})?)?"
_DAY = r"(\d{1,2})\s*[/-]\s*(\d{1,2})(?:\s*[/-]\s*(\d{4}))?"
_DAILY = re.compile(rf"^(?:hang|moi) ngay (?:luc )?{_CLOCK}$")
_WEEKLY = re.compile(
    rf"^(?:hang tuan |moi )?(?:thu (2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|(chu nhat|cn))"
    rf" (?:luc )?{_CLOCK}$")
_TIME_DATE = re.compile(rf"^(?:luc )?{_CLOCK}(?:\s+(?:ngay )?{_DAY})?$")
_DATE_TIME = re.compile(rf"^(?:ngay )?{_DAY}\s+(?:luc )?{_CLOCK}$")


# A date typed without a year that has passed this year means next year only when that is
# near (05/01 typed at the end of December); otherwise the officer meant a day gone by.
NEXT_YEAR_WITHIN = timedelta(days=62)


class PastMoment(ValueError):
    """A typed moment that has already passed: a time earlier today, or a date gone by."""

    def __init__(self, moment: datetime, *, dated: bool) -> None:
        super().__init__(f"{moment.isoformat()} has passed")
        self.moment = moment  # local time
        self.dated = dated  # a date was typed (else only a time of day)


def parse_when(typed: str, now: datetime, tz: ZoneInfo) -> datetime | str | None:
    """A future moment ("07:30 25/11", "7h30", "25/11 19:00"), a repeating cron
    ("hằng ngày 07:30", "thứ 2 19:00", "chủ nhật 8h"), or None if it cannot be read.

    PastMoment if it has passed: a time of day earlier today, a date with its year in the past,
    or a date without a year that has passed this year (unless it comes again within
    NEXT_YEAR_WITHIN: then it is next year's)."""
    text = fold(typed).replace(",", " ")
    text = " ".join(text.split())
    if match := _DAILY.match(text):
        return _cron(match[1], match[2], "*")
    if match := _WEEKLY.match(text):
        day = "sun" if match[2] else _WEEKDAYS[match[1]]
        return _cron(match[3], match[4], day)
    local = now.astimezone(tz)
    if match := _TIME_DATE.match(text):
        hour, minute, day, month, year = match[1], match[2], match[3], match[4], match[5]
    elif match := _DATE_TIME.match(text):
        day, month, year, hour, minute = match[1], match[2], match[3], match[4], match[5]
    else:
        return None
    try:
        moment = local.replace(hour=int(hour), minute=int(minute or 0), second=0, microsecond=0)
        if day is not None:
            moment = moment.replace(day=int(day), month=int(month), year=int(year or local.year))
    except ValueError:
        return None
    if moment > local:
        return moment
    if day is not None and year is None:
        try:
            next_year = moment.replace(year=moment.year + 1)
        except ValueError:  # 29/02
            next_year = None
        if next_year is not None and next_year - local <= NEXT_YEAR_WITHIN:
            return next_year
    raise PastMoment(moment, dated=day is not None)


def _cron(hour: str, minute: str | None, weekday: str) -> str | None:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        return None
    return f"{m} {h} * * {weekday}"


async def set_reachable(
    store: Store, telegram_id: int, reachable: bool, now: datetime
) -> None:
    """A resident blocked the bot on Telegram (nothing more is queued for them there; they
    leave audiences unless another account of theirs is reachable) or came back."""
    resident = await store.residents.by_telegram_id(telegram_id)
    if resident is None:
        return
    async with store.db.transaction() as tx:
        await store.routes.mark_reachable(tx, "telegram", str(telegram_id), reachable,
                                          resident_id=resident.id, at=iso(now))
