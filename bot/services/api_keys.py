"""Keys of the outside systems that use the Open311 API: made once (printed, stored hashed),
each for one commune, revoked by name or id; every use recorded in the audit (subject
`api_key`), which is also what holds a key to FILINGS_PER_MINUTE reports a minute."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.models import ApiKey
from bot.services.report_values import iso
from bot.services.web_auth import digest
from bot.store import Store, Tx

FILINGS_PER_MINUTE = 5
FILED = "api_key.filed"  # the audit's action for a report filed with a key
PREFIX = "an311_"  # so a key found in a log or a file says what it is


class ApiKeyError(ValueError):
    """A key that cannot be made or revoked (said to the operator as it is)."""


class ApiKeyService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store, self._clock = store, clock

    async def create(self, name: str, commune_code: str) -> tuple[ApiKey, str]:
        """A new key named `name` for the commune: the key, and its secret (shown once)."""
        name = name.strip()
        if not name:
            raise ApiKeyError("a key needs a name (--name)")
        if name.isdigit():
            raise ApiKeyError(f"{name!r}: a name of digits only would read as a key's id")
        commune = await self._store.areas.commune_by_code(commune_code)
        if commune is None:
            raise ApiKeyError(f"no commune with the code {commune_code!r}")
        if await self._store.api_keys.named(name) is not None:
            raise ApiKeyError(f"a key named {name!r} exists already")
        secret = PREFIX + secrets.token_urlsafe(32)
        async with self._store.db.transaction() as tx:
            key_id = await self._store.api_keys.insert(
                tx, name, commune.id, digest(secret), iso(self._clock.now()))
            await self._audit(tx, key_id, "api_key.created", commune=commune.code)
        key = await self._store.api_keys.get(key_id)
        assert key is not None
        return key, secret

    async def keys(self) -> list[ApiKey]:
        return await self._store.api_keys.all()

    async def revoke(self, name_or_id: str) -> ApiKey:
        """Revoke the key of that name (or id); ApiKeyError when there is none live."""
        key = await self._store.api_keys.named(name_or_id)
        if key is None and name_or_id.isdigit():
            key = await self._store.api_keys.get(int(name_or_id))
        if key is None:
            raise ApiKeyError(f"no key named {name_or_id!r}")
        async with self._store.db.transaction() as tx:
            if not await self._store.api_keys.revoke(tx, key.id, iso(self._clock.now())):
                raise ApiKeyError(f"the key {key.name!r} was revoked already")
            await self._audit(tx, key.id, "api_key.revoked")
        revoked = await self._store.api_keys.get(key.id)
        assert revoked is not None
        return revoked

    async def check(self, secret: str) -> ApiKey | None:
        """The live key `secret` is; None for an unknown or revoked one."""
        if not secret or len(secret) > 200:
            return None
        return await self._store.api_keys.live_by_hash(digest(secret))

    async def may_file(self, key: ApiKey) -> bool:
        """False once the key filed FILINGS_PER_MINUTE reports in the last minute."""
        since = iso(self._clock.now() - timedelta(minutes=1))
        return await self._store.api_keys.uses_since(key.id, FILED, since) < FILINGS_PER_MINUTE

    async def used(self, key: ApiKey, action: str, **detail: Any) -> None:
        """Record a use of the key that changed nothing (a listing, a look-up)."""
        async with self._store.db.transaction() as tx:
            await self._audit(tx, key.id, action, **detail)

    async def record(self, tx: Tx, key: ApiKey, action: str, **detail: Any) -> None:
        """Record a use of the key inside the caller's transaction."""
        await self._audit(tx, key.id, action, **detail)

    async def _audit(self, tx: Tx, key_id: int, action: str, **detail: Any) -> None:
        await self._store.audit.record(tx, actor_id=None, actor_label="api_key", action=action,
                                       subject_type="api_key", subject_id=key_id, **detail)
