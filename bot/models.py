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
