"""Relays about a report and what their writer is told (bot/services/relays.py)."""

from __future__ import annotations

from bot.models import Relay
from bot.store.db import Database, Tx


class RelayStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self, tx: Tx, report_id: int, party: str, notify_chat_id: int | None,
        notify_reply_to: int | None, delivered_text: str, failed_text: str,
    ) -> int:
        async with tx.execute(
            "INSERT INTO relays (report_id, party, notify_chat_id, notify_reply_to, "
            "delivered_text, failed_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (report_id, party, notify_chat_id, notify_reply_to, delivered_text, failed_text,
             self._db.now_iso()),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def settle(self, tx: Tx, relay_id: int, delivered: bool) -> Relay | None:
        """Mark a queued relay delivered or failed and forget the writer's chat; the relay as
        it was, or None if it was settled already (so its writer is told once)."""
        row = await (await tx.execute(
            "SELECT id, report_id, party, notify_chat_id, notify_reply_to, delivered_text, "
            "failed_text, state FROM relays WHERE id = ? AND state = 'queued'", (relay_id,),
        )).fetchone()
        if row is None:
            return None
        await tx.execute(
            "UPDATE relays SET state = ?, settled_at = ?, notify_chat_id = NULL, "
            "notify_reply_to = NULL WHERE id = ? AND state = 'queued'",
            ("delivered" if delivered else "failed", self._db.now_iso(), relay_id),
        )
        return Relay(*row)

    async def get(self, relay_id: int) -> Relay | None:
        row = await self._db.fetchone(
            "SELECT id, report_id, party, notify_chat_id, notify_reply_to, delivered_text, "
            "failed_text, state FROM relays WHERE id = ?", (relay_id,))
        return None if row is None else Relay(*row)

    async def queued(self) -> list[int]:
        """Relays not settled yet, oldest first."""
        rows = await self._db.fetchall("SELECT id FROM relays WHERE state = 'queued' ORDER BY id")
        return [int(row[0]) for row in rows]
