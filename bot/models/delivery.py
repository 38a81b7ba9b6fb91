"""The outbox: audiences, broadcasts, recipients, deliveries and their counts, schedules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.models.people import Address, Channel

Lane = Literal["alarm", "personal", "announcement", "propaganda"]
# Most urgent first. "personal": relays about a report and the notices about them.
LANE_PRIORITY: dict[str, int] = {"alarm": 0, "personal": 1, "announcement": 2, "propaganda": 3}
BroadcastState = Literal["scheduled", "queued", "done", "cancelled"]
DeliveryState = Literal["queued", "sending", "sent", "failed", "unreachable", "skipped"]
# How a message reached a Zalo OA follower, and what it cost: a consultation message within
# 48 h of their last interaction (free) or within 7 days (billable), a ZBS template message
# outside the window (paid per message); or not at all (an ordinary announcement outside the
# window: the row is 'skipped').
Reach = Literal["free", "billable", "zbs", "outside_window"]
REACHES: tuple[Reach, ...] = ("free", "billable", "zbs", "outside_window")


@dataclass(frozen=True, slots=True)
class Audience:
    """Who gets a broadcast, within one commune. Areas (hamlets ∪ teams ∪ team kinds; none of
    them: the whole commune) then, if tags are given, only residents holding one of them."""

    commune_id: int
    hamlets: tuple[int, ...] = ()
    teams: tuple[int, ...] = ()
    team_kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def whole_commune(self) -> bool:
        return not (self.hamlets or self.teams or self.team_kinds or self.tags)


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    commune_id: int | None
    lane: Lane
    payload: str
    audience: str
    urgent: bool
    state: BroadcastState
    send_at: str | None
    origin: str
    created_by: int | None
    progress_chat_id: int | None
    progress_message_id: int | None
    total: int
    created_at: str
    finished_at: str | None
    held_reason: str | None = None  # not sent: its creator is no longer an officer
    held_at: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """Where a broadcast's messages stand."""

    queued: int = 0
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    skipped: int = 0  # not sent, by rule (a Zalo OA follower outside the 7-day window)

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.unreachable + self.skipped


@dataclass(frozen=True, slots=True)
class Delivery:
    """One recipient of a broadcast and what happened (message_id once sent: an integer on
    Telegram, text on Zalo)."""

    resident_id: int | None
    chat_id: Address
    state: DeliveryState
    attempts: int
    message_id: int | str | None
    last_error: str | None
    ref: str | None
    channel: Channel = "telegram"


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """A message the outbox gave up on: failed (refused, or too many errors) or unreachable
    (the person blocked the bot, the chat is gone). Never the message's text."""

    broadcast_id: int
    lane: Lane
    origin: str
    commune_id: int | None
    chat_id: Address
    resident_id: int | None
    state: DeliveryState
    attempts: int
    error: str | None
    failed_at: str
    channel: Channel = "telegram"


@dataclass(frozen=True, slots=True)
class Recipient:
    """Whom an outbox row is for: a chat on a channel — Telegram's integer chat id, another
    messenger's id as text — and the person it belongs to (None for a group, or a chat that
    is not a person's). The outbox sends a person's message to their preferred account
    (bot/store/routes.py: the reachable one they used last), whichever chat is given here;
    the chat given counts only for a person with no account on record."""

    resident_id: int | None
    chat_id: Address
    channel: Channel = "telegram"

    @classmethod
    def account(cls, resident_id: int | None, channel: Channel, external_id: str | int
                ) -> Recipient:
        """An account as a recipient: Telegram's ids are integers, the others text."""
        if channel == "telegram":
            return cls(resident_id, int(external_id), channel)
        return cls(resident_id, str(external_id), channel)


@dataclass(frozen=True, slots=True)
class BroadcastSchedule:
    id: int
    commune_id: int
    payload: str
    audience: str
    cron: str
    active: bool
    created_by: int | None
    created_at: str
    held_reason: str | None = None  # stopped: its creator is no longer an officer
    held_at: str | None = None


@dataclass(frozen=True, slots=True)
class FailedDeliveries:
    """A broadcast with messages that failed or found their recipient unreachable."""

    broadcast_id: int
    lane: str
    origin: str
    created_at: str
    failed: int
    unreachable: int
    last_error: str | None
