"""What the report service takes and returns: a resident's draft, the officers' actions and
the states each may start from, outcomes; and the geometry places are measured with."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.config import ReportsConfig
from bot.models import (
    Channel,
    Commune,
    Member,
    Report,
    ReportPhoto,
    ReportState,
    Resident,
    Team,
    open_states,
)

EARTH_RADIUS_KM = 6371.0


class Action(enum.StrEnum):
    ACCEPT = "accept"
    ASSIGN = "assign"
    RESOLVE = "resolve"
    REJECT = "reject"
    ARRIVED = "arrived"
    REOPEN = "reopen"
    OUTCOME = "outcome"  # what came of a resolved report, told to the reporter (no new state)


# action → (new state, states it may start from)
TRANSITIONS: dict[Action, tuple[ReportState, tuple[str, ...]]] = {
    Action.ACCEPT: ("accepted", ("submitted",)),
    Action.ASSIGN: ("assigned", ("submitted", "accepted", "assigned")),
    Action.RESOLVE: ("resolved", open_states()),
    Action.REJECT: ("rejected", ("submitted", "accepted")),
    Action.REOPEN: ("accepted", ("resolved", "rejected")),  # a closed report, taken up again
}

# The reasons an officer picks from when rejecting (texts: report.staff.reason_<key>); any
# other reason is typed.
REJECT_REASONS = ("info", "duplicate", "scope", "false")
REASON_LIMIT = 300  # characters of a typed reason
# What came of a resolved report, picked after "Đã xử lý" (texts: report.staff.outcome_<key>);
# any other is typed. It is told to the reporter and shown in their /tindabao.
OUTCOMES = ("verified", "warned", "fined", "reconciled", "referred")


class Outcome(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"  # the same press (draft, arrival) was acted on before
    RATE_LIMITED = "rate_limited"
    NO_COMMUNE = "no_commune"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    PHOTO_LIMIT = "photo_limit"


@dataclass(frozen=True)
class Draft:
    """What the resident's conversation collected (the flow's JSON draft): each photo as
    [file_id, file_unique_id, media_key] (drafts from before the media store lack the key),
    the voice note's file id and media key under "voice" and "voice_key"."""

    category: str
    description: str
    voice_file_id: str | None = None
    voice_media_key: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str | None = None
    photos: list[ReportPhoto] = field(default_factory=list)
    anonymous: bool = True
    token: str | None = None  # one report per token (services.draft_token)
    commune_id: int | None = None  # where a person who has not registered says it happened

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        token = data.get("token")
        return cls(
            token=token if isinstance(token, str) else None,
            category=str(data.get("category", "")),
            description=str(data.get("description", "")),
            voice_file_id=data.get("voice"),
            voice_media_key=data.get("voice_key"),
            latitude=data.get("lat"),
            longitude=data.get("long"),
            address=data.get("address"),
            photos=[ReportPhoto(*p[:3]) for p in data.get("photos", [])],
            anonymous=bool(data.get("anonymous", True)),
            commune_id=data.get("commune") if isinstance(data.get("commune"), int) else None,
        )


@dataclass(frozen=True)
class Filed:
    outcome: Outcome
    report: Report | None = None
    duplicate: Report | None = None


@dataclass(frozen=True)
class Linked:
    """A bot message's report, and whom a reply to the message is for: "reporter" or
    "leader" (the assigned team's leader)."""

    report: Report
    party: str


@dataclass(frozen=True)
class Acted:
    outcome: Outcome
    report: Report | None = None
    reporter: Resident | None = None
    team: Team | None = None
    leader: Member | None = None
    action: Action | None = None


@dataclass(frozen=True)
class Pressed:
    """The message an officer acted on (a card, its copy, a /tin answer): its channel may
    show the new state there."""

    channel: Channel
    address: str
    message_id: str


@dataclass(frozen=True)
class ReportChange:
    """A report's state changed: `status` is the card's new status line (in the default
    language: who did it, when, why); `pressed` the message it was done on, if any."""

    report: Report
    action: Action
    status: str
    pressed: Pressed | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def center_of(commune: Commune | None, config: ReportsConfig) -> tuple[float, float]:
    """A commune's centre: its own from the areas file, else the configured one."""
    if commune is not None and commune.center is not None:
        return commune.center
    return config.center_latitude, config.center_longitude
