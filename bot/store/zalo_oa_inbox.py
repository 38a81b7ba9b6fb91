"""The Zalo OA webhook's inbox, in a small database file of its own beside the main one.

The webhook answers Zalo only once an event is kept, so keeping it must not wait behind the
bot's own work: not behind the statements queued on the bot's connection, nor behind the
write lock of the main database, which the bot's transactions hold while they run. The
inbox's file (`<database>.oa-inbox.sqlite3`) holds nothing else: each event's raw body from
its arrival until it is handled. Its one table is made when it is opened.

Unlike the rest of the store this is plain `sqlite3`, called from the event loop by the
webhook (bot/channels/zalo_oa/webhook.py): one insert committed in WAL mode takes a fraction
of a millisecond, less than a round trip to aiosqlite's thread and back through the loop.
SQLite's automatic checkpoint is off on that connection: a checkpoint copies the log into
the file and syncs it, which can hold the loop for a tenth of a second; `checkpoint` does it
in a thread, on a connection of its own, while the loop goes on answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

from bot.clock import Clock

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


class OaInbox:
    def __init__(self, connection: sqlite3.Connection, clock: Clock, path: Path) -> None:
        self._connection, self._clock, self.path = connection, clock, path

    @classmethod
    def open(cls, database: Path, clock: Clock) -> OaInbox:
        """The inbox beside the main database at `database` (made on first use)."""
        path = inbox_path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                           "PRAGMA busy_timeout=5000", "PRAGMA wal_autocheckpoint=0"):
                connection.execute(pragma)
            connection.executescript(_SCHEMA)
        except BaseException:
            connection.close()
            raise
        return cls(connection, clock, path)

    def close(self) -> None:
        self._connection.close()

    def keep(self, body: bytes) -> int:
        """Keep one event's raw body (committed when this returns); its id."""
        stamp = self._clock.now().astimezone(UTC).isoformat(timespec="seconds")
        cursor = self._connection.execute(
            "INSERT INTO zalo_oa_inbox (body, received_at) VALUES (?, ?)", (body, stamp))
        return int(cursor.lastrowid or 0)

    def forget(self, event_ids: Sequence[int]) -> None:
        """The events were handled: delete them, in one transaction."""
        if not event_ids:
            return
        connection = self._connection
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.executemany("DELETE FROM zalo_oa_inbox WHERE id = ?",
                                   [(event_id,) for event_id in event_ids])
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    async def checkpoint(self) -> None:
        """Copy the log into the file, off the event loop (what the loop's own connection no
        longer does by itself); it never blocks the loop's inserts (PASSIVE)."""
        await asyncio.to_thread(_checkpoint, self.path)

    def kept(self) -> list[tuple[int, bytes]]:
        """The events kept and not handled yet, oldest first."""
        rows = self._connection.execute(
            "SELECT id, body FROM zalo_oa_inbox ORDER BY id").fetchall()
        return [(int(row[0]), bytes(row[1])) for row in rows]


def _checkpoint(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as connection:
        connection.execute("PRAGMA busy_timeout=5000")
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
