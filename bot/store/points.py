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

    async def board(self, commune_id: int, since: str, limit: int
                    ) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        """The commune's teams and the people who chose to appear, by points since `since`;
        points of anonymous reports count for nobody here (they would point at who)."""
        named = ("NOT (p.subject_type = 'report' AND EXISTS (SELECT 1 FROM reports r "
                 "WHERE r.id = p.subject_id AND r.anonymous = 1))")
        teams = await self._db.fetchall(
            "SELECT t.name, sum(p.points) FROM points p JOIN memberships m ON m.resident_id = "
            "p.resident_id AND m.state = 'active' JOIN teams t ON t.id = m.team_id "
            f"WHERE t.commune_id = ? AND p.at >= ? AND {named} GROUP BY t.id "
            "ORDER BY 2 DESC, t.name LIMIT ?", (commune_id, since, limit))
        people = await self._db.fetchall(
            "SELECT r.display_name, sum(p.points) FROM points p JOIN residents r ON "
            "r.id = p.resident_id WHERE r.commune_id = ? AND r.on_board = 1 AND "
            f"r.display_name IS NOT NULL AND p.at >= ? AND {named} GROUP BY r.id "
            "ORDER BY 2 DESC, r.display_name LIMIT ?", (commune_id, since, limit))
        return ([(str(row[0]), int(row[1])) for row in teams],
                [(str(row[0]), int(row[1])) for row in people])

    async def earned(self, since: str, until: str, commune_id: int | None = None
                     ) -> list[tuple[int, str, str, int, int]]:
        """(resident id, name, rule, times, points) for every named contribution awarded in
        [since, until) — anonymous reports' points left out — in the commune, if given."""
        rows = await self._db.fetchall(
            "SELECT r.id, coalesce(r.display_name, ''), p.rule, count(*), sum(p.points) "
            "FROM points p JOIN residents r ON r.id = p.resident_id "
            "WHERE p.at >= ? AND p.at < ? AND (? IS NULL OR r.commune_id = ?) AND NOT ("
            "p.subject_type = 'report' AND EXISTS (SELECT 1 FROM reports x "
            "WHERE x.id = p.subject_id AND x.anonymous = 1)) "
            "GROUP BY r.id, p.rule ORDER BY r.id, p.rule", (since, until, commune_id, commune_id))
        return [(int(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4])) for r in rows]

    async def of_resident(self, resident_id: int, limit: int = 10) -> list[Award]:
        rows = await self._db.fetchall(
            "SELECT rule, points, subject_type, subject_id, at FROM points "
            "WHERE resident_id = ? ORDER BY at DESC, id DESC LIMIT ?", (resident_id, limit))
        return [Award(str(r[0]), int(r[1]), str(r[2]), int(r[3]), str(r[4])) for r in rows]
