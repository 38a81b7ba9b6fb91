"""Patrol shifts and who is on them (issue 14)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AssignmentState = Literal["assigned", "declined"]


@dataclass(frozen=True, slots=True)
class PatrolShift:
    id: int
    team_id: int
    series_id: int | None
    starts_at: str  # UTC ISO 8601
    ends_at: str
    note: str | None
    created_by: int | None
    reminded_at: str | None
    cancelled_at: str | None


@dataclass(frozen=True, slots=True)
class PatrolSeries:
    id: int
    team_id: int
    weekday: int  # 0 Monday … 6 Sunday
    start_time: str  # local HH:MM
    minutes: int
    note: str | None
    everyone: bool
    created_by: int | None


@dataclass(frozen=True, slots=True)
class PatrolAttendance:
    """One person on one shift: assigned or declined (with the reason), when they checked in
    and out, their note, where they checked in (optional), and when the leader confirmed it."""

    shift_id: int
    resident_id: int
    display_name: str | None
    state: AssignmentState
    reason: str | None
    checked_in_at: str | None
    checked_out_at: str | None
    note: str | None
    confirmed_at: str | None = None
    place: str | None = None  # typed at check-in
    lat: float | None = None
    lon: float | None = None


SwapState = Literal["asked", "accepted", "declined"]


@dataclass(frozen=True, slots=True)
class PatrolSwap:
    """A member asked another to take their place on a shift."""

    id: int
    shift_id: int
    from_resident: int
    to_resident: int
    state: SwapState
