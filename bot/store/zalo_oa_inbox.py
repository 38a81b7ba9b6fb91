"""The Zalo OA webhook's inbox (migration 0035), on a connection of its own.

The webhook answers Zalo only once an event is kept, so keeping it must not wait behind the
bot's own work: this store opens a second connection to the same database (its own aiosqlite
thread, its own write lock). SQLite lets one writer at a time in, so its short transaction
waits at most for the one the bot is committing (busy_timeout), not for every statement
queued on the bot's connection."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.clock import Clock
from bot.store.db import Database


class OaInboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path, clock: Clock) -> OaInboxStore:
        """A connection of its own to the database at `path` (already migrated)."""
        return cls(await Database.open(path, clock))

    async def close(self) -> None:
        await self._db.close()

    async def keep_events(self, bodies: Sequence[bytes], handled: Sequence[int]) -> list[int]:
        """In one transaction: keep the events' raw bodies (their ids, in order) and forget
        the ones handled since."""
        now = self._db.now_iso()
        ids: list[int] = []
        async with self._db.transaction() as tx:
            for body in bodies:
                cursor = await tx.execute(
                    "INSERT INTO zalo_oa_inbox (body, received_at) VALUES (?, ?)", (body, now))
                ids.append(int(cursor.lastrowid or 0))
            if handled:
                await tx.executemany("DELETE FROM zalo_oa_inbox WHERE id = ?",
                                     [(event_id,) for event_id in handled])
        return ids

    async def kept_events(self) -> list[tuple[int, bytes]]:
        """The events taken in and not handled yet, oldest first."""
        rows = await self._db.fetchall("SELECT id, body FROM zalo_oa_inbox ORDER BY id")
        return [(int(row[0]), bytes(row[1])) for row in rows]
