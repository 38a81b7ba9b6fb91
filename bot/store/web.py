"""The web console's login links and sessions (migration 0018): tokens are kept as hashes."""

from __future__ import annotations

import sqlite3

from bot.models import WebSession
from bot.store.db import Database, Tx


def _session(row: sqlite3.Row) -> WebSession:
    return WebSession(
        id=row["id"], resident_id=row["resident_id"], csrf=row["csrf"], via=row["via"],
        name=row["name"],
        created_at=row["created_at"], expires_at=row["expires_at"],
        last_seen_at=row["last_seen_at"], revoked_at=row["revoked_at"])


class WebStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- login links ---------------------------------------------------------------------

    async def put_login(
        self, tx: Tx, token_hash: str, resident_id: int, via: str, name: str | None, now: str,
        expires: str,
    ) -> None:
        await tx.execute(
            "INSERT INTO web_logins (token_hash, resident_id, via, name, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, resident_id, via, name, now, expires))

    async def logins_since(self, resident_id: int, since: str) -> int:
        count = await self._db.scalar(
            "SELECT count(*) FROM web_logins WHERE resident_id = ? AND created_at >= ?",
            (resident_id, since))
        return int(count or 0)

    async def take_login(
        self, tx: Tx, token_hash: str, now: str
    ) -> tuple[int, str, str | None] | None:
        """The person, the way and the name of a link not used and not expired, marked
        used: a link works once, even when two requests bring it in the same instant."""
        async with tx.execute(
            "UPDATE web_logins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL "
            "AND expires_at > ? RETURNING resident_id, via, name", (now, token_hash, now),
        ) as cursor:
            row = await cursor.fetchone()
        return None if row is None else (int(row[0]), str(row[1]), row[2])

    async def login_usable(self, token_hash: str, now: str) -> bool:
        """Whether a link would still open a session (the page that asks to confirm it)."""
        found = await self._db.scalar(
            "SELECT 1 FROM web_logins WHERE token_hash = ? AND used_at IS NULL "
            "AND expires_at > ?", (token_hash, now))
        return found is not None

    async def forget_logins_before(self, tx: Tx, before: str) -> None:
        await tx.execute("DELETE FROM web_logins WHERE expires_at < ?", (before,))

    # --- sessions ------------------------------------------------------------------------

    async def put_session(
        self, tx: Tx, token_hash: str, resident_id: int, csrf: str, via: str,
        name: str | None, now: str, expires: str,
    ) -> int:
        async with tx.execute(
            "INSERT INTO web_sessions (token_hash, resident_id, csrf, via, name, created_at, "
            "expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (token_hash, resident_id, csrf, via, name, now, expires, now),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def session(self, token_hash: str, now: str) -> WebSession | None:
        """The live session (not revoked, not expired) a cookie's token names."""
        row = await self._db.fetchone(
            "SELECT * FROM web_sessions WHERE token_hash = ? AND revoked_at IS NULL "
            "AND expires_at > ?", (token_hash, now))
        return None if row is None else _session(row)

    async def sessions(self, now: str, resident_id: int | None = None) -> list[WebSession]:
        """The live sessions (of one person, or everyone's), newest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM web_sessions WHERE revoked_at IS NULL AND expires_at > ? "
            "AND (? IS NULL OR resident_id = ?) ORDER BY id DESC",
            (now, resident_id, resident_id))
        return [_session(row) for row in rows]

    async def touch(self, session_id: int, now: str) -> None:
        await self._db.write(
            "UPDATE web_sessions SET last_seen_at = ? WHERE id = ?", (now, session_id))

    async def revoke(self, tx: Tx, session_id: int, now: str) -> bool:
        cursor = await tx.execute(
            "UPDATE web_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (now, session_id))
        return cursor.rowcount > 0

    async def revoke_of(self, tx: Tx, resident_id: int, now: str) -> int:
        """End every live session of the person; how many."""
        cursor = await tx.execute(
            "UPDATE web_sessions SET revoked_at = ? WHERE resident_id = ? "
            "AND revoked_at IS NULL", (now, resident_id))
        return cursor.rowcount
