"""The one SQLite connection: pragmas, serialised write transactions, reads, backup."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC
from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite

from bot.clock import Clock, SystemClock

Params: TypeAlias = Sequence[Any] | dict[str, Any]
Tx: TypeAlias = aiosqlite.Connection


class DatabaseUnavailable(Exception):
    """The database cannot be created or opened; the message names the path and the reason."""


class Database:
    """Owns the aiosqlite connection. Every write goes through `transaction()`.

    One aiosqlite connection is one shared transaction, so write transactions are
    serialised by a lock; reads run in autocommit mode and never hold the lock.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path, clock: Clock) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        self.path = path
        self.clock = clock

    def now_iso(self) -> str:
        """The clock's time as stored in the database: ISO 8601, UTC, with offset.

        Every stamp comes from the injected clock, never the wall clock: the rules that read
        these stamps (a schedule's creation, a membership's age) run on that same clock."""
        return self.clock.now().astimezone(UTC).isoformat(timespec="seconds")

    @classmethod
    async def open(cls, path: Path, clock: Clock | None = None) -> Database:
        """Open (creating its folder); DatabaseUnavailable, naming the path and the reason,
        when the folder cannot be created or the file cannot be opened."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseUnavailable(
                f"{path}: cannot create the folder {error.filename or path.parent}: "
                f"{error.strerror or error}") from None
        try:
            # Tried first with sqlite3 itself: aiosqlite's worker thread outlives a failed
            # connect and reports to the event loop later, after a CLI has closed it.
            await asyncio.to_thread(_probe, path)
        except sqlite3.Error as error:
            raise DatabaseUnavailable(f"{path}: cannot open it: {error}") from None
        connection = await aiosqlite.connect(path, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=5000",
            ):
                await connection.execute(pragma)
        except sqlite3.Error as error:
            await connection.close()
            raise DatabaseUnavailable(f"{path}: cannot open it: {error}") from None
        except BaseException:
            await connection.close()
            raise
        return cls(connection, path, clock or SystemClock())

    async def close(self) -> None:
        async with self._lock:
            await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT), rolled back on any error."""
        async with self._lock:
            try:
                # BEGIN is inside the try: a task cancelled while awaiting it (kill a worker
                # mid-write) must not leave the shared connection in an open transaction.
                await self._connection.execute("BEGIN IMMEDIATE")
                yield self._connection
            except BaseException:
                # aiosqlite runs requests in order, so this ROLLBACK follows a BEGIN that was
                # already queued; with no transaction open, sqlite3's rollback does nothing.
                await self._connection.rollback()
                raise
            await self._connection.commit()

    async def write(self, sql: str, params: Params = ()) -> int:
        """One statement that changes rows, on its own: atomic by itself (the connection is in
        autocommit mode), under the write lock so it never joins another coroutine's open
        transaction. One trip to aiosqlite's thread instead of BEGIN, the statement and COMMIT
        — for the writes every update makes. Returns the rows it changed."""
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
            return cursor.rowcount

    async def write_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """`write` for a statement with RETURNING: the rows it returns."""
        async with self._lock:
            return list(await self._connection.execute_fetchall(sql, params))

    async def secret(self, name: str) -> bytes:
        """This database's own random key called `name` (made on first use, kept in
        local_secrets): for HMACs that must hold across restarts but mean nothing elsewhere."""
        await self.write("INSERT OR IGNORE INTO local_secrets (name, value) VALUES (?, ?)",
                         (name, secrets.token_bytes(32)))
        return bytes(await self.scalar("SELECT value FROM local_secrets WHERE name = ?",
                                       (name,)))

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        rows = await self._connection.execute_fetchall(sql, params)
        return list(rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row (queries here look rows up by key). One trip to aiosqlite's thread,
        where execute, fetchone and close would be three: this runs on every update."""
        rows = await self._connection.execute_fetchall(sql, params)
        for row in rows:
            return row
        return None

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def executescript(self, script: str) -> None:
        """Run a whole script (migrations) under the write lock; the script commits itself."""
        async with self._lock:
            try:
                await self._connection.executescript(script)
            except BaseException:
                if self._connection.in_transaction:
                    await self._connection.rollback()
                raise

    async def backup(self, target: Path) -> None:
        """Copy the live database to `target` with SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(target) as destination:
            await self._connection.backup(destination)


def _probe(path: Path) -> None:
    sqlite3.connect(path).close()
