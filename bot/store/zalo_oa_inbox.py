"""The Zalo OA webhook's inbox, in a small database file of its own beside the main one.

The webhook answers Zalo only once an event is kept, so keeping it must not wait behind the
bot's own work: not behind the statements queued on the bot's connection, nor behind the
write lock of the main database, which the bot's transactions hold while they run. The
inbox's file (`<database>.oa-inbox.sqlite3`) holds nothing else: each event's raw body from
its arrival until it is handled. Its one table is made when it is opened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.clock import Clock
from bot.store.db import Database

_SCHEMA = """
CREATE TABLE IF NOT EXISTS zalo_oa_inbox (
    id          INTEGER PRIMARY KEY,
    body        BLOB NOT NULL,
    received_at TEXT NOT NULL
);
"""


def inbox_path(database: Path) -> Path:
    """The inbox's file for the main database at `database`."""
    return database.with_name(f"{database.stem}.oa-inbox.sqlite3")


class OaInboxStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    async def open(cls, database: Path, clock: Clock) -> OaInboxStore:
        """The inbox beside the main database at `database` (made on first use)."""
        db = await Database.open(inbox_path(database), clock)
        try:
            await db.executescript(_SCHEMA)
        except BaseException:
            await db.close()
            raise
        return cls(db)

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
