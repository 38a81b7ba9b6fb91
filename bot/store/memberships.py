"""Who belongs to which team, as member or leader, pending or active."""

from __future__ import annotations

import sqlite3

from bot.models import Member, MemberRole, Membership, MemberState, Team, TeamSummary
from bot.store.areas import team_from_row
from bot.store.db import Database, Tx


def _membership(row: sqlite3.Row) -> Membership:
    return Membership(
        row["team_id"], row["resident_id"], row["role"], row["state"],
        row["requested_at"], row["decided_at"],
    )


class MembershipStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._throttle_key: bytes | None = None

    # --- writes ----------------------------------------------------------------------------

    async def add(
        self, tx: Tx, team_id: int, resident_id: int, role: MemberRole, state: MemberState,
        decided_by: int | None = None,
    ) -> None:
        """Insert or overwrite one membership."""
        now = self._db.now_iso()
        await tx.execute(
            "INSERT INTO memberships (team_id, resident_id, role, state, requested_at, "
            "decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, resident_id) DO UPDATE SET role = excluded.role, "
            "state = excluded.state, decided_at = excluded.decided_at, "
            "decided_by = excluded.decided_by",
            (team_id, resident_id, role, state, now,
             now if state == "active" else None, decided_by),
        )

    async def activate(self, tx: Tx, team_id: int, resident_id: int, decided_by: int) -> bool:
        cursor = await tx.execute(
            "UPDATE memberships SET state = 'active', decided_at = ?, decided_by = ? "
            "WHERE team_id = ? AND resident_id = ? AND state = 'pending'",
            (self._db.now_iso(), decided_by, team_id, resident_id),
        )
        return cursor.rowcount > 0

    async def remove(self, tx: Tx, team_id: int, resident_id: int) -> bool:
        cursor = await tx.execute(
            "DELETE FROM memberships WHERE team_id = ? AND resident_id = ?",
            (team_id, resident_id),
        )
        return cursor.rowcount > 0

    async def set_leader(self, tx: Tx, team_id: int, resident_id: int, by: int | None) -> None:
        """Make `resident_id` the team's only leader; a previous leader stays a member."""
        await tx.execute(
            "UPDATE memberships SET role = 'member' WHERE team_id = ? AND role = 'leader' "
            "AND resident_id != ?",
            (team_id, resident_id),
        )
        await self.add(tx, team_id, resident_id, "leader", "active", by)

    # --- join limits (failed codes, rejections) ---------------------------------------

    async def add_join_failure(self, tx: Tx, subject: str, forget_before: str) -> None:
        """Count one join code that led nowhere for `subject` (a keyed hash of the person's
        account); everyone's failures older than `forget_before` go."""
        await tx.execute("DELETE FROM join_failures WHERE at < ?", (forget_before,))
        await tx.execute("INSERT INTO join_failures (subject, at) VALUES (?, ?)",
                         (subject, self._db.now_iso()))

    async def join_failures_since(self, subject: str, since: str) -> list[str]:
        """When the subject's failed join codes since `since` were typed, oldest first."""
        rows = await self._db.fetchall(
            "SELECT at FROM join_failures WHERE subject = ? AND at >= ? ORDER BY at",
            (subject, since),
        )
        return [row[0] for row in rows]

    async def throttle_key(self) -> bytes:
        """This database's key for the join throttle's subjects (made on first use)."""
        if self._throttle_key is None:
            self._throttle_key = await self._db.secret("join-throttle")
        return self._throttle_key

    async def record_rejection(self, tx: Tx, team_id: int, resident_id: int) -> None:
        await tx.execute(
            "INSERT INTO join_rejections (team_id, resident_id, rejected_at) VALUES (?, ?, ?) "
            "ON CONFLICT (team_id, resident_id) DO UPDATE SET rejected_at = excluded.rejected_at",
            (team_id, resident_id, self._db.now_iso()),
        )

    async def claim_notice(self, tx: Tx, team_id: int, resident_id: int, since: str) -> bool:
        """Whether the leader should be asked about this request: not if they were asked about
        the same person at or after `since`. Records the notice when it is due."""
        cursor = await tx.execute(
            "INSERT INTO join_notices (team_id, resident_id, notified_at) VALUES (?, ?, ?) "
            "ON CONFLICT (team_id, resident_id) DO UPDATE SET notified_at = excluded.notified_at "
            "WHERE join_notices.notified_at < ?",
            (team_id, resident_id, self._db.now_iso(), since),
        )
        return cursor.rowcount > 0

    async def clear_notice(self, tx: Tx, team_id: int, resident_id: int) -> None:
        await tx.execute("DELETE FROM join_notices WHERE team_id = ? AND resident_id = ?",
                         (team_id, resident_id))

    async def clear_rejection(self, tx: Tx, team_id: int, resident_id: int) -> None:
        await tx.execute("DELETE FROM join_rejections WHERE team_id = ? AND resident_id = ?",
                         (team_id, resident_id))

    async def rejected_at(self, team_id: int, resident_id: int) -> str | None:
        """When the team last rejected this person's request (None: never, or approved since)."""
        value = await self._db.scalar(
            "SELECT rejected_at FROM join_rejections WHERE team_id = ? AND resident_id = ?",
            (team_id, resident_id),
        )
        return None if value is None else str(value)

    # --- reads ---------------------------------------------------------------------------

    async def get(self, team_id: int, resident_id: int) -> Membership | None:
        row = await self._db.fetchone(
            "SELECT * FROM memberships WHERE team_id = ? AND resident_id = ?",
            (team_id, resident_id),
        )
        return None if row is None else _membership(row)

    async def of_resident(self, resident_id: int) -> list[tuple[Team, Membership]]:
        rows = await self._db.fetchall(
            "SELECT t.id, t.commune_id, t.hamlet_id, t.code, t.name, t.kind, t.join_code, "
            "t.requires_approval, t.max_members, m.team_id, m.resident_id, m.role, m.state, "
            "m.requested_at, m.decided_at FROM memberships m JOIN teams t ON t.id = m.team_id "
            "WHERE m.resident_id = ? ORDER BY t.name",
            (resident_id,),
        )
        return [(team_from_row(row), _membership(row)) for row in rows]

    async def members(self, team_id: int) -> list[Member]:
        rows = await self._db.fetchall(
            "SELECT r.id, r.telegram_id, r.display_name, m.role, m.state, m.requested_at "
            "FROM memberships m JOIN residents r ON r.id = m.resident_id WHERE m.team_id = ? "
            "ORDER BY m.role = 'leader' DESC, m.state, r.display_name COLLATE NOCASE",
            (team_id,),
        )
        return [Member(*row) for row in rows]

    async def count_active(self, team_id: int) -> int:
        count = await self._db.scalar(
            "SELECT count(*) FROM memberships WHERE team_id = ? AND state = 'active'",
            (team_id,),
        )
        return int(count or 0)

    async def leader(self, team_id: int) -> Member | None:
        row = await self._db.fetchone(
            "SELECT r.id, r.telegram_id, r.display_name, m.role, m.state, m.requested_at "
            "FROM memberships m JOIN residents r ON r.id = m.resident_id "
            "WHERE m.team_id = ? AND m.role = 'leader'",
            (team_id,),
        )
        return None if row is None else Member(*row)

    async def team_summaries(self, commune_id: int | None = None) -> list[TeamSummary]:
        """Every team (of one commune, or all) with its leader, whether the bot can reach the
        leader, and head counts."""
        rows = await self._db.fetchall(
            "SELECT t.id, c.code, t.code, t.name, t.kind, h.code, t.join_code, "
            "(SELECT r.telegram_id FROM memberships m JOIN residents r ON r.id = m.resident_id "
            " WHERE m.team_id = t.id AND m.role = 'leader'), "
            "(SELECT count(*) FROM memberships m WHERE m.team_id = t.id AND m.state = 'active'), "
            "(SELECT count(*) FROM memberships m WHERE m.team_id = t.id AND m.state = 'pending'), "
            "(SELECT CASE WHEN r.unreachable_at IS NOT NULL THEN 'blocked' "
            " WHEN r.opened_at IS NULL THEN 'not-opened' ELSE 'yes' END "
            " FROM memberships m JOIN residents r ON r.id = m.resident_id "
            " WHERE m.team_id = t.id AND m.role = 'leader') "
            "FROM teams t JOIN communes c ON c.id = t.commune_id "
            "LEFT JOIN hamlets h ON h.id = t.hamlet_id "
            "WHERE ? IS NULL OR t.commune_id = ? ORDER BY c.code, t.code",
            (commune_id, commune_id),
        )
        return [TeamSummary(*row) for row in rows]
