"""An outside system's key to the Open311 API (bot/store/api_keys.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    name: str
    commune_id: int
    commune_code: str
    created_at: str
    revoked_at: str | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None
