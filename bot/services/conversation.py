"""The conversation about a report, as the web console shows and continues it: the messages
in report_messages, oldest first, each with whether its relay reached the other side; and an
officer's words to the reporter, relayed on the reporter's own messenger through the same
RelayService (outbox, personal lane) as a reply in the staff group, recorded with the report
and audited with its origin ("web").

The reporter is never named here: an anonymous report stays anonymous, and the conversation
says "the reporter" for a named one too (the report's page names them where it may)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape
from zoneinfo import ZoneInfo

from bot.i18n import I18n
from bot.models import Report, Resident
from bot.services.relays import Note, RelayService
from bot.services.reports import ReportService
from bot.store import Store

MAX_TEXT = 1000  # what an officer may write at once (the relay splits it for the messenger)
ARRIVED = "arrived"  # a leader's "Đã đến" is kept as a message with this text


@dataclass(frozen=True)
class Said:
    """A message of the conversation, as the console shows it."""

    id: int
    author: str  # reporter | officer | leader
    name: str | None  # the officer's or the leader's name; never the reporter's
    text: str | None
    photo: bool
    at: str  # local time
    relay_state: str | None  # queued | delivered | failed; None: not relayed by the bot
    arrived: bool  # the leader's "arrived" mark, not words


class Written(StrEnum):
    SENT = "sent"  # queued on the reporter's messenger
    UNREACHABLE = "unreachable"  # kept, but there is no way to the reporter
    BLANK = "blank"
    TOO_LONG = "too_long"
    NOT_ALLOWED = "not_allowed"


class ConversationService:
    def __init__(self, store: Store, i18n: I18n, reports: ReportService, relays: RelayService,
                 tz: ZoneInfo) -> None:
        self._store, self._i18n, self._reports, self._relays = store, i18n, reports, relays
        self._tz = tz

    async def messages(self, report: Report) -> list[Said]:
        said = []
        names: dict[int, str | None] = {}
        for message in await self._store.reports.messages(report.id):
            name = None
            if message.author != "reporter" and message.actor_id is not None:
                if message.actor_id not in names:
                    actor = await self._store.residents.get(message.actor_id)
                    names[message.actor_id] = actor.display_name if actor else None
                name = names[message.actor_id]
            arrived = message.author == "leader" and message.text == ARRIVED
            said.append(Said(
                message.id, message.author, name, None if arrived else message.text,
                message.media_key is not None, self._local(message.created_at),
                message.relay_state, arrived))
        return said

    async def photo(self, report: Report, message_id: int) -> str | None:
        """The media key of the photo in one of the report's messages."""
        for message in await self._store.reports.messages(report.id):
            if message.id == message_id:
                return message.media_key
        return None

    async def to_reporter(self, officer: Resident, report: Report, text: str,
                          origin: str) -> Written:
        """An officer's words to the reporter, on the reporter's preferred messenger; the
        officer's role for the report's commune is checked in the database first."""
        if not await self._reports.is_officer(officer, report):
            return Written.NOT_ALLOWED
        text = text.strip()
        if not text:
            return Written.BLANK
        if len(text) > MAX_TEXT:
            return Written.TOO_LONG
        reporter = await self._store.residents.get(report.reporter_id or 0)
        recipient = None if reporter is None else await self._relays.recipient(reporter.id)
        language = self._i18n.language(reporter.language if reporter else None)
        body = self._i18n.t(language, "report.you.from_officer", code=report.code,
                            text=escape(text, quote=False))
        await self._relays.to_person(
            report, recipient, body, None, party="reporter",
            note=Note("officer", officer.id, text, None, origin=origin), notice=None)
        return Written.SENT if recipient is not None else Written.UNREACHABLE

    def _local(self, stamp: str) -> str:
        return datetime.fromisoformat(stamp).astimezone(self._tz).strftime("%H:%M %d/%m/%Y")
