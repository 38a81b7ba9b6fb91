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
