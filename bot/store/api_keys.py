"""Open311 API keys (migration 0028): kept as hashes, each of one commune; and how often a
key was used, from the audit (every use is recorded there, subject `api_key`)."""

from __future__ import annotations

import sqlite3

from bot.models import ApiKey
from bot.store.db import Database, Tx

_SELECT = ("SELECT k.id, k.name, k.commune_id, c.code AS commune_code, k.created_at, "
           "k.revoked_at FROM api_keys k JOIN communes c ON c.id = k.commune_id")


def _key(row: sqlite3.Row) -> ApiKey:
    return ApiKey(id=row["id"], name=row["name"], commune_id=row["commune_id"],
                  commune_code=row["commune_code"], created_at=row["created_at"],
                  revoked_at=row["revoked_at"])


class ApiKeyStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def insert(self, tx: Tx, name: str, commune_id: int, key_hash: str, now: str) -> int:
        async with tx.execute(
            "INSERT INTO api_keys (name, commune_id, key_hash, created_at) VALUES (?, ?, ?, ?) "
            "RETURNING id", (name, commune_id, key_hash, now),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def all(self) -> list[ApiKey]:
        return [_key(row) for row in await self._db.fetchall(f"{_SELECT} ORDER BY k.id")]

    async def named(self, name: str) -> ApiKey | None:
        row = await self._db.fetchone(f"{_SELECT} WHERE k.name = ?", (name,))
        return None if row is None else _key(row)

    async def get(self, key_id: int) -> ApiKey | None:
        row = await self._db.fetchone(f"{_SELECT} WHERE k.id = ?", (key_id,))
        return None if row is None else _key(row)

    async def live_by_hash(self, key_hash: str) -> ApiKey | None:
        """The key with this hash, unless it was revoked."""
        row = await self._db.fetchone(
            f"{_SELECT} WHERE k.key_hash = ? AND k.revoked_at IS NULL", (key_hash,))
        return None if row is None else _key(row)

    async def revoke(self, tx: Tx, key_id: int, now: str) -> bool:
        """Revoke a live key; False when it was revoked already."""
        async with tx.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now, key_id),
        ) as cursor:
            return cursor.rowcount > 0

    async def uses_since(self, key_id: int, action: str, since: str) -> int:
        """How many times the key did `action` (audited) since `since`."""
        count = await self._db.scalar(
            "SELECT count(*) FROM audit_log WHERE subject_type = 'api_key' AND subject_id = ? "
            "AND action = ? AND at >= ?", (key_id, action, since))
        return int(count or 0)
