"""Points for verified contributions: one row an award (bot/services/points.py has the rules)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.db import Database, Tx


@dataclass(frozen=True, slots=True)
class Award:
    rule: str
    points: int
    subject_type: str
    subject_id: int
    at: str


class PointsStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, tx: Tx, resident_id: int, rule: str, points: int, subject_type: str,
                  subject_id: int, at: str) -> bool:
        """Record an award; False when this rule already awarded this thing to this person."""
        cursor = await tx.execute(
            "INSERT OR IGNORE INTO points (resident_id, rule, points, subject_type, subject_id,"
            " at) VALUES (?, ?, ?, ?, ?, ?)",
            (resident_id, rule, points, subject_type, subject_id, at))
        return cursor.rowcount > 0

    async def count_since(self, tx: Tx, resident_id: int, rule: str, since: str) -> int:
        rows = list(await tx.execute_fetchall(
            "SELECT count(*) FROM points WHERE resident_id = ? AND rule = ? AND at >= ?",
            (resident_id, rule, since)))
        return int(rows[0][0])

    async def total(self, resident_id: int, since: str = "") -> int:
        return int(await self._db.scalar(
            "SELECT coalesce(sum(points), 0) FROM points WHERE resident_id = ? AND at >= ?",
            (resident_id, since)) or 0)

    async def of_resident(self, resident_id: int, limit: int = 10) -> list[Award]:
        rows = await self._db.fetchall(
            "SELECT rule, points, subject_type, subject_id, at FROM points "
            "WHERE resident_id = ? ORDER BY at DESC, id DESC LIMIT ?", (resident_id, limit))
        return [Award(str(r[0]), int(r[1]), str(r[2]), int(r[3]), str(r[4])) for r in rows]
