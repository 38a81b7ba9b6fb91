"""Frozen records the store returns; plain data, no Telegram types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Consent = Literal["none", "given", "declined"]
MemberRole = Literal["member", "leader"]
MemberState = Literal["pending", "active"]
StaffRole = Literal["officer", "admin"]


@dataclass(frozen=True, slots=True)
class Commune:
    id: int
    code: str
    name: str
    staff_chat_id: int | None
    center: tuple[float, float] | None = None  # (latitude, longitude), when the file gives it


@dataclass(frozen=True, slots=True)
class Hamlet:
    id: int
    commune_id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Team:
    id: int
    commune_id: int
    hamlet_id: int | None
    code: str
    name: str
    kind: str
    join_code: str
    requires_approval: bool
    max_members: int


@dataclass(frozen=True, slots=True)
class Resident:
    id: int
    telegram_id: int | None
    display_name: str | None
    language: str | None
    commune_id: int | None
    hamlet_id: int | None
    phone: str | None
    consent: Consent
    consent_at: str | None
    consent_version: str | None
    mute_propaganda: bool
    unreachable_at: str | None
    created_at: str
    opened_at: str | None = None  # first private message to the bot: it may write to them

    @property
    def has_consented(self) -> bool:
        return self.consent == "given"


@dataclass(frozen=True, slots=True)
class Membership:
    team_id: int
    resident_id: int
    role: MemberRole
    state: MemberState
    requested_at: str
    decided_at: str | None


@dataclass(frozen=True, slots=True)
class Member:
    """A membership joined with the person, for lists a leader reads."""

    resident_id: int
    telegram_id: int | None
    display_name: str | None
    role: MemberRole
    state: MemberState
    requested_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor_id: int | None
    actor_label: str
    action: str
    subject_type: str
    subject_id: int | None
    detail: str


# --- reports (báo tin) ------------------------------------------------------------------------

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
class ReportPhoto:
    """A report's photo: its file in the media store (bot/media.py) and, when it came through
    Telegram, Telegram's ids for it (a cache: sent again without uploading). A photo from
    before the media store has no key; one from another channel has no file id."""

    file_id: str | None
    file_unique_id: str | None
    media_key: str | None = None


# --- broadcasts (bot/delivery.py, bot/store/outbox.py, bot/store/broadcasts.py) -------------

Lane = Literal["alarm", "personal", "announcement", "propaganda"]
# Most urgent first. "personal": relays about a report and the notices about them.
LANE_PRIORITY: dict[str, int] = {"alarm": 0, "personal": 1, "announcement": 2, "propaganda": 3}
BroadcastState = Literal["scheduled", "queued", "done", "cancelled"]
DeliveryState = Literal["queued", "sending", "sent", "failed", "unreachable"]


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

    @property
    def total(self) -> int:
        return self.queued + self.sent + self.failed + self.unreachable


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
class TeamSummary:
    """One line of `anninh teams list`: a team with its leader and head counts."""

    id: int
    commune: str
    code: str
    name: str
    kind: str
    hamlet: str | None
    join_code: str
    leader_telegram_id: int | None
    active: int
    pending: int
    # Whether the bot can write to the leader: "yes", "not-opened" (never wrote to the bot),
    # "blocked"; None without a leader.
    leader_reachable: str | None = None


@dataclass(frozen=True, slots=True)
class StaffContact:
    """An officer of a commune or a team's leader, and whether the bot can write to them."""

    role: Literal["officer", "leader"]
    commune: str
    team: str | None  # the team's code, for a leader
    telegram_id: int | None
    display_name: str | None
    opened_at: str | None
    unreachable_at: str | None


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


@dataclass(frozen=True, slots=True)
class OfficerRole:
    """An officer role held in a commune, for `anninh officers list`."""

    telegram_id: int | None
    display_name: str | None
    commune: str
    granted_at: str
    granted_by: str


AlarmScope = Literal["team", "hamlet", "commune"]
AlarmState = Literal["active", "all_clear", "expired"]
AlarmResponse = Literal["coming", "cannot"]


@dataclass(frozen=True, slots=True)
class Alarm:
    """A security-gong alarm, in the shape of a CAP 1.2 alert."""

    id: int
    identifier: str
    commune_id: int
    caller_id: int | None
    caller_role: str
    caller_name: str
    scope_kind: AlarmScope
    scope_id: int
    scope_name: str
    kind: str
    note: str | None
    latitude: float | None
    longitude: float | None
    status: str
    state: AlarmState
    sent_at: str
    expires_at: str
    escalate_at: str | None
    escalated_at: str | None
    ended_at: str | None
    ended_by: int | None
    caller_chat_id: int | None
    caller_message_id: int | None


@dataclass(frozen=True, slots=True)
class AlarmRecipient:
    resident_id: int
    telegram_id: int | None
    display_name: str | None
    language: str | None
    response: AlarmResponse | None
    # The account the gong reaches them on (their preferred one, bot/store/routes.py);
    # None: there is no way to them.
    channel: Channel | None = None
    address: str | None = None

    @property
    def recipient(self) -> Recipient | None:
        """Where the gong goes, as an outbox recipient; None if they cannot be reached."""
        if self.channel is None or self.address is None:
            return None
        return Recipient.account(self.resident_id, self.channel, self.address)


Channel = Literal["telegram", "zalo", "zalo_oa"]
CHANNELS: tuple[Channel, ...] = ("telegram", "zalo", "zalo_oa")
# A chat as its channel names it: Telegram's integer chat id, another messenger's id (text).
Address = int | str


@dataclass(frozen=True, slots=True)
class Account:
    """One way to reach a person: a messenger and that messenger's id for them (text)."""

    id: int
    resident_id: int
    channel: Channel
    external_id: str
    last_seen_at: str | None
    unreachable_at: str | None


@dataclass(frozen=True, slots=True)
class Dialog:
    """A person's open conversation: its flow, step, draft and the prompt it waits on."""

    resident_id: int
    flow: str
    step: str
    data: str  # JSON
    channel: Channel
    address: str
    prompt_seq: int
    choices: str  # JSON: [[label, value], …] of the prompt it waits on
    expires_at: str
    updated_at: str = ""  # when its last step ran
    shadowed_by: int | None = None  # the first open prompt offered after its last question
