"""The audit log: who did what to which record, and when."""

from __future__ import annotations

import json
from typing import Any

from bot.models import AuditEntry
from bot.store.db import Database, Tx


class AuditStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        tx: Tx,
        *,
        actor_id: int | None,
        actor_label: str,
        action: str,
        subject_type: str,
        subject_id: int | None,
        **detail: Any,
    ) -> None:
        await tx.execute(
            "INSERT INTO audit_log (at, actor_id, actor_label, action, subject_type, "
            "subject_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (self._db.now_iso(), actor_id, actor_label, action, subject_type, subject_id,
             json.dumps(detail, ensure_ascii=False, sort_keys=True)),
        )

    async def count_by(self, actor_id: int, action: str, since: str) -> int:
        """How many times the person did `action` since `since`."""
        return int(await self._db.scalar(
            "SELECT count(*) FROM audit_log WHERE actor_id = ? AND action = ? AND at >= ?",
            (actor_id, action, since)) or 0)

    async def subject_of(self, actor_id: int, action: str, token: str) -> int | None:
        """The subject of the actor's `action` recorded with this draft `token`, if any."""
        value = await self._db.scalar(
            "SELECT subject_id FROM audit_log WHERE actor_id = ? AND action = ? "
            "AND json_extract(detail, '$.token') = ? ORDER BY id LIMIT 1",
            (actor_id, action, token))
        return int(value) if value is not None else None

    async def entries(
        self, subject_type: str | None = None, subject_id: int | None = None
    ) -> list[AuditEntry]:
        sql = "SELECT * FROM audit_log"
        params: list[Any] = []
        if subject_type is not None:
            sql += " WHERE subject_type = ?"
            params.append(subject_type)
            if subject_id is not None:
                sql += " AND subject_id = ?"
                params.append(subject_id)
        rows = await self._db.fetchall(sql + " ORDER BY id", params)
        return [AuditEntry(**dict(row)) for row in rows]
