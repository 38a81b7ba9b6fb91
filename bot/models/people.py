"""People and places: communes, hamlets, teams, residents and their accounts, roles,
memberships, the audit log, the open conversation."""

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
    households: int | None = None  # from the areas file, for the yearly review (optional)


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
    on_board: bool = False  # named on the honour board (/bangvang): their own choice

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
class OfficerRole:
    """An officer role held in a commune, for `anninh officers list`."""

    telegram_id: int | None
    display_name: str | None
    commune: str
    granted_at: str
    granted_by: str


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
