"""Zalo Official Accounts: each commune's OA, each OA's tokens, consent verifiers, and what
the channel keeps on a follower's account (its OA, its last interaction)."""

from __future__ import annotations

import sqlite3

from bot.models.zalo_oa import OaFollower, OaTokens, OaUsage
from bot.store.db import Database, Tx

# A broadcast's zalo_oa rows by what became of them (see OaUsage).
# A skipped row still waiting (migration 0036) counts as waiting, not as skipped; the first
# parameter is now.
_USAGE = ("SELECT coalesce(sum(o.reach = 'free'), 0), coalesce(sum(o.reach = 'billable'), 0), "
          "coalesce(sum(o.reach = 'zbs'), 0), "
          "coalesce(sum(o.state = 'skipped' AND coalesce(w.until <= ?1, 1)), 0), "
          "coalesce(sum(o.state = 'unreachable'), 0), coalesce(sum(o.state = 'failed'), 0), "
          "coalesce(sum(o.state IN ('queued', 'sending')), 0), "
          "coalesce(sum(o.state = 'skipped' AND w.until > ?1), 0) "
          "FROM outbox o LEFT JOIN zalo_oa_waiting w ON w.outbox_id = o.id ")


def _tokens(row: sqlite3.Row) -> OaTokens:
    return OaTokens(
        oa_id=row["oa_id"], access_token=row["access_token"],
        access_expires_at=row["access_expires_at"], refresh_token=row["refresh_token"],
        refresh_expires_at=row["refresh_expires_at"], generation=row["generation"],
        failed_at=row["failed_at"], failure=row["failure"])


class ZaloOaStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- communes and their OAs -------------------------------------------------------------

    async def set_commune_oa(self, tx: Tx, commune_id: int, oa_id: str | None) -> None:
        await tx.execute("UPDATE communes SET zalo_oa_id = ? WHERE id = ?", (oa_id, commune_id))

    async def commune_of(self, oa_id: str) -> int | None:
        row = await self._db.fetchone("SELECT id FROM communes WHERE zalo_oa_id = ?", (oa_id,))
        return None if row is None else int(row[0])

    async def oa_of_commune(self, code: str) -> tuple[int, str | None] | None:
        """(commune id, its OA id or None) for a commune code; None for an unknown commune."""
        row = await self._db.fetchone("SELECT id, zalo_oa_id FROM communes WHERE code = ?",
                                      (code,))
        return None if row is None else (int(row[0]), row[1])

    async def oa_communes(self) -> list[tuple[int, str, str]]:
        """(commune id, code, OA id) of every commune that names an OA."""
        rows = await self._db.fetchall(
            "SELECT id, code, zalo_oa_id FROM communes WHERE zalo_oa_id IS NOT NULL "
            "ORDER BY code")
        return [(int(row[0]), str(row[1]), str(row[2])) for row in rows]

    async def oa_ids(self) -> list[str]:
        """Every OA a commune names."""
        rows = await self._db.fetchall(
            "SELECT zalo_oa_id FROM communes WHERE zalo_oa_id IS NOT NULL ORDER BY id")
        return [str(row[0]) for row in rows]

    # --- tokens -----------------------------------------------------------------------------

    async def tokens(self, oa_id: str) -> OaTokens | None:
        row = await self._db.fetchone("SELECT * FROM zalo_oa_tokens WHERE oa_id = ?", (oa_id,))
        return None if row is None else _tokens(row)

    async def put_tokens(
        self, oa_id: str, *, access_token: str | None, access_expires_at: str | None,
        refresh_token: str, refresh_expires_at: str | None,
    ) -> int:
        """Store a new pair (one statement: it is whole or absent); the new generation."""
        rows = await self._db.write_returning(
            "INSERT INTO zalo_oa_tokens (oa_id, access_token, access_expires_at, refresh_token, "
            "refresh_expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (oa_id) DO "
            "UPDATE SET access_token = excluded.access_token, "
            "access_expires_at = excluded.access_expires_at, "
            "refresh_token = excluded.refresh_token, "
            "refresh_expires_at = excluded.refresh_expires_at, "
            "generation = generation + 1, updated_at = excluded.updated_at, failed_at = NULL, "
            "failure = NULL RETURNING generation",
            (oa_id, access_token, access_expires_at, refresh_token, refresh_expires_at,
             self._db.now_iso()))
        return int(rows[0][0])

    async def refresh_failed(self, oa_id: str, failure: str) -> None:
        await self._db.write(
            "UPDATE zalo_oa_tokens SET failed_at = ?, failure = ? WHERE oa_id = ?",
            (self._db.now_iso(), failure, oa_id))

    # --- consent (OAuth v4 with PKCE) -------------------------------------------------------

    async def put_consent(self, commune_id: int, verifier: str, state: str) -> None:
        await self._db.write(
            "INSERT OR REPLACE INTO zalo_oa_consents (commune_id, verifier, state, created_at) "
            "VALUES (?, ?, ?, ?)", (commune_id, verifier, state, self._db.now_iso()))

    async def take_consent(self, commune_id: int) -> tuple[str, str] | None:
        """(verifier, state) of the commune's pending consent link, used up."""
        rows = await self._db.write_returning(
            "DELETE FROM zalo_oa_consents WHERE commune_id = ? RETURNING verifier, state",
            (commune_id,))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    # --- followers --------------------------------------------------------------------------

    async def interacted(self, user_id: str, oa_id: str) -> None:
        """The follower wrote, pressed or followed now (the window opens again)."""
        await self._db.write(
            "UPDATE accounts SET oa_id = ?, interacted_at = ? WHERE channel = 'zalo_oa' "
            "AND external_id = ?", (oa_id, self._db.now_iso(), user_id))

    async def wake_waiting(self, user_id: str) -> int:
        """The follower interacted: what waited for it (migration 0036) and is still wanted
        is queued again, to go inside the window; how many rows."""
        if await self._db.fetchone(  # most events find nothing waiting: one read, no write
                "SELECT 1 FROM zalo_oa_waiting WHERE address = ? LIMIT 1", (user_id,)) is None:
            return 0
        now = self._db.now_iso()
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE outbox SET state = 'queued', reach = NULL, last_error = NULL, "
                "not_before = 0 WHERE state = 'skipped' AND channel = 'zalo_oa' AND id IN ("
                "SELECT w.outbox_id FROM zalo_oa_waiting w JOIN outbox o ON o.id = w.outbox_id "
                "WHERE w.address = ? AND o.address = w.address AND w.until > ?)",
                (user_id, now))
            await tx.execute("DELETE FROM zalo_oa_waiting WHERE address = ?", (user_id,))
        return cursor.rowcount

    async def oa_of(self, user_id: str) -> str | None:
        """The OA a follower's account follows (None: not known yet)."""
        row = await self._db.fetchone(
            "SELECT oa_id FROM accounts WHERE channel = 'zalo_oa' AND external_id = ?",
            (user_id,))
        return None if row is None or row[0] is None else str(row[0])

    async def follower(self, user_id: str) -> OaFollower | None:
        """A follower's OA, last interaction, language and shared phone (None: no account)."""
        row = await self._db.fetchone(
            "SELECT a.oa_id, a.interacted_at, r.language, r.phone FROM accounts a "
            "JOIN residents r ON r.id = a.resident_id "
            "WHERE a.channel = 'zalo_oa' AND a.external_id = ?", (user_id,))
        return None if row is None else OaFollower(row[0], row[1], row[2], row[3])

    # --- reach and cost ---------------------------------------------------------------------

    async def usage_of(self, broadcast_id: int) -> OaUsage | None:
        """How a broadcast reached its OA followers; None when it had none."""
        row = await self._db.fetchone(
            _USAGE + "WHERE o.broadcast_id = ?2 AND o.channel = 'zalo_oa' HAVING count(*) > 0",
            (self._db.now_iso(), broadcast_id))
        return None if row is None else OaUsage(*row)

    async def usage(self, start: str, end: str, commune_id: int | None = None) -> OaUsage:
        """How the broadcasts created in [start, end) (ISO 8601, UTC, as the store writes
        them) reached OA followers, of one commune or all."""
        where = "" if commune_id is None else " AND b.commune_id = ?4"
        now = self._db.now_iso()
        params: tuple[object, ...] = (now, start, end) if commune_id is None else (
            now, start, end, commune_id)
        row = await self._db.fetchone(
            _USAGE + "JOIN broadcasts b ON b.id = o.broadcast_id WHERE o.channel = 'zalo_oa' "
            f"AND b.created_at >= ?2 AND b.created_at < ?3{where}", params)
        return OaUsage() if row is None else OaUsage(*row)
