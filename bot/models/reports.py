"""Reports, their states, photos and relayed messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReportState = Literal["submitted", "accepted", "assigned", "resolved", "rejected"]
REPORT_STATES: tuple[ReportState, ...] = (
    "submitted", "accepted", "assigned", "resolved", "rejected",
)


def open_states() -> tuple[ReportState, ...]:
    """States in which a report still waits for someone (Open311 status "open")."""
    return ("submitted", "accepted", "assigned")


def closed_states() -> tuple[ReportState, ...]:
    """Final states (Open311 status "closed")."""
    return ("resolved", "rejected")


def is_open(state: str) -> bool:
    return state in open_states()


def tracking_code(report_id: int) -> str:
    """The code residents and officers quote: TB-000123."""
    return f"TB-{report_id:06d}"


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    commune_id: int | None
    hamlet_id: int | None
    reporter_id: int | None
    anonymous: bool
    category: str
    urgency: str
    description: str
    voice_file_id: str | None  # Telegram's, a cache of voice_media_key's file
    latitude: float | None
    longitude: float | None
    address: str | None
    state: ReportState
    state_note: str | None
    team_id: int | None
    duplicate_of: int | None
    created_at: str
    updated_at: str
    staff_chat_id: int | None
    staff_message_id: int | None
    escalation_level: int
    escalate_at: str | None
    voice_media_key: str | None = None  # the voice note in the media store (bot/media.py)

    @property
    def code(self) -> str:
        return tracking_code(self.id)

    @property
    def is_open(self) -> bool:
        return is_open(self.state)


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A report with a shared location, as the console's map needs it (and no more)."""

    id: int
    latitude: float
    longitude: float
    state: ReportState
    category: str
    created_at: str

    @property
    def code(self) -> str:
        return tracking_code(self.id)


@dataclass(frozen=True, slots=True)
class Relay:
    """A message relayed about a report (bot/services/relays.py): whom a reply to it is for,
    and what its writer is told once every part is settled (chat cleared after that)."""

    id: int
    report_id: int
    party: str  # reporter | leader
    notify_chat_id: int | None
    notify_reply_to: int | None
    delivered_text: str
    failed_text: str
    state: str  # queued | delivered | failed


@dataclass(frozen=True, slots=True)
class ReportMessage:
    """A message about a report (report_messages), with the state of the relay that carried
    it (queued, delivered, failed), or None where nothing was relayed by it."""

    id: int
    author: str  # reporter | officer | leader
    actor_id: int | None
    text: str | None
    media_key: str | None
    created_at: str
    relay_state: str | None


@dataclass(frozen=True, slots=True)
class ReportPhoto:
    """A report's photo: its file in the media store (bot/media.py) and, when it came through
    Telegram, Telegram's ids for it (a cache: sent again without uploading). A photo from
    before the media store has no key; one from another channel has no file id."""

    file_id: str | None
    file_unique_id: str | None
    media_key: str | None = None
