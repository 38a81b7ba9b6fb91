"""Accounts (a person on one messenger), the one-time codes that link a second one, and the
messages already taken in (de-duplication of a channel's repeated deliveries)."""

from __future__ import annotations

import sqlite3

from bot.models import Account, Channel
from bot.store.db import Database, Tx
from bot.store.dialogs import DialogStore


def _account(row: sqlite3.Row) -> Account:
    return Account(
        id=row["id"], resident_id=row["resident_id"], channel=row["channel"],
        external_id=row["external_id"], last_seen_at=row["last_seen_at"],
        unreachable_at=row["unreachable_at"],
    )


class AccountStore:
    def __init__(self, db: Database, dialogs: DialogStore) -> None:
        self._db = db
        self._dialogs = dialogs

    async def resident_of(self, channel: Channel, external_id: str) -> int | None:
        rows = await self._db.fetchall(
            "SELECT resident_id FROM accounts WHERE channel = ? AND external_id = ?",
            (channel, external_id))
        return int(rows[0][0]) if rows else None

    async def get(self, channel: Channel, external_id: str) -> Account | None:
        rows = await self._db.fetchall(
            "SELECT * FROM accounts WHERE channel = ? AND external_id = ?",
            (channel, external_id))
        return _account(rows[0]) if rows else None

    async def of_resident(self, resident_id: int) -> list[Account]:
        """The person's accounts, the one they used last first."""
        rows = await self._db.fetchall(
            "SELECT * FROM accounts WHERE resident_id = ? "
            "ORDER BY last_seen_at IS NULL, last_seen_at DESC, id", (resident_id,))
        return [_account(row) for row in rows]

    async def add(self, tx: Tx, resident_id: int, channel: Channel, external_id: str) -> None:
        """Attach an account to a person (nothing if that account exists already)."""
        await tx.execute(
            "INSERT OR IGNORE INTO accounts (resident_id, channel, external_id, created_at) "
            "VALUES (?, ?, ?, ?)", (resident_id, channel, external_id, self._db.now_iso()))

    async def move(self, tx: Tx, channel: Channel, external_id: str, resident_id: int) -> None:
        """Give an existing account to another person (linking it); a Telegram account takes
        residents.telegram_id with it (Telegram's fast path)."""
        await tx.execute(
            "UPDATE accounts SET resident_id = ? WHERE channel = ? AND external_id = ?",
            (resident_id, channel, external_id))
        if channel == "telegram":
            await tx.execute("UPDATE residents SET telegram_id = NULL WHERE telegram_id = ?",
                             (int(external_id),))
            await tx.execute("UPDATE residents SET telegram_id = ? WHERE id = ?",
                             (int(external_id), resident_id))

    async def is_bare(self, tx: Tx, resident_id: int) -> bool:
        """Whether a person is nothing but a row and one account: no consent answered, no
        role, membership or report."""
        rows = await tx.execute_fetchall(
            "SELECT 1 FROM residents WHERE id = ? AND consent = 'none' "
            "AND (SELECT count(*) FROM accounts WHERE resident_id = residents.id) <= 1 "
            "AND NOT EXISTS (SELECT 1 FROM roles WHERE resident_id = residents.id) "
            "AND NOT EXISTS (SELECT 1 FROM memberships WHERE resident_id = residents.id) "
            "AND NOT EXISTS (SELECT 1 FROM reports WHERE reporter_id = residents.id)",
            (resident_id,))
        return bool(rows)

    async def has_channel(self, tx: Tx, resident_id: int, channel: Channel) -> bool:
        rows = await tx.execute_fetchall(
            "SELECT 1 FROM accounts WHERE resident_id = ? AND channel = ?",
            (resident_id, channel))
        return bool(rows)

    async def merge(
        self, tx: Tx, channel: Channel, external_id: str, owner: int, former: int
    ) -> None:
        """Give the account to `owner` and drop `former`, the bare person it had (its rows go
        with it: dialogs, link codes)."""
        await self.move(tx, channel, external_id, owner)
        await tx.execute("DELETE FROM residents WHERE id = ?", (former,))
        self._dialogs.drop(former)

    async def seen(self, tx: Tx, channel: Channel, external_id: str) -> None:
        await tx.execute(
            "UPDATE accounts SET last_seen_at = ?, unreachable_at = NULL "
            "WHERE channel = ? AND external_id = ?", (self._db.now_iso(), channel, external_id))

    # --- linking codes ---------------------------------------------------------------------

    async def put_link_code(self, tx: Tx, code_hash: str, resident_id: int, expires: str) -> None:
        await tx.execute("DELETE FROM link_codes WHERE resident_id = ?", (resident_id,))
        await tx.execute(
            "INSERT OR REPLACE INTO link_codes (code_hash, resident_id, expires_at) "
            "VALUES (?, ?, ?)", (code_hash, resident_id, expires))

    async def take_link_code(self, tx: Tx, code_hash: str) -> int | None:
        """The person a valid code was issued to; the code is used up either way."""
        rows = await tx.execute_fetchall(
            "DELETE FROM link_codes WHERE code_hash = ? RETURNING resident_id, expires_at",
            (code_hash,))
        for resident_id, expires_at in rows:
            if str(expires_at) > self._db.now_iso():
                return int(resident_id)
        return None

    # --- inbound de-duplication -------------------------------------------------------------

    async def first_sight(self, channel: Channel, message_id: str) -> bool:
        """True the first time this message id is seen on this channel (one statement)."""
        return await self._db.write(
            "INSERT OR IGNORE INTO inbound_seen (channel, message_id, seen_at) VALUES (?, ?, ?)",
            (channel, message_id, self._db.now_iso())) > 0

    async def person_of(self, channel: Channel, external_id: str) -> tuple[int, str | None] | None:
        """(resident id, when the account last wrote) in one read; None for a new account."""
        row = await self._db.fetchone(
            "SELECT resident_id, last_seen_at FROM accounts WHERE channel = ? "
            "AND external_id = ?", (channel, external_id))
        return None if row is None else (int(row[0]), row[1])

    async def stamp_seen(self, channel: Channel, external_id: str) -> None:
        """The account wrote now (one statement)."""
        await self._db.write(
            "UPDATE accounts SET last_seen_at = ?, unreachable_at = NULL "
            "WHERE channel = ? AND external_id = ?", (self._db.now_iso(), channel, external_id))

    async def forget_seen_before(self, tx: Tx, before: str) -> None:
        await tx.execute("DELETE FROM inbound_seen WHERE seen_at < ?", (before,))
