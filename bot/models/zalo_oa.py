"""A Zalo Official Account's tokens, as the store keeps them (plain data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OaTokens:
    oa_id: str
    access_token: str | None
    access_expires_at: str | None  # ISO 8601, UTC
    refresh_token: str
    refresh_expires_at: str | None
    generation: int  # grows by one with every new pair
    failed_at: str | None = None
    failure: str | None = None

    def __repr__(self) -> str:  # the tokens are secrets: never in a log line or a traceback
        return (f"OaTokens(oa_id={self.oa_id!r}, generation={self.generation}, "
                f"access_expires_at={self.access_expires_at!r}, tokens=<hidden>)")


@dataclass(frozen=True, slots=True)
class OaFollower:
    """What the delivery engine needs of a follower's account: the OA it follows, its last
    interaction (ISO 8601; None: never, e.g. an officer named in the areas file), the
    person's language and, where they chose to share it, their phone number (E.164)."""

    oa_id: str | None
    interacted_at: str | None
    language: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class OaUsage:
    """How one broadcast's (or one month's) messages reached Zalo OA followers."""

    free: int = 0  # consultation messages within 48 h of the last interaction
    billable: int = 0  # consultation messages between 48 h and 7 days
    zbs: int = 0  # ZBS template messages (outside the window: the gong, urgent news)
    outside_window: int = 0  # not sent: someone silent for 7 days (and no longer waited for)
    unreachable: int = 0  # unfollowed, blocked, inactive
    failed: int = 0  # refused otherwise (a template not approved, the quota …)
    queued: int = 0
    waiting: int = 0  # not sent yet: news waiting for the follower's next interaction

    @property
    def total(self) -> int:
        return (self.free + self.billable + self.zbs + self.outside_window + self.unreachable
                + self.failed + self.queued + self.waiting)
